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

/**
 * A field required after one choice and optional after the others, without JavaScript: both badges
 * are drawn and CSS (`:has()` on the form, see app.css 「conditional questions」) shows the one that
 * matches the choice made, so the label never says 必須 and 任意 at once. `when` names the CSS
 * condition class (e.g. "not-self").
 */
export function ConditionalBadge({ when }: { when: string }) {
  return (
    <>
      <span className={cx("requirement-badge", "requirement-badge--required", `only-if-${when}`)}>※必須</span>
      <span className={cx("requirement-badge", "requirement-badge--optional", `unless-${when}`)}>※任意</span>
    </>
  );
}
