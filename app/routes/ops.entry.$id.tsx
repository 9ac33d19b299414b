import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { typedDigitsOrNull } from "~/domain/typed-text";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { Button, ErrorSummary, Field, Notice, PageHeading, SummaryList } from "~/components/ui";
import { requireAccess } from "~/lib/auth.server";
import { readForm } from "~/lib/csrf.server";
import { checkEntryCode, entryView, resendEntryCall } from "~/lib/entry.server";
import { requireUuid } from "~/lib/ids";

export const meta: MetaFunction = () => [{ title: "確認の電話｜受付センター 業務システム" }];

const STATE_TEXT: Record<string, string> = {
  awaiting_consent: "確認の電話をかけています。契約者ご本人が「1」を押して同意すると、4けたの番号が読み上げられます。",
  code_sent: "確認の電話で、4けたの番号を読み上げています。",
  verified: "回線の確認ができました。",
  expired: "確認の番号の有効期限（10分）が過ぎました。「もう一度電話をかける」を押してください。",
  locked: "番号を5回まちがえたため、この確認は使えません。「もう一度電話をかける」を押してください。",
  consent_refused: "契約者ご本人が「同意しない」を選びました。このお申し込みは、このままでは確認できません。",
};

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const operator = await requireAccess(request, context, "entry");
  const view = await entryView(context.services, requireUuid(params.id));
  if (!view || view.channel !== "operator") throw new Response("Not Found", { status: 404 });
  await context.services.audit.record({ actor: `operator:${operator.id}`, action: "application.view", subjectType: "application", subjectId: view.applicationId, ip: context.clientIp, detail: { fields: ["reference", "status"] } });
  return json({ view });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const operator = await requireAccess(request, context, "entry", "act");
  const id = requireUuid(params.id);
  const form = await readForm(request, context);
  const intent = String(form.get("intent") ?? "");
  if (intent === "resend") {
    const result = await resendEntryCall(context.services, { applicationId: id, operatorId: operator.id, ip: context.clientIp });
    if (!result.ok) return json({ errors: { "": [result.message] }, notice: null }, { status: 429 });
    return json({ errors: null, notice: "もう一度、確認の電話をかけました。前の番号は使えなくなりました。" });
  }
  if (intent !== "check") return json({ errors: { "": ["操作を選び直してください。"] }, notice: null }, { status: 400 });
  const code = typedDigitsOrNull(String(form.get("code") ?? "")) ?? "";
  if (!/^\d{4}$/.test(code)) return json({ errors: { code: ["電話で読み上げた4けたの番号を入力してください。"] }, notice: null }, { status: 400 });
  const result = await checkEntryCode(context.services, { applicationId: id, operatorId: operator.id, code, ip: context.clientIp });
  if (!result.ok) return json({ errors: { code: [result.message] }, notice: null }, { status: 400 });
  return redirect(`/ops/entry/${id}`);
}

export default function EntryVerifyRoute() {
  const { view } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const verified = view.status !== "needs_review" && view.status !== "received";
  return (
    <>
      {data?.errors && <ErrorSummary errors={data.errors} />}
      <PageHeading caption="電話でのお申し込み">{verified ? "お申し込みを受け付けました" : "確認の電話"}</PageHeading>
      {data?.notice && (
        <Notice variant="info" role="status">
          {data.notice}
        </Notice>
      )}
      {view.regionFlags.length > 0 && (
        <Notice variant="warning" title="住所と電話番号を確かめてください">
          <ul>
            {view.regionFlags.map((text) => (
              <li key={text}>{text}</li>
            ))}
          </ul>
        </Notice>
      )}
      <SummaryList
        rows={[
          { key: "受付番号", value: <span className="digits">{view.reference}</span> },
          { key: "電話番号", value: <span className="digits">{view.number}</span> },
          { key: "状態", value: view.statusLabel },
        ]}
      />
      {verified ? (
        <Notice variant="success" title="回線の確認ができました">
          <p>お電話の方に、受付番号をお伝えください。手続きが終わると、お知らせが届きます。</p>
        </Notice>
      ) : (
        <>
          <p>{view.verification ? STATE_TEXT[view.verification.state] : "確認の電話はまだかけていません。"}</p>
          <p>
            お電話の方に、いまお申し込みの電話番号にセンターから電話がかかることを伝えてください。電話に出た方が聞いた4けたの番号を教えてもらい、入力します。
            {view.relation !== "self" && "ご本人以外のお申し込みなので、電話では先に契約者ご本人の同意（1を押す）をお聞きします。"}
          </p>
          <Form method="post" noValidate>
            <CsrfField />
            <Field name="code" label="確認の電話で読み上げた番号（4けた）" required inputMode="numeric" autoComplete="off" width={5} maxLength={4} error={data?.errors && "code" in data.errors ? data.errors.code : undefined} />
            <div className="button-row">
              <Button name="intent" value="check">
                確認する
              </Button>
              <Button name="intent" value="resend" variant="secondary">
                もう一度電話をかける
              </Button>
            </div>
          </Form>
        </>
      )}
      <p>
        <a href={`/ops/lines/${view.lineId}`}>この回線の記録を見る</a>　<a href="/ops/entry">次のお申し込みを入力する</a>
      </p>
    </>
  );
}
