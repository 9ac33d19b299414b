import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { useStepForm } from "~/components/apply/useStepForm";
import { CsrfField } from "~/components/CsrfField";
import { PortalLayout } from "~/components/PortalLayout";
import { Button, ErrorSummary, Field, Notice, PageHeading } from "~/components/ui";
import { statusSchema } from "~/domain/apply-forms";
import { STATUS_LABELS, type ApplicationStatus } from "~/domain/application-state";
import { SCOPE_LABELS } from "~/domain/carriers";
import { parseReference, speakableGroups } from "~/domain/reference-number";
import { lookupStatus } from "~/lib/status-lookup.server";
import { readForm } from "~/lib/csrf.server";
import { flashCookie, readFlashCookie } from "~/lib/flash-cookie.server";
import { formatJstDate } from "~/lib/format";
import { CentreContactBlock } from "~/components/CentreContactBlock";
import { centreContact } from "~/lib/centre-contact";
import { directReminderText } from "~/lib/direct-reminder.server";

const COOKIE = "status_flash";

type Flash =
  | { kind: "error"; result: Record<string, unknown> }
  | {
      kind: "found";
      reference: string;
      status: ApplicationStatus;
      scopes: string[];
      timeline: { at: string; toStatus: string }[];
      /** Issue 15, point 4: what the centre did not send to the carrier, and the carrier's number. */
      reminder?: { title: string; sentences: string[] } | null;
    };

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.flash?.kind === "error" ? "エラー：" : ""}お申し込みの状況｜国際電話不取扱受付センター` },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { value, clear } = readFlashCookie<Flash>(request, context, COOKIE);
  return json({ flash: value, centre: centreContact(context.services.config) }, value ? { headers: { "Set-Cookie": clear } } : undefined);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  const { services } = context;
  const back = (flash: Flash) => redirect("/status", { status: 303, headers: { "Set-Cookie": flashCookie(context, COOKIE, flash) } });

  const submission = parseWithZod(form, { schema: statusSchema });
  if (submission.status !== "success") return back({ kind: "error", result: submission.reply() });
  const reference = parseReference(submission.value.reference);
  if (!reference.ok) return back({ kind: "error", result: submission.reply({ fieldErrors: { reference: [reference.message] } }) });

  // Limited per client, counted in the rate-limit table, audited in one transaction (lookupStatus).
  const found = await lookupStatus(services, { reference: reference.reference, lineE164: submission.value.number, clientIp: context.clientIp });
  if (found.kind === "limited") {
    return back({ kind: "error", result: submission.reply({ formErrors: ["確認に何度も失敗したため、しばらく確かめられません。1時間ほど待ってから、もう一度お試しください。"] }) });
  }
  if (found.kind === "not_found") {
    return back({
      kind: "error",
      result: submission.reply({ fieldErrors: { reference: ["受付番号と電話番号に合うお申し込みが見つかりません。控えの番号と、お申し込みをした電話番号を、もう一度お確かめください。"] } }),
    });
  }
  return back({
    kind: "found",
    reference: reference.reference,
    status: found.status,
    scopes: found.scopes,
    timeline: found.timeline.map((t) => ({ at: t.at, toStatus: t.toStatus! })),
    reminder: await directReminderText(services.db, found.applicationId),
  });
}

export default function StatusPage() {
  const { flash, centre } = useLoaderData<typeof loader>();
  const [form, fields] = useStepForm(statusSchema, flash?.kind === "error" ? flash.result : null);
  const formErrors = (flash?.kind === "error" ? ((flash.result.error as Record<string, string[]> | undefined)?.[""] ?? []) : []) as string[];
  return (
    <PortalLayout>
      <ErrorSummary errors={{ reference: fields.reference.errors, number: fields.number.errors, "": formErrors }} />
      <PageHeading>お申し込みの状況を確かめる</PageHeading>
      {flash?.kind === "found" && (
        <section aria-labelledby="result-heading" className="panel panel--report">
          <h2 id="result-heading">受付番号 {speakableGroups(flash.reference).join("-")} の状況</h2>
          <p className="panel__title">{STATUS_LABELS[flash.status].label}</p>
          <p>{STATUS_LABELS[flash.status].description}</p>
          <p>止める電話：{flash.scopes.map((s) => SCOPE_LABELS[s as keyof typeof SCOPE_LABELS] ?? s).join("、")}</p>
          {flash.reminder && (
            <Notice variant="warning" title={flash.reminder.title} headingLevel={3}>
              {flash.reminder.sentences.map((sentence) => (
                <p key={sentence}>{sentence}</p>
              ))}
            </Notice>
          )}
          <h3>これまでの流れ</h3>
          <ol>
            {flash.timeline.map((t) => (
              <li key={`${t.at}-${t.toStatus}`}>
                {formatJstDate(t.at)}　{STATUS_LABELS[t.toStatus as ApplicationStatus]?.label ?? t.toStatus}
              </li>
            ))}
          </ol>
        </section>
      )}
      <p>受付番号と、お申し込みをした電話番号を入力してください。</p>
      <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate>
        <CsrfField />
        <Field
          name="reference"
          label="受付番号（11けた）"
          required
          support="受付控えやお手紙に書いてある番号です。例：1234-5678-906"
          inputMode="numeric"
          width={13}
          defaultValue={String(fields.reference.initialValue ?? "")}
          error={fields.reference.errors}
        />
        <Field
          name="number"
          label="お申し込みをした電話番号"
          required
          support="市外局番から入力してください。例：03-1234-5678"
          type="tel"
          inputMode="tel"
          width={13}
          defaultValue={String(fields.number.initialValue ?? "")}
          error={fields.number.errors}
        />
        <Button>状況を確かめる</Button>
      </Form>
      <Notice title="電話でも確かめられます">
        お申し込みをした電話からセンター（<span className="digits nowrap">{centre.phone}</span>）にかけて、「2」を押してください（24時間）。
      </Notice>
      <CentreContactBlock centre={centre} />
      <p>
        <Link to="/">トップページへ戻る</Link>
      </p>
    </PortalLayout>
  );
}
