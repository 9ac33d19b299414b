import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { ErrorSummary, PageHeading } from "~/components/ui";
import type { ErrorSummaryErrors } from "~/components/ui";
import { previousStep, STEP_PATHS, stepNumber, type ApplyStep } from "~/domain/apply-journey";

/** The frame of every question page: back link, error summary, step caption, one heading. */
export function StepPage({
  step,
  title,
  errors,
  children,
  headingId,
}: {
  step: ApplyStep;
  title: ReactNode;
  errors?: ErrorSummaryErrors;
  children: ReactNode;
  headingId?: string;
}) {
  const previous = previousStep(step);
  const { current, total } = stepNumber(step);
  return (
    <>
      <p>
        <Link to={previous ? STEP_PATHS[previous] : "/apply"} className="back-link">
          もどる
        </Link>
      </p>
      <ErrorSummary errors={errors} />
      <PageHeading caption={step === "check" ? "最後の確認" : `ステップ ${current}／${total}`} id={headingId}>
        {title}
      </PageHeading>
      {children}
    </>
  );
}

/** `<title>`: 「エラー：」 first when the page shows errors (DADS / GOV.UK pattern). */
export function stepTitle(title: string, hasErrors: boolean): string {
  return `${hasErrors ? "エラー：" : ""}${title}｜国際電話の休止のお申し込み`;
}

export function hasErrors(lastResult: unknown): boolean {
  const result = lastResult as { error?: Record<string, unknown> | null } | null | undefined;
  return Boolean(result?.error && Object.values(result.error).some((v) => Array.isArray(v) && v.length > 0));
}
