import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { CsrfField } from "~/components/CsrfField";
import { Button, Checkbox, CheckboxGroup, ErrorSummary, Field, Notice, PageHeading, RadioGroup } from "~/components/ui";
import { BATCH_STATUS_LABELS, type BatchStatus } from "~/domain/carrier-batch";
import { BATCH_SCHEDULES, BATCH_SCHEDULE_LABELS } from "~/domain/carrier-schedules";
import { FILE_FORMATS, FILE_FORMAT_LABELS } from "~/domain/carrier-files";
import { SCOPE_LABELS } from "~/domain/carriers";
import { PREFECTURES } from "~/domain/regions";
import { auditedChange } from "~/lib/audit.server";
import { requireOperator } from "~/lib/auth.server";
import { createApiKey, createCarrierUser, revokeApiKey, setCarrierUserDisabled } from "~/lib/carrier-auth.server";
import { carrierSettingsSchema, getCarrierDetail, requestBatchCut, rotatePushSecret, settingsFromForm, updateCarrierSettings } from "~/lib/carrier-registry.server";
import { publicKeyInfo } from "~/lib/carrier-signing.server";
import { substitutedRecordsOf } from "~/lib/carrier-batches.server";
import { readForm } from "~/lib/csrf.server";
import { jaInput } from "~/locales/ja-input";
import { formatJstDateTime } from "~/lib/format";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.detail.carrier.nameJa ?? "電話会社"}の設定｜受付センター 業務システム` }];

const CARRIER_CODE = /^[a-z0-9-]{2,40}$/;

/** API keys and push secrets are shown once: never let a cache keep this page. */
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const operator = await requireOperator(request, context, ["admin"]);
  const code = params.code ?? "";
  const detail = CARRIER_CODE.test(code) ? await getCarrierDetail(context.services, code) : null;
  if (!detail) throw new Response("Not Found", { status: 404 });
  await context.services.audit.record({ actor: `operator:${operator.id}`, action: "carrier.view", subjectType: "carrier", subjectId: code, ip: context.clientIp });
  // Records that went out with 〓 in a Shift_JIS file (issue 17, point 4): named, so the carrier can be told the real characters.
  const substituted = await substitutedRecordsOf(context.services, detail.batches.map((b) => b.id));
  const substitutions = detail.batches
    .filter((b) => substituted.has(b.id))
    .map((b) => ({
      batchId: b.id,
      sequence: b.sequence,
      lines: substituted.get(b.id)!.flatMap((r) => r.fields.map((f) => jaInput.carrierFile.substitutedRow(r.seq, jaInput.carrierFile.fields[f.field] ?? f.field, f.characters.join("")))),
    }));
  return json({ detail, publicKey: publicKeyInfo(context.services.config), substitutions });
}

const keySchema = z.object({ label: z.string({ required_error: "キーの名前を入力してください。" }).trim().min(1, "キーの名前を入力してください。").max(100, "名前は100文字までにしてください。") });
const userSchema = z.object({
  username: z
    .string({ required_error: "ユーザー名を入力してください。" })
    .trim()
    .regex(/^[a-z0-9._-]{3,64}$/, "ユーザー名は、半角の英小文字・数字・「.」「_」「-」で、3〜64文字にしてください。"),
  displayName: z.string({ required_error: "表示名を入力してください。" }).trim().min(1, "表示名を入力してください。").max(100, "表示名は100文字までにしてください。"),
  password: z.string({ required_error: "最初のパスワードを入力してください。" }).min(12, "パスワードは12文字以上にしてください。").max(200, "パスワードは200文字までにしてください。"),
});
const UUID = /^[0-9a-f-]{36}$/;

type ActionData =
  | { intent: "settings"; ok: false; errors: Record<string, string[] | undefined>; values: Record<string, unknown> }
  | { intent: "settings"; ok: true; changed: string[] }
  | { intent: "create-key"; ok: true; key: string; label: string }
  | { intent: "create-key"; ok: false; errors: Record<string, string[] | undefined> }
  | { intent: "create-user"; ok: true; username: string }
  | { intent: "create-user"; ok: false; errors: Record<string, string[] | undefined>; values: { username: string; displayName: string } }
  | { intent: "rotate-push-secret"; ok: true; secret: string }
  | { intent: "done"; ok: true; message: string };

const noStore = { headers: { "Cache-Control": "no-store" } };

export async function action({ request, context, params }: ActionFunctionArgs) {
  const operator = await requireOperator(request, context, ["admin"]);
  const code = params.code ?? "";
  if (!CARRIER_CODE.test(code) || !(await getCarrierDetail(context.services, code))) throw new Response("Not Found", { status: 404 });
  const form = await readForm(request, context);
  const { services } = context;
  const actor = `operator:${operator.id}`;
  // Each change and its audit row commit together (auditedChange, issue 12).
  const entry = (action: string, detail: Record<string, unknown> = {}) => ({ actor, action, subjectType: "carrier", subjectId: code, ip: context.clientIp, detail });
  const intent = String(form.get("intent") ?? "");

  switch (intent) {
    case "settings": {
      const raw = settingsFromForm(form);
      const parsed = carrierSettingsSchema.safeParse(raw);
      if (!parsed.success) {
        return json<ActionData>({ intent, ok: false, errors: parsed.error.flatten().fieldErrors, values: raw }, { status: 400 });
      }
      const changed = await auditedChange(services, (s) => updateCarrierSettings(s, code, parsed.data), (list) => entry("carrier.update", { changed: list }));
      return json<ActionData>({ intent, ok: true, changed });
    }
    case "create-key": {
      const parsed = keySchema.safeParse({ label: form.get("label") ?? undefined });
      if (!parsed.success) return json<ActionData>({ intent, ok: false, errors: parsed.error.flatten().fieldErrors }, { status: 400 });
      const created = await auditedChange(
        services,
        (s) => createApiKey(s, { carrierCode: code, label: parsed.data.label, createdBy: operator.id }),
        (key) => entry("carrier.api_key.create", { keyId: key.id, keyPrefix: key.keyPrefix }),
      );
      return json<ActionData>({ intent, ok: true, key: created.key, label: parsed.data.label }, noStore);
    }
    case "revoke-key": {
      const keyId = String(form.get("keyId") ?? "");
      if (UUID.test(keyId)) {
        await auditedChange(services, (s) => revokeApiKey(s, { carrierCode: code, keyId, revokedBy: operator.id }), (revoked) => (revoked ? entry("carrier.api_key.revoke", { keyId }) : null));
      }
      return json<ActionData>({ intent: "done", ok: true, message: "API キーを無効にしました。" });
    }
    case "rotate-push-secret": {
      const secret = await auditedChange(services, (s) => rotatePushSecret(s, code), () => entry("carrier.push_secret.rotate"));
      return json<ActionData>({ intent, ok: true, secret }, noStore);
    }
    case "create-user": {
      const values = { username: String(form.get("username") ?? ""), displayName: String(form.get("displayName") ?? "") };
      const parsed = userSchema.safeParse({ ...values, password: form.get("password") ?? undefined });
      if (!parsed.success) return json<ActionData>({ intent, ok: false, errors: parsed.error.flatten().fieldErrors, values }, { status: 400 });
      const created = await auditedChange(
        services,
        (s) => createCarrierUser(s, { carrierCode: code, ...parsed.data, createdBy: operator.id }),
        (made) => (made.ok ? entry("carrier.user.create", { userId: made.id }) : null),
      );
      if (!created.ok) {
        return json<ActionData>({ intent, ok: false, errors: { username: ["このユーザー名は、すでに使われています。別の名前にしてください。"] }, values }, { status: 400 });
      }
      return json<ActionData>({ intent, ok: true, username: parsed.data.username });
    }
    case "disable-user":
    case "enable-user": {
      const userId = String(form.get("userId") ?? "");
      const disabled = intent === "disable-user";
      if (UUID.test(userId)) {
        await auditedChange(
          services,
          (s) => setCarrierUserDisabled(s, { carrierCode: code, userId, disabled }),
          (done) => (done ? entry(disabled ? "carrier.user.disable" : "carrier.user.enable", { userId }) : null),
        );
      }
      return json<ActionData>({ intent: "done", ok: true, message: disabled ? "利用者を停止しました。" : "利用者を使えるようにしました。" });
    }
    case "cut-now": {
      await requestBatchCut(services, { carrierCode: code, operatorId: operator.id, ip: context.clientIp });
      return json<ActionData>({ intent: "done", ok: true, message: "バッチの作成を受け付けました。しばらくしてから、この画面を開き直してください。" });
    }
    default:
      return json<ActionData>({ intent: "done", ok: true, message: "" }, { status: 400 });
  }
}

function IntentField({ value }: { value: string }) {
  return <input type="hidden" name="intent" value={value} />;
}

export default function CarrierRoute() {
  const { detail, publicKey, substitutions } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>() as ActionData | undefined;
  const { carrier, capabilities } = detail;
  const settingsErrors = data?.intent === "settings" && !data.ok ? data.errors : null;
  const values = data?.intent === "settings" && !data.ok ? data.values : null;
  const str = (name: string, fallback: string | null | number) => (values && typeof values[name] === "string" ? (values[name] as string) : fallback === null ? "" : String(fallback));
  const outgoing = capabilities.find((c) => c.scope === "outgoing")!;
  const incoming = capabilities.find((c) => c.scope === "incoming")!;
  const keyErrors = data?.intent === "create-key" && !data.ok ? data.errors : null;
  const userErrors = data?.intent === "create-user" && !data.ok ? data.errors : null;

  return (
    <>
      <ErrorSummary errors={settingsErrors ?? keyErrors ?? userErrors} />
      <PageHeading caption={<a href="/ops/carriers">電話会社の設定</a>}>{carrier.nameJa}</PageHeading>
      {data?.intent === "settings" && data.ok && (
        <Notice variant="success" role="status" title="設定を保存しました">
          {data.changed.length === 0 ? <p>変わった項目はありません。</p> : <p>変更した項目：{data.changed.join("、")}</p>}
        </Notice>
      )}
      {data?.intent === "done" && data.message && <Notice variant="success" role="status" title={data.message} />}
      {data?.intent === "create-key" && data.ok && (
        <Notice variant="warning" role="status" title="API キーを作りました。この画面でしか表示されません。">
          <p>「{data.label}」のキーです。いま写して、電話会社に安全な方法で渡してください。</p>
          <p>
            <code className="digits">{data.key}</code>
          </p>
        </Notice>
      )}
      {data?.intent === "rotate-push-secret" && (
        <Notice variant="warning" role="status" title="プッシュ用の秘密鍵を新しくしました。この画面でしか表示されません。">
          <p>電話会社に安全な方法で渡してください。前の秘密鍵は、もう使えません。</p>
          <p>
            <code>{data.secret}</code>
          </p>
        </Notice>
      )}
      {data?.intent === "create-user" && data.ok && <Notice variant="success" role="status" title={`利用者「${data.username}」を作りました。`} />}

      <h2>バッチ</h2>
      <p>
        バッチ待ちの指示は <span className="digits">{detail.pending}</span> 件です。
      </p>
      <Form method="post">
        <CsrfField />
        <IntentField value="cut-now" />
        <Button variant="secondary">いますぐバッチを作る</Button>
      </Form>
      {detail.batches.length === 0 ? (
        <p>まだバッチはありません。</p>
      ) : (
        <div className="table-wrapper">
          <table className="table table--compact">
            <caption className="visually-hidden">最近のバッチ（新しい順に20件）</caption>
            <thead>
              <tr>
                <th scope="col">番号</th>
                <th scope="col" className="numeric">件数</th>
                <th scope="col">状態</th>
                <th scope="col">作成</th>
                <th scope="col">送信・取得</th>
                <th scope="col">受領確認</th>
                <th scope="col">結果</th>
                {carrier.deliveryMode === "push" && <th scope="col">プッシュ</th>}
              </tr>
            </thead>
            <tbody>
              {detail.batches.map((b) => (
                <tr key={b.id}>
                  <th scope="row" className="digits">
                    {`第${b.sequence}号`}
                  </th>
                  <td className="numeric digits">{b.recordCount}</td>
                  <td>{BATCH_STATUS_LABELS[b.status as BatchStatus] ?? b.status}</td>
                  <td className="nowrap">{formatJstDateTime(b.cutAt)}</td>
                  <td className="nowrap">{b.sentAt ? formatJstDateTime(b.sentAt) : "—"}</td>
                  <td className="nowrap">{b.ackedAt ? formatJstDateTime(b.ackedAt) : "—"}</td>
                  <td className="nowrap">{b.answeredAt ? `すべて（${formatJstDateTime(b.answeredAt)}）` : b.resultsAt ? "一部" : "—"}</td>
                  {carrier.deliveryMode === "push" && (
                    <td>
                      {b.pushAttempts === 0
                        ? "—"
                        : `${b.pushAttempts}回目：${b.lastPushOutcome === "delivered" ? "届きました" : `失敗（${b.lastPushOutcome}${b.lastPushStatus ? ` ${b.lastPushStatus}` : ""}）`}`}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {substitutions.length > 0 && (
        <Notice variant="warning" title={jaInput.carrierFile.substitutedTitle}>
          <p>{jaInput.carrierFile.substitutedHelp}</p>
          {substitutions.map((s) => (
            <div key={s.batchId}>
              <p>{`第${s.sequence}号`}</p>
              <ul>
                {s.lines.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </div>
          ))}
        </Notice>
      )}

      <h2>設定</h2>
      <Form method="post" noValidate>
        <CsrfField />
        <IntentField value="settings" />
        <p>
          電話会社コード：<code>{carrier.code}</code>（変更できません）
        </p>
        <Field name="nameJa" label="電話会社の名前" required defaultValue={str("nameJa", carrier.nameJa)} error={settingsErrors?.nameJa} />
        <Field name="nameEn" label="英語の名前" required={false} defaultValue={str("nameEn", carrier.nameEn)} error={settingsErrors?.nameEn} />
        <CheckboxGroup
          name="regions"
          legend="担当する都道府県"
          required={false}
          support="何もえらばないときは、全国を担当します。"
          options={PREFECTURES.map((p) => ({ value: String(p.code), label: p.name }))}
          defaultValues={(values && Array.isArray(values.regions) ? (values.regions as string[]) : carrier.regions.map(String))}
          error={settingsErrors?.regions}
        />
        <h3>センター経由で受け付ける休止</h3>
        <Checkbox name="acceptIncoming" label={`${SCOPE_LABELS.incoming}を受け付ける`} defaultChecked={values ? values.acceptIncoming === true : incoming.accepted} />
        <Field name="noteIncoming" label={`${SCOPE_LABELS.incoming}の説明（受け付けないときの案内）`} required={false} defaultValue={str("noteIncoming", incoming.note)} error={settingsErrors?.noteIncoming} />
        <Checkbox name="acceptOutgoing" label={`${SCOPE_LABELS.outgoing}を受け付ける`} defaultChecked={values ? values.acceptOutgoing === true : outgoing.accepted} />
        <Field name="noteOutgoing" label={`${SCOPE_LABELS.outgoing}の説明（受け付けないときの案内）`} required={false} defaultValue={str("noteOutgoing", outgoing.note)} error={settingsErrors?.noteOutgoing} />
        <RadioGroup
          name="deliveryMode"
          legend="受け渡しの方法"
          required
          options={[
            { value: "pull", label: "プル：電話会社が API で取りに来る" },
            { value: "push", label: "プッシュ：センターから電話会社の URL に送る" },
          ]}
          defaultValue={str("deliveryMode", carrier.deliveryMode)}
          error={settingsErrors?.deliveryMode}
        />
        <Field
          name="pushUrl"
          label="プッシュの送り先 URL"
          required={false}
          support="プッシュのときだけ必要です。https:// で始まる URL を入力してください。"
          type="url"
          defaultValue={str("pushUrl", carrier.pushUrl)}
          error={settingsErrors?.pushUrl}
        />
        <RadioGroup
          name="schedule"
          legend="バッチを作る間隔"
          required
          options={BATCH_SCHEDULES.map((s) => ({ value: s, label: BATCH_SCHEDULE_LABELS[s] }))}
          defaultValue={str("schedule", carrier.schedule)}
          error={settingsErrors?.schedule}
        />
        <RadioGroup
          name="fileFormat"
          legend="ファイルの形式"
          required
          options={FILE_FORMATS.map((f) => ({ value: f, label: FILE_FORMAT_LABELS[f] }))}
          defaultValue={str("fileFormat", carrier.fileFormat)}
          error={settingsErrors?.fileFormat}
        />
        <Field
          name="batchMaxSize"
          label="1バッチの最大件数"
          required
          support="この件数がたまったら、間隔を待たずにバッチを作ります。"
          inputMode="numeric"
          width={7}
          defaultValue={str("batchMaxSize", carrier.batchMaxSize)}
          error={settingsErrors?.batchMaxSize}
        />
        <Field name="contact" label="電話会社の連絡先（部署・電話番号など）" required={false} defaultValue={str("contact", carrier.contact)} error={settingsErrors?.contact} />
        <Checkbox name="active" label="この電話会社に指示を送る" hint="外すと、新しい指示もバッチも作りません。" defaultChecked={values ? values.active === true : carrier.active} />
        <Button>設定を保存する</Button>
      </Form>

      <h2>署名の公開鍵</h2>
      <p>バッチの署名（Ed25519）を確かめるための公開鍵です。電話会社に渡してください。</p>
      <p>
        鍵 ID：<code>{publicKey.keyId}</code>
      </p>
      <pre>{publicKey.publicKeyPem}</pre>
      <p>
        32バイトの公開鍵（base64）：<code>{publicKey.publicKeyRaw}</code>
      </p>

      <h2>API キー</h2>
      {detail.apiKeys.length === 0 ? (
        <p>まだ API キーはありません。</p>
      ) : (
        <table className="table table--compact">
          <caption className="visually-hidden">API キーの一覧</caption>
          <thead>
            <tr>
              <th scope="col">名前</th>
              <th scope="col">先頭の文字</th>
              <th scope="col">作成</th>
              <th scope="col">最後に使われた日時</th>
              <th scope="col">状態</th>
            </tr>
          </thead>
          <tbody>
            {detail.apiKeys.map((k) => (
              <tr key={k.id}>
                <th scope="row">{k.label}</th>
                <td>
                  <code>{k.keyPrefix}…</code>
                </td>
                <td className="nowrap">{formatJstDateTime(k.createdAt)}</td>
                <td className="nowrap">{k.lastUsedAt ? formatJstDateTime(k.lastUsedAt) : "—"}</td>
                <td>
                  {k.revokedAt ? (
                    `無効（${formatJstDateTime(k.revokedAt)}）`
                  ) : (
                    <Form method="post">
                      <CsrfField />
                      <IntentField value="revoke-key" />
                      <input type="hidden" name="keyId" value={k.id} />
                      <Button variant="secondary" className="button--small">
                        「{k.label}」を無効にする
                      </Button>
                    </Form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Form method="post" noValidate>
        <CsrfField />
        <IntentField value="create-key" />
        <Field name="label" label="新しい API キーの名前" required support="例：本番システム、検証環境" error={keyErrors?.label} />
        <Button variant="secondary">API キーを作る</Button>
      </Form>

      <h2>プッシュ用の秘密鍵（HMAC）</h2>
      <p>{carrier.pushSecretSetAt ? `設定済み（${formatJstDateTime(carrier.pushSecretSetAt)}）` : "まだ設定されていません。プッシュで送るには必要です。"}</p>
      <Form method="post">
        <CsrfField />
        <IntentField value="rotate-push-secret" />
        <Button variant="secondary">{carrier.pushSecretSetAt ? "秘密鍵を新しくする" : "秘密鍵を作る"}</Button>
      </Form>

      <h2>電話会社の利用者（/carrier の画面）</h2>
      {detail.users.length === 0 ? (
        <p>まだ利用者はいません。</p>
      ) : (
        <table className="table table--compact">
          <caption className="visually-hidden">利用者の一覧</caption>
          <thead>
            <tr>
              <th scope="col">ユーザー名</th>
              <th scope="col">表示名</th>
              <th scope="col">作成</th>
              <th scope="col">状態</th>
            </tr>
          </thead>
          <tbody>
            {detail.users.map((u) => (
              <tr key={u.id}>
                <th scope="row">{u.username}</th>
                <td>{u.displayName}</td>
                <td className="nowrap">{formatJstDateTime(u.createdAt)}</td>
                <td>
                  {u.disabledAt ? "停止中" : u.locked ? "ロック中" : "利用中"}{" "}
                  <Form method="post">
                    <CsrfField />
                    <IntentField value={u.disabledAt ? "enable-user" : "disable-user"} />
                    <input type="hidden" name="userId" value={u.id} />
                    <Button variant="secondary" className="button--small">
                      {u.disabledAt ? `「${u.username}」を使えるようにする` : `「${u.username}」を停止する`}
                    </Button>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Form method="post" noValidate>
        <CsrfField />
        <IntentField value="create-user" />
        <Field name="username" label="ユーザー名" required autoComplete="off" defaultValue={data?.intent === "create-user" && !data.ok ? data.values.username : undefined} error={userErrors?.username} />
        <Field name="displayName" label="表示名" required defaultValue={data?.intent === "create-user" && !data.ok ? data.values.displayName : undefined} error={userErrors?.displayName} />
        <Field name="password" label="最初のパスワード" required type="password" autoComplete="new-password" support="12文字以上。利用者に安全な方法で伝えてください。" error={userErrors?.password} />
        <Button variant="secondary">利用者を作る</Button>
      </Form>
    </>
  );
}
