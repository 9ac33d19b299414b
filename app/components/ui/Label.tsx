import type { ReactNode } from "react";
import { cx } from "./cx";
import { RequirementBadge } from "./RequirementBadge";

export interface LabelProps {
  htmlFor: string;
  children: ReactNode;
  /** When given, a RequirementBadge (※必須 / ※任意) follows the label text. */
  required?: boolean;
  /** Instead of the badge from `required`: e.g. ConditionalBadge, for a field whose rule depends on a choice. */
  badge?: ReactNode;
  id?: string;
  className?: string;
}

export function Label({ htmlFor, children, required, badge, id, className }: LabelProps) {
  return (
    <label htmlFor={htmlFor} id={id} className={cx("label", className)}>
      <span className="label__text">{children}</span>
      {badge !== undefined && (
        <>
          {" "}
          {badge}
        </>
      )}
      {badge === undefined && required !== undefined && (
        <>
          {" "}
          <RequirementBadge required={required} />
        </>
      )}
    </label>
  );
}
