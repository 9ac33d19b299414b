import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { Button, ErrorSummary, Field, Label, Notice, PageHeading } from "~/components/ui";
import { EXCEPTION_LABELS } from "~/domain/carrier-orders";
import { REASON_LABELS, type ReasonCode } from "~/domain/carrier-results";
import { CARRIER_NAMES, SCOPE_LABELS, isCarrierCode } from "~/domain/carriers";
import { STATUS_LABELS, isStatus } from "~/domain/application-state";
import { formatReference } from "~/domain/reference-number";
import { requireOperator } from "~/lib/auth.server";
import { listExceptions, resolveException } from "~/lib/carrier-exceptions.server";
import { listCarriers } from "~/lib/carrier-registry.server";
import { readForm } from "~/lib/csrf.server";
import { formatJstDateTime } from "~/lib/format";

export const meta: MetaFunction = () => [{ title: "電話会社への送付の例外｜受付センター 業務システム" }];

const ROLES = ["operator", "supervisor", "admin"] as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const operator = await requireOperator(request, context, ROLES);
  const showResolved = new URL(request.url).searchParams.get("show") === "resolved";
  const items = await listExceptions(context.services, { open: !showResolved });
  const carriers = (await listCarriers(context.services)).filter((c) => c.active).map((c) => ({ code: c.code, nameJa: c.nameJa }));
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "carrier_exception.list",
    subjectType: "carrier_exception",
    ip: context.clientIp,
    detail: { ids: items.map((i) => i.id) },
  });
  return json({ items, carriers, showResolved });
}

type ActionData = { ok: true; message: string } | { ok: false; id: string; errors: Record<string, string[]> };

export async function action({ request, context }: ActionFunctionArgs) {
  const operator = await requireOperator(request, context, ROLES);
  const form = await readForm(request, context);
  const id = String(form.get("id") ?? "");
  const intent = String(form.get("intent") ?? "");
  const note = String(form.get("note") ?? "");
  const carrierCode = String(form.get("carrierCode") ?? "");
  if (!/^[0-9a-f-]{36}$/.test(id) || !["close", "retry", "resend"].includes(intent)) {
    return json<ActionData>({ ok: false, id, errors: { form: ["操作をえらんでください。"] } }, { status: 400 });
  }
  const result = await resolveException(
    context.services,
    intent === "resend"
      ? { id, operatorId: operator.id, action: "resend", carrierCode, note, ip: context.clientIp }
      : { id, operatorId: operator.id, action: intent as "close" | "retry", note, ip: context.clientIp },
  );
  if (!result.ok) {
    const key = result.field === "form" ? "form" : `${result.field}-${id}`;
    return json<ActionData>({ ok: false, id, errors: { [key]: [result.message] } }, { status: 400 });
  }
  // Audited by resolveException, in the transaction of the resolution.
  const message = intent === "resend" ? "電話会社に送り直します。次のバッチに入ります。" : intent === "retry" ? "もう一度、送り先を決めます。" : "対応済みにしました。";
  return json<ActionData>({ ok: true, message });
}

export default function ExceptionsRoute() {
  const { items, carriers, showResolved } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>() as ActionData | undefined;
  const errors = data && !data.ok ? data.errors : null;
  return (
    <>
      <ErrorSummary errors={errors} />
      <PageHeading caption={<a href="/ops/carriers">電話会社の設定</a>}>電話会社への送付の例外</PageHeading>
      {data?.ok && <Notice variant="success" role="status" title={data.message} />}
      <p>
        電話会社が手続きできなかった、送り先を決められないなど、係の対応が必要なお申し込みです。{" "}
        {showResolved ? <a href="/ops/carriers/exceptions">対応が必要なものを見る</a> : <a href="/ops/carriers/exceptions?show=resolved">対応済みのものを見る</a>}
      </p>
      {items.length === 0 ? (
        <p>{showResolved ? "対応済みの例外はありません。" : "対応が必要な例外はありません。"}</p>
      ) : (
        items.map((item) => (
          <section key={item.id} className="panel" aria-labelledby={`exception-${item.id}`}>
            <h2 id={`exception-${item.id}`} className="panel__title">
              {EXCEPTION_LABELS[item.kind] ?? item.kind}
            </h2>
            <div className="panel__body">
              <dl className="details-grid">
                <dt>受付番号</dt>
                <dd className="digits">{item.reference ? formatReference(item.reference) : "—"}</dd>
                <dt>お申し込みの状態</dt>
                <dd>{item.applicationStatus && isStatus(item.applicationStatus) ? STATUS_LABELS[item.applicationStatus].label : "—"}</dd>
                <dt>電話会社</dt>
                <dd>{item.carrierCode && isCarrierCode(item.carrierCode) ? CARRIER_NAMES[item.carrierCode] : (item.carrierCode ?? "—")}</dd>
                <dt>理由</dt>
                <dd>{item.reasonCode ? (REASON_LABELS[item.reasonCode as ReasonCode] ?? item.reasonCode) : "—"}</dd>
                <dt>休止の種類</dt>
                <dd>{item.scopes.map((s) => SCOPE_LABELS[s]).join("、") || "—"}</dd>
                <dt>発生</dt>
                <dd>{formatJstDateTime(item.createdAt)}</dd>
                {item.resolvedAt && (
                  <>
                    <dt>対応</dt>
                    <dd>
                      {formatJstDateTime(item.resolvedAt)}（{item.resolution}）{item.resolutionNote ? `：${item.resolutionNote}` : ""}
                    </dd>
                  </>
                )}
              </dl>
              {!item.resolvedAt && (
                <Form method="post" noValidate>
                  <CsrfField />
                  <input type="hidden" name="id" value={item.id} />
                  <Field name="note" id={`note-${item.id}`} label="対応のメモ" required={false} support="対応済みにするときは必須です。個人情報は書かないでください。" error={errors?.[`note-${item.id}`]} />
                  {item.applicationId && item.kind !== "not_routable" && !item.kind.startsWith("resume") && (
                    <div className="field">
                      <Label htmlFor={`carrierCode-${item.id}`} required={false}>
                        送り直す電話会社
                      </Label>
                      <select id={`carrierCode-${item.id}`} name="carrierCode" className="input input--w20" defaultValue="">
                        <option value="">えらんでください</option>
                        {carriers.map((c) => (
                          <option key={c.code} value={c.code}>
                            {c.nameJa}
                          </option>
                        ))}
                      </select>
                      {errors?.[`carrierCode-${item.id}`] && <p className="error-text">{errors[`carrierCode-${item.id}`]!.join(" ")}</p>}
                    </div>
                  )}
                  <div className="button-group">
                    {item.applicationId && item.kind !== "not_routable" && !item.kind.startsWith("resume") && (
                      <Button name="intent" value="resend">
                        えらんだ電話会社に送り直す
                      </Button>
                    )}
                    {item.kind === "not_routable" && (
                      <Button name="intent" value="retry">
                        もう一度、送り先を決める
                      </Button>
                    )}
                    <Button variant="secondary" name="intent" value="close">
                      対応済みにする
                    </Button>
                  </div>
                </Form>
              )}
            </div>
          </section>
        ))
      )}
    </>
  );
}
