/**
 * ADR 026: the Twilio webhooks are answered by server.ts's small router in front of Remix, with the
 * same service functions and the same signature check as the Remix routes had. A signed request gets
 * the TwiML the IVR produces; an unsigned one, one signed for another URL, or one signed over the
 * address the server saw instead of the public one gets 403 and changes nothing.
 */
import { eq } from "drizzle-orm";
import { ivrCalls } from "../../db/schema";
import { parseTwiml } from "../../app/lib/ivr-simulator.server";
import { handleIncomingCall, handleStep } from "../../app/lib/ivr.server";
import { ivrAuthToken, signTwilioRequest } from "../../app/lib/twilio-webhook.server";
import { TWILIO_WEBHOOKS, twilioWebhookFor } from "../../app/lib/twilio-webhooks.server";
import { startTestServer, type TestServer } from "../support/http";
import { createTestServices, type TestServices } from "../support/services";

let services: TestServices;
let server: TestServer;
beforeAll(async () => {
  services = await createTestServices();
  server = await startTestServer(services);
});
afterAll(async () => {
  await server.close();
  await services.close();
});

type Form = Record<string, string>;

/** POSTs `form` to `path`, signed as Twilio signs it (over `signedUrl`, the public URL by default). */
async function post(path: string, form: Form, options: { signedUrl?: string; signature?: string | null; headers?: Record<string, string> } = {}) {
  const signedUrl = options.signedUrl ?? `${services.config.publicBaseUrl}${path}`;
  const signature = options.signature === undefined ? signTwilioRequest(ivrAuthToken(services.config), signedUrl, form) : options.signature;
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...(signature === null ? {} : { "X-Twilio-Signature": signature }), ...options.headers },
    body: new URLSearchParams(form),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The TwiML with the sealed call state taken out of its step URLs (it differs per call and per seal). */
const withoutState = (twiml: string) => twiml.replace(/&amp;state=[A-Za-z0-9._-]+/g, "&amp;state=…");
/** Path and query of the first step URL of a document (the <Gather> or <Record> action). */
function firstAction(twiml: string): string {
  const verb = parseTwiml(twiml).find((v) => v.type === "gather" || v.type === "record") as { action: string };
  const url = new URL(verb.action);
  return `${url.pathname}${url.search}`;
}
const callRow = async (callSid: string) => (await services.db.select().from(ivrCalls).where(eq(ivrCalls.callSid, callSid)))[0];
const sid = (n: number) => `CA${String(n).padStart(32, "0")}`;

