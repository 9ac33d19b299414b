import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { Button, Notice, PageHeading } from "~/components/ui";
import { formatDisplay } from "~/domain/phone";
import { requireOperator } from "~/lib/auth.server";
import { readForm } from "~/lib/csrf.server";
import { requireUuid } from "~/lib/ids";
import { CallSimulator, parseTwiml } from "~/lib/ivr-simulator.server";
import { ivrAuthToken } from "~/lib/twilio-webhook.server";
import { outboxCall } from "~/lib/outbox-view.server";

export const meta: MetaFunction = () => [{ title: "電話に出る（模擬）｜受付センター 業務システム" }];

/**
 * Demo and training only (no Twilio configured): answer an outbound call that the outbox holds, as
 * the person at the other end would, by playing its TwiML through the signed IVR webhooks.
 */
async function loadCall(context: LoaderFunctionArgs["context"], id: string) {
  if (context.services.comms.providerName !== "outbox") throw new Response("Not Found", { status: 404 });
  const call = await outboxCall(context.services, id);
  if (!call) throw new Response("Not Found", { status: 404 });
  return { row: { id: call.id }, to: call.to, content: call.content };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const operator = await requireOperator(request, context, ["operator", "supervisor", "admin"]);
  const { row, to, content } = await loadCall(context, requireUuid(params.id));
  await context.services.audit.record({ actor: `operator:${operator.id}`, action: "outbox.simulate_call", subjectType: "outbox", subjectId: row.id, ip: context.clientIp });
  return json({ to: formatDisplay(to), says: content.kind === "say" ? [content.text] : [], interactive: content.kind === "url" });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  await requireOperator(request, context, ["operator", "supervisor", "admin"]);
  const { to, content } = await loadCall(context, requireUuid(params.id));
  const form = await readForm(request, context);
  if (content.kind !== "url") return json({ says: [content.text], gather: null });
  const { config } = context.services;
  // This server itself: as the browser reached it when that is this machine (the demo), otherwise
  // the public URL — never a host named only by the request's Host header.
  const reached = new URL(request.url);
  const serverUrl = ["localhost", "127.0.0.1", "[::1]"].includes(reached.hostname) ? reached.origin : config.publicBaseUrl;
  const call = new CallSimulator({
    serverUrl,
    publicBaseUrl: config.publicBaseUrl,
    authToken: ivrAuthToken(config),
    from: config.centrePhoneNumber,
    to,
    callSid: String(form.get("callSid") || "") || undefined,
  });
  const target = String(form.get("intent")) === "press" ? String(form.get("gather") ?? "") : content.url;
  if (!target.startsWith(config.publicBaseUrl)) throw new Response("Bad Request", { status: 400 });
  const response = await call.post(target, form.get("intent") === "press" ? { Digits: String(form.get("digit") ?? "") } : {});
  const verbs = parseTwiml(await response.text());
  const says = verbs.flatMap((v) => (v.type === "say" ? [v.text] : v.type === "gather" ? v.says : []));
  const gather = verbs.find((v) => v.type === "gather");
  return json({ says, gather: gather?.type === "gather" ? gather.action : null, callSid: call.callSid });
}

export default function SimulatedCall() {
  const { to, says, interactive } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const heard = result?.says ?? says;
  return (
    <>
      <PageHeading>電話に出る（模擬）</PageHeading>
      <Notice title="デモ・研修用">
        Twilio が設定されていないため、<span className="digits">{to}</span> にかかる電話を、この画面で再現します。
      </Notice>
      {heard.length > 0 && (
        <section aria-labelledby="heard">
          <h2 id="heard">聞こえる音声</h2>
          <ul>
            {heard.map((text, i) => (
              <li key={i}>{text}</li>
            ))}
          </ul>
        </section>
      )}
      {interactive && !result && (
        <Form method="post">
          <CsrfField />
          <input type="hidden" name="intent" value="answer" />
          <Button>電話に出る</Button>
        </Form>
      )}
      {result?.gather && (
        <Form method="post">
          <CsrfField />
          <input type="hidden" name="intent" value="press" />
          <input type="hidden" name="gather" value={result.gather} />
          <input type="hidden" name="callSid" value={result.callSid} />
          <p>ボタンを押す：</p>
          <div className="button-group">
            {["1", "2"].map((digit) => (
              <Button key={digit} name="digit" value={digit} variant="secondary">
                {digit}
              </Button>
            ))}
          </div>
        </Form>
      )}
      <p>
        <Link to="/ops/outbox">送信記録に戻る</Link>
      </p>
    </>
  );
}
