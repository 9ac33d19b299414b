import { useId, type ReactNode } from "react";
import { cx } from "./cx";

export type NoticeVariant = "info" | "warning" | "success";

export interface NoticeProps {
  variant?: NoticeVariant;
  title?: ReactNode;
  children?: ReactNode;
  /** "status" for results announced after an action (e.g. 保存しました); none by default. */
  role?: "status" | "alert";
  /** Heading level of the title (default 2). */
  headingLevel?: 2 | 3 | 4;
  className?: string;
}

const PREFIX: Record<NoticeVariant, string> = { info: "お知らせ", warning: "注意", success: "完了" };

/**
 * Panel for information, warnings and success messages. The meaning is also given in words
 * (a visually hidden 「お知らせ：」「注意：」「完了：」), not only by colour.
 */
export function Notice({ variant = "info", title, children, role, headingLevel = 2, className }: NoticeProps) {
  const titleId = useId();
  const Heading = `h${headingLevel}` as const;
  const prefix = <span className="visually-hidden">{PREFIX[variant]}：</span>;
  const classes = cx("notice", `notice--${variant}`, className);
  if (!title) {
    return (
      <div className={classes} role={role}>
        <div className="notice__body">
          {prefix}
          {children}
        </div>
      </div>
    );
  }
  return (
    <section className={classes} role={role} aria-labelledby={titleId}>
      <Heading id={titleId} className="notice__title">
        {prefix}
        {title}
      </Heading>
      {children && <div className="notice__body">{children}</div>}
    </section>
  );
}
