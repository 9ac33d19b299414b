import type { ReactNode } from "react";
import { cx, describedBy, errorIdFor, errorList, supportIdFor, type ErrorMessages } from "./cx";
import { ErrorText } from "./ErrorText";
import { RequirementBadge } from "./RequirementBadge";
import { SupportText } from "./SupportText";

export interface FieldsetProps {
  /**
   * Base id of the group: support text is `${id}-support`, error text `${id}-error`, the
   * <fieldset> element itself `${id}-fieldset` (the first control inside should take `id`, so that
   * ErrorSummary links to `#id` land on it).
   */
  id: string;
  legend: ReactNode;
  /** Shows ※必須 / ※任意 after the legend when given. */
  required?: boolean;
  support?: ReactNode;
  error?: ErrorMessages;
  /** Render the legend as the page's h1 (a one-question page). */
  legendAsPageHeading?: boolean;
  children: ReactNode;
  className?: string;
}

/** A group of controls (radios, checkboxes, date parts) with a legend, support and error text. */
export function Fieldset({
  id,
  legend,
  required,
  support,
  error,
  legendAsPageHeading = false,
  children,
  className,
}: FieldsetProps) {
  const errors = errorList(error);
  const invalid = errors.length > 0;
  const supportId = support ? supportIdFor(id) : undefined;
  const errorId = errorIdFor(id);
  const legendContent = (
    <>
      <span className="legend__text">{legend}</span>
      {required !== undefined && (
        <>
          {" "}
          <RequirementBadge required={required} />
        </>
      )}
    </>
  );
  return (
    <div className={cx("field", invalid && "field--error", className)}>
      <fieldset
        id={`${id}-fieldset`}
        className="fieldset"
        aria-describedby={describedBy(supportId, invalid && errorId)}
      >
        <legend className={cx("legend", legendAsPageHeading && "legend--page-heading")}>
          {legendAsPageHeading ? <h1 className="legend__heading">{legendContent}</h1> : legendContent}
        </legend>
        {support && supportId && <SupportText id={supportId}>{support}</SupportText>}
        {children}
        {invalid && <ErrorText id={errorId}>{errors.join(" ")}</ErrorText>}
      </fieldset>
    </div>
  );
}
