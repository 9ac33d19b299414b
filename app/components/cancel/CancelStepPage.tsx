import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { ErrorSummary, PageHeading, type ErrorSummaryErrors } from "~/components/ui";
import { CANCEL_STEP_PATHS, cancelStepNumber, previousCancelStep, type CancelStep } from "~/domain/cancel-forms";

/** The frame of every question page of /cancel: back link, error summary, step caption, one heading. */
export function CancelStepPage({ step, title, errors, children }: { step: CancelStep; title: ReactNode; errors?: ErrorSummaryErrors; children: ReactNode }) {
  const previous = previousCancelStep(step);
  const { current, total } = cancelStepNumber(step);
  return (
    <>
      <p>
        <Link to={previous ? CANCEL_STEP_PATHS[previous] : "/cancel"} className="back-link">
          もどる
        </Link>
      </p>
      <ErrorSummary errors={errors} />
      <PageHeading caption={step === "check" ? "最後の確認" : `ステップ ${current}／${total}`}>{title}</PageHeading>
      {children}
    </>
  );
}

/** `<title>`: 「エラー：」 first when the page shows errors. */
export function cancelTitle(title: string, hasErrors: boolean): string {
  return `${hasErrors ? "エラー：" : ""}${title}｜国際電話の休止の解除・取り下げ`;
}
