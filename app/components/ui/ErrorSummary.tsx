import { useEffect, useId, useRef, type MouseEvent, type ReactNode } from "react";
import { errorList, type ErrorMessages } from "./cx";

export interface ErrorSummaryItem {
  /** Id of the input (or first radio/check box) to go to. */
  id: string;
  message: ReactNode;
}

export type ErrorSummaryErrors =
  | readonly ErrorSummaryItem[]
  | Readonly<Record<string, ErrorMessages>>
  | null
  | undefined;

export interface ErrorSummaryProps {
  /**
   * Errors in the order of the fields on the page: a list of `{ id, message }`, or a record of
   * field id → message(s) (as conform's `form.allErrors` / a zod flatten gives them). Keys that
   * are not field ids (e.g. "" for form-level errors) are listed without a link.
   */
  errors: ErrorSummaryErrors;
  title?: ReactNode;
  /** Extra text under the heading. */
  description?: ReactNode;
}

export function normaliseErrors(errors: ErrorSummaryErrors): ErrorSummaryItem[] {
  if (!errors) return [];
  if (Array.isArray(errors)) return [...(errors as readonly ErrorSummaryItem[])];
  const items: ErrorSummaryItem[] = [];
  for (const [id, messages] of Object.entries(errors as Readonly<Record<string, ErrorMessages>>)) {
    for (const message of errorList(messages)) items.push({ id, message });
  }
  return items;
}

/** With JavaScript: move focus to the field and show its label/legend, not just scroll to it. */
function focusTarget(event: MouseEvent<HTMLAnchorElement>, id: string) {
  const target = document.getElementById(id);
  if (!target) return;
  event.preventDefault();
  const legend = target.closest("fieldset")?.querySelector("legend");
  const label = document.querySelector(`label[for="${CSS.escape(id)}"]`);
  (legend ?? label ?? target).scrollIntoView({ block: "start" });
  target.focus({ preventScroll: true });
  if (window.history?.replaceState) window.history.replaceState(null, "", `#${id}`);
}

/**
 * Error summary at the top of a form: role="alert", focusable (tabIndex -1) and focused on mount
 * when JavaScript runs, with one link per error to `#fieldId`. Renders nothing without errors.
 */
export function ErrorSummary({ errors, title = "入力内容を確認してください", description }: ErrorSummaryProps) {
  const items = normaliseErrors(errors);
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const key = items.map((i) => i.id).join("|");
  useEffect(() => {
    if (key) ref.current?.focus();
  }, [key]);
  if (items.length === 0) return null;
  return (
    <div ref={ref} className="error-summary" role="alert" tabIndex={-1} aria-labelledby={titleId}>
      <h2 id={titleId} className="error-summary__title">
        {title}
      </h2>
      {description && <div className="error-summary__description">{description}</div>}
      <ul className="error-summary__list">
        {items.map((item, index) => (
          <li key={`${item.id}-${index}`}>
            {item.id ? (
              <a href={`#${item.id}`} onClick={(e) => focusTarget(e, item.id)}>
                {item.message}
              </a>
            ) : (
              item.message
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
