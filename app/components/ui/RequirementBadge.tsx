import { cx } from "./cx";

export interface RequirementBadgeProps {
  required: boolean;
}

/** 「※必須」 or 「※任意」, shown next to every field label or legend. */
export function RequirementBadge({ required }: RequirementBadgeProps) {
  return (
    <span className={cx("requirement-badge", required ? "requirement-badge--required" : "requirement-badge--optional")}>
      {required ? "※必須" : "※任意"}
    </span>
  );
}
