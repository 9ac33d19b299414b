import type { ReactNode } from "react";
import { cx } from "./cx";
import { RequirementBadge } from "./RequirementBadge";

export interface LabelProps {
  htmlFor: string;
  children: ReactNode;
  /** When given, a RequirementBadge (※必須 / ※任意) follows the label text. */
  required?: boolean;
  id?: string;
  className?: string;
}

export function Label({ htmlFor, children, required, id, className }: LabelProps) {
  return (
    <label htmlFor={htmlFor} id={id} className={cx("label", className)}>
      <span className="label__text">{children}</span>
      {required !== undefined && (
        <>
          {" "}
          <RequirementBadge required={required} />
        </>
      )}
    </label>
  );
}
