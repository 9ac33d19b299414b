import type { ReactNode } from "react";
import { cx } from "./cx";

export interface PageHeadingProps {
  children: ReactNode;
  /** Small text above the heading, e.g. 「ステップ 2／4」 or the section name. */
  caption?: ReactNode;
  id?: string;
  className?: string;
}

/** The page's single h1 (with an optional caption above it). */
export function PageHeading({ children, caption, id, className }: PageHeadingProps) {
  return (
    <div className={cx("page-heading", className)}>
      {caption && <p className="page-heading__caption">{caption}</p>}
      <h1 id={id} className="page-heading__title">
        {children}
      </h1>
    </div>
  );
}
