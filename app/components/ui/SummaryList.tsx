import type { ReactNode } from "react";
import { cx } from "./cx";

export interface SummaryRow {
  /** Question, e.g. 「電話番号」. */
  key: string;
  value: ReactNode;
  /** Link back to the step where the answer is changed. No link when omitted. */
  changeHref?: string;
  /** Visible link text; default 「変更する」. The key is always added for screen readers. */
  changeLabel?: string;
}

export interface SummaryListProps {
  rows: readonly SummaryRow[];
  className?: string;
}

/** "Check your answers" list. Change links read as 「変更する（電話番号）」. */
export function SummaryList({ rows, className }: SummaryListProps) {
  const hasActions = rows.some((r) => r.changeHref);
  return (
    <dl className={cx("summary-list", className)}>
      {rows.map((row) => (
        <div className="summary-list__row" key={row.key}>
          <dt className="summary-list__key">{row.key}</dt>
          <dd className="summary-list__value">
            {row.value === "" || row.value == null ? <span className="summary-list__empty">未入力</span> : row.value}
          </dd>
          {hasActions && (
            <dd className="summary-list__actions">
              {row.changeHref && (
                <a href={row.changeHref} className="summary-list__change">
                  {row.changeLabel ?? "変更する"}
                  <span className="visually-hidden">（{row.key}）</span>
                </a>
              )}
            </dd>
          )}
        </div>
      ))}
    </dl>
  );
}
