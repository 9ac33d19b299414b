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

const TITLE_PREFIX = "エラー：";

/**
 * Error summary at the top of a form: role="alert", focusable (tabIndex -1) and, when JavaScript
 * runs, focused when it appears with the page or after a refused submit, with one link per error to
 * `#fieldId`. Renders nothing without errors.
 * While it is shown, the document title starts with 「エラー：」 (the server's meta() does this for
 * errors it finds; this covers the errors the browser finds first).
 */
export function ErrorSummary({ errors, title = "入力内容を確認してください", description }: ErrorSummaryProps) {
  const items = normaliseErrors(errors);
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const shown = items.length > 0;
  // Focus moves to the summary when it is drawn with a page that already has errors (the server's
  // answer), and after each submit that is refused, whether the browser or the server refused it.
  // It does not move when a field is checked on blur or while the person types: jumping away from
  // the field they are in would lose their place.
  const focusNext = useRef(true);
  const mounted = useRef(false);
  useEffect(() => {
    const arm = (event: Event) => {
      focusNext.current = true;
      const form = event.target;
      window.setTimeout(() => {
        // Refused in the browser with the errors already on show, so the summary is not drawn anew:
        // the form library has put focus on the first wrong field; bring it to the summary instead.
        const active = document.activeElement;
        if (!focusNext.current || !ref.current || !(form instanceof HTMLFormElement) || !(active instanceof HTMLElement)) return;
        if (form.contains(active) && active.closest(".field--error")) {
          ref.current.focus();
          focusNext.current = false;
        }
      }, 0);
    };
    const disarm = (event: Event) => {
      if (event.isTrusted) focusNext.current = false;
    };
    window.addEventListener("submit", arm, true);
    window.addEventListener("input", disarm, true);
    return () => {
      window.removeEventListener("submit", arm, true);
      window.removeEventListener("input", disarm, true);
    };
  }, []);
  useEffect(() => {
    const first = !mounted.current;
    mounted.current = true;
    if (!focusNext.current) return;
    if (shown) {
      ref.current?.focus();
      focusNext.current = false;
    } else if (first) {
      focusNext.current = false;
    }
  });
  useEffect(() => {
    // Errors found in the browser (before anything is sent) do not go through the route's meta():
    // put 「エラー：」 in front of the <title> here too, and take it away when the errors are gone.
    if (!shown || document.title.startsWith(TITLE_PREFIX)) return;
    const original = document.title;
    const prefixed = `${TITLE_PREFIX}${original}`;
    document.title = prefixed;
    return () => {
      if (document.title === prefixed) document.title = original;
    };
  }, [shown]);
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