describe("Twilio webhooks in front of Remix (ADR 026)", () => {
  it("answers a signed call with the IVR's TwiML, as the service function produces it", async () => {
    const answer = await post("/ivr/voice", { CallSid: sid(1), From: "+81312349001", To: "+81570000110" });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/xml; charset=utf-8");
    expect(answer.headers.get("cache-control")).toBe("no-store");
    // The server's headers still apply to every answer.
    expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    expect(answer.headers.get("content-security-policy")).toContain("default-src 'self'");
    const direct = await handleIncomingCall(services, { CallSid: sid(2), From: "+81312349002", To: "+81570000110" });
    expect(withoutState(answer.text)).toBe(withoutState(direct));
    expect(answer.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Gather /);
    expect(await callRow(sid(1))).toMatchObject({ node: "menu", status: "in_progress" });

    // The next step, the same way: the router and the service function agree.
    const step = await post(firstAction(answer.text), { CallSid: sid(1), From: "+81312349001", Digits: "1" });
    const directStep = await handleStep(services, "menu", { CallSid: sid(2), From: "+81312349002", Digits: "1" }, { silence: false });
    expect(step.status).toBe(200);
    expect(withoutState(step.text)).toBe(withoutState(directStep));
    expect(await callRow(sid(1))).toMatchObject({ node: "apply_scope", purpose: "apply" });
  });

  it("refuses an unsigned request, a wrong signature, and one signed for another URL with 403, changing nothing", async () => {
    const form = { CallSid: sid(10), From: "+81312349010" };
    expect((await post("/ivr/voice", form, { signature: null })).status).toBe(403);
    expect((await post("/ivr/voice", form, { signature: "bm90IGEgc2lnbmF0dXJl" })).status).toBe(403);
    // Signed for another query (another node) or another path.
    expect((await post("/ivr/step?node=menu", form, { signedUrl: `${services.config.publicBaseUrl}/ivr/step?node=apply_confirm` })).status).toBe(403);
    expect((await post("/ivr/voice", form, { signedUrl: `${services.config.publicBaseUrl}/ivr/status` })).status).toBe(403);
    // Signed over the address the server was reached at, not the public URL Twilio calls.
    expect((await post("/ivr/voice", form, { signedUrl: `${server.url}/ivr/voice` })).status).toBe(403);
    // A signature over other parameters than those posted.
    const other = signTwilioRequest(ivrAuthToken(services.config), `${services.config.publicBaseUrl}/ivr/voice`, { ...form, From: "+81312349011" });
    expect((await post("/ivr/voice", form, { signature: other })).status).toBe(403);
    expect(await callRow(sid(10))).toBeUndefined();
  });

  it("checks the public URL whatever Host or forwarding headers the request carries (behind a proxy)", async () => {
    const answer = await post("/ivr/voice", { CallSid: sid(20), From: "+81312349020" }, { headers: { "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http" } });
    expect(answer.status).toBe(200);
    expect(await callRow(sid(20))).toBeDefined();
  });

  it("checks the signature on the normalised path the server serves", async () => {
    // "/ivr/x/../voice" is served as "/ivr/voice": a signature over the raw form does not pass.
    const raw = `${services.config.publicBaseUrl}/ivr/x/../voice`;
    const form = { CallSid: sid(30), From: "+81312349030" };
    const response = await fetch(`${server.url}/ivr/x/../voice`.replace("/x/../", "/x/%2e%2e/"), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signTwilioRequest(ivrAuthToken(services.config), raw, form) },
      body: new URLSearchParams(form),
    });
    expect(response.status).toBe(403);
    expect(await callRow(sid(30))).toBeUndefined();
  });

  it("answers 404 for an unknown node or a malformed id, and 204 to a status callback", async () => {
    expect((await post("/ivr/step?node=nowhere", { CallSid: sid(40) })).status).toBe(404);
    expect((await post("/ivr/paper/not-a-uuid", { CallSid: sid(41) })).status).toBe(404);
    expect((await post("/ivr/status?outbox=not-a-uuid", { CallSid: sid(42), CallStatus: "completed" })).status).toBe(404);
    const status = await post("/ivr/status", { CallSid: sid(1), CallStatus: "completed" });
    expect(status.status).toBe(204);
    expect(status.text).toBe("");
    expect(await callRow(sid(1))).toMatchObject({ status: "incomplete" });
  });

  it("leaves other methods and paths to Remix", async () => {
    // A GET is no webhook: Remix answers it (no route there).
    const get = await fetch(`${server.url}/ivr/voice`);
    expect(get.status).toBe(404);
    expect(get.headers.get("content-type")).toContain("text/html");
    expect(twilioWebhookFor("/ivr")).toBeUndefined();
    expect(twilioWebhookFor("/ivr/voice/extra")).toBeUndefined();
    expect(twilioWebhookFor("/ops/ivr/voice")).toBeUndefined();
  });

  it("carries the call's state in the step URLs, sealed and bound to the call, and still writes every step", async () => {
    const from = "+81312349050";
    const form = (extra: Form) => ({ CallSid: sid(50), From: from, ...extra });
    const greeting = await post("/ivr/voice", form({}));
    let next = firstAction(greeting.text);
    expect(next).toMatch(/^\/ivr\/step\?node=menu&state=k1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    for (const digits of ["1", "1", "1"]) next = firstAction((await post(next, form({ Digits: digits }))).text);
    const named = await post(next, form({ SpeechResult: "山田 花子", Confidence: "0.9" }));
    expect(named.status).toBe(200);
    // Nothing personal in clear in what Twilio logs: not the name heard, not the caller's number.
    const urls = parseTwiml(named.text).flatMap((v) => ("action" in v && v.action ? [v.action] : "url" in v ? [v.url] : []));
    expect(urls.length).toBeGreaterThanOrEqual(2);
    for (const url of urls) {
      expect(url).not.toContain("山田");
      expect(decodeURIComponent(url)).not.toContain("山田");
      expect(url).not.toMatch(/312349050/);
    }
    // The row follows every step (a call that hangs up keeps what was said).
    const row = (await callRow(sid(50)))!;
    expect(row).toMatchObject({ node: "apply_name_record", purpose: "apply" });
    expect(JSON.parse(services.pii.open(row.answersEnc))).toMatchObject({ scopes: ["incoming"], carrierChoice: "ntt-east", nameSpeech: "山田 花子" });
  });

  it("ignores a state that belongs to another call or does not open, and reads the call's own row", async () => {
    // Call A is at the scope question; call B only at the menu.
    const a = await post("/ivr/voice", { CallSid: sid(60), From: "+81312349060" });
    const aScope = firstAction((await post(firstAction(a.text), { CallSid: sid(60), From: "+81312349060", Digits: "1" })).text);
    await post("/ivr/voice", { CallSid: sid(61), From: "+81312349061" });
    // B answers with A's state (signed, as only Twilio could): B's own row decides, nothing of A's is taken.
    const crossed = await post(aScope, { CallSid: sid(61), From: "+81312349061", Digits: "2" });
    expect(crossed.status).toBe(200);
    const b = (await callRow(sid(61)))!;
    expect(b.purpose).toBeNull();
    expect(services.pii.open(b.fromEnc!)).toBe("+81312349061");
    // B's own answer, on B's own row (the node comes from the URL, as it always did).
    expect(JSON.parse(services.pii.open(b.answersEnc))).toMatchObject({ scopes: ["incoming", "outgoing"] });
    // A state that does not open (altered) is ignored the same way: A goes on from its row.
    const altered = aScope.replace(/state=k1\.([A-Za-z0-9_-])/, (_m, c: string) => `state=k1.${c === "A" ? "B" : "A"}`);
    const fromRow = await post(altered, { CallSid: sid(60), From: "+81312349060", Digits: "2" });
    expect(fromRow.status).toBe(200);
    expect(await callRow(sid(60))).toMatchObject({ node: "apply_carrier", purpose: "apply" });
    // And a URL without a state (a document from before ADR 026) too.
    const plain = await post("/ivr/step?node=apply_carrier", { CallSid: sid(60), From: "+81312349060", Digits: "3" });
    expect(plain.status).toBe(200);
    expect(await callRow(sid(60))).toMatchObject({ node: "apply_name" });
  });

  it("does not carry a state too long for a URL (a long spoken address): the next step reads the row", async () => {
    const form = (extra: Form) => ({ CallSid: sid(70), From: "+81312349070", ...extra });
    let next = firstAction((await post("/ivr/voice", form({}))).text);
    next = firstAction((await post(next, form({ Digits: "3" }))).text); // a form by mail
    next = firstAction((await post(next, form({ SpeechResult: "山田 花子", Confidence: "0.9" }))).text);
    next = firstAction((await post(next, form({ RecordingUrl: "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1" }))).text);
    next = firstAction((await post(next, form({ Digits: "0#" }))).text); // postal code unknown
    const address = "東京都千代田区大手町一丁目一番一号".repeat(40);
    const record = await post(next, form({ SpeechResult: address, Confidence: "0.9" }));
    next = firstAction(record.text);
    expect(next).toBe("/ivr/step?node=form_address_record");
    const confirm = await post(next, form({ RecordingUrl: "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE2" }));
    expect(confirm.status).toBe(200);
    expect(parseTwiml(confirm.text).some((v) => v.type === "gather" && v.says.join("").includes(address))).toBe(true);
    expect(await callRow(sid(70))).toMatchObject({ node: "form_confirm", purpose: "form" });
  });

  it("serves every path of the former Remix routes app/routes/ivr.*", () => {
    const id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    const paths = ["/ivr/voice", "/ivr/step", "/ivr/status", `/ivr/verification/${id}`, `/ivr/verification/${id}/consent`, `/ivr/paper/${id}`, `/ivr/paper/${id}/answer`, `/ivr/cancellation/${id}`, `/ivr/cancellation/${id}/answer`];
    for (const path of paths) expect(twilioWebhookFor(path), path).toBeDefined();
    expect(TWILIO_WEBHOOKS).toHaveLength(paths.length);
    expect(twilioWebhookFor(`/ivr/paper/${id}/answer`)?.id).toBe(id);
  });
});
