import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { useStepForm } from "~/components/apply/useStepForm";
import { CsrfField } from "~/components/CsrfField";
import { Button, ErrorSummary, Field, Notice, PageHeading } from "~/components/ui";
import { objectionSchema } from "~/domain/cancel-forms";
import { formatDisplay } from "~/domain/phone";
import { parseReference, speakableGroups } from "~/domain/reference-number";
import { objectToCancellation } from "~/lib/cancellations.server";
import { readForm } from "~/lib/csrf.server";
import { flashCookie, readFlashCookie } from "~/lib/flash-cookie.server";

const COOKIE = "objection_flash";

type Flash = { kind: "error"; result: Record<string, unknown> } | { kind: "done"; reference: string };

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.flash?.kind === "error" ? "エラー：" : ""}国際電話の休止の解除に反対する｜国際電話不取扱受付センター` },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { value, clear } = readFlashCookie<Flash>(request, context, COOKIE);
  return json(
    { flash: value, centrePhone: formatDisplay(context.services.config.centrePhoneNumber) },
    value ? { headers: { "Set-Cookie": clear } } : undefined,
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  const { services } = context;
  const back = (flash: Flash) => redirect("/cancel/object", { status: 303, headers: { "Set-Cookie": flashCookie(context, COOKIE, flash) } });
  const submission = parseWithZod(form, { schema: objectionSchema });
  if (submission.status !== "success") return back({ kind: "error", result: submission.reply() });
  const reference = parseReference(submission.value.reference);
  if (!reference.ok) return back({ kind: "error", result: submission.reply({ fieldErrors: { reference: [reference.message] } }) });

  const result = await objectToCancellation(services, {
    reference: reference.reference,
    code: submission.value.code,
    by: "original_applicant",
    actor: "applicant",
    ip: context.clientIp,
  });
  if (!result.ok) {
    // Failed tries are counted and audited by objectToCancellation (rate-limit table, same transaction).
    const field = result.reason === "not_found" ? { fieldErrors: { code: [result.message] } } : { formErrors: [result.message] };
    return back({ kind: "error", result: submission.reply(field) });
  }
  return back({ kind: "done", reference: result.reference });
}

export default function ObjectPage() {
  const { flash, centrePhone } = useLoaderData<typeof loader>();
  const [form, fields] = useStepForm(objectionSchema, flash?.kind === "error" ? flash.result : null);
  const formErrors = (flash?.kind === "error" ? ((flash.result.error as Record<string, string[]> | undefined)?.[""] ?? []) : []) as string[];
  if (flash?.kind === "done") {
    return (
      <>
        <div className="panel panel--success">
          <PageHeading>反対のお申し出を受け付けました</PageHeading>
          <p className="panel__title">受付番号 {speakableGroups(flash.reference).join("-")}</p>
        </div>
        <p>国際電話を元に戻す手続きは、止めています。センターの係の者が、みなさまのお話をうかがってから決めます。</p>
        <p>
          お急ぎのときは、センター <span className="digits nowrap">{centrePhone}</span> にお電話ください。
        </p>
        <p>
          <Link to="/">トップページへ</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <ErrorSummary errors={{ reference: fields.reference.errors, code: fields.code.errors, "": formErrors }} />
      <PageHeading>国際電話の休止の解除に反対する</PageHeading>
      <p>
        センターから「国際電話の休止を解除するお申し出がありました」というお知らせ（SMS・電話・お手紙）を受け取った方で、解除に反対の方は、お知らせに書いてある受付番号と確認コードを入力してください。
      </p>
      <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate>
        <CsrfField />
        <Field
          name="reference"
          label="受付番号（11けた）"
          required
          support="お知らせに書いてある番号です。例：1234-5678-906"
          inputMode="numeric"
          width={13}
          defaultValue={String(fields.reference.initialValue ?? "")}
          error={fields.reference.errors}
        />
        <Field
          name="code"
          label="確認コード（8けた）"
          required
          support="お知らせに書いてある8けたの数字です。"
          inputMode="numeric"
          autoComplete="one-time-code"
          width={10}
          defaultValue={String(fields.code.initialValue ?? "")}
          error={fields.code.errors}
        />
        <Button>解除に反対する</Button>
      </Form>
      <Notice title="お電話でも受け付けています">
        センター <span className="digits nowrap">{centrePhone}</span> にお電話いただき、係の者に受付番号と確認コードをお伝えください。
      </Notice>
    </>
  );
}
