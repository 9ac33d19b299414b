/**
 * Outbound calls know their outcome (issue 13, point 4): every call carries a StatusCallback naming
 * its outbox row; busy / no-answer / failed / machine are retried on the policy, then the person is
 * told; a machine never confirms; repeated callbacks are harmless. Twilio is played by the call
 * simulator, signing every request as Twilio does, against the real server.
 */
import { and, asc, desc, eq } from "drizzle-orm";
import { outbox, verifications } from "../../db/schema";
import { createTwilioProvider, machineDetectionFor, type CallContent, type MessageProvider, type PlaceCallOptions } from "../../app/lib/comms.server";
import { MACHINE_MESSAGE, VERIFICATION_CALL_POLICY, outcomeOf, verificationCallProgress } from "../../app/lib/comms-call-status.server";
import { CallSimulator, type TwilioCallStatus } from "../../app/lib/ivr-simulator.server";
import { ivrAuthToken } from "../../app/lib/twilio-webhook.server";
import { startVerification } from "../../app/lib/verification.server";
import { codeFromSpeech, step } from "../support/apply-flow";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";
import { signedInBrowser } from "../support/ops-session";
import { createTestServices, type TestServices } from "../support/services";

type Placed = { to: string; content: CallContent; options: PlaceCallOptions; sid: string };

/** Stands in for Twilio's REST API: every call gets a CallSid, and we keep what was asked. */
function recordingProvider(): MessageProvider & { placed: Placed[] } {
  const placed: Placed[] = [];
  return {
    name: "twilio",
    placed,
    async sendSms() {
      return { providerRef: `SM${String(placed.length).padStart(32, "0")}`, status: "sent" };
    },
    async placeCall(to, content, options = {}) {
      const sid = `CA${String(placed.length + 1).padStart(32, "0")}`;
      placed.push({ to, content, options, sid });
      return { providerRef: sid, status: "sent" };
    },
  };
}

let services: TestServices;
let server: TestServer;
let provider: ReturnType<typeof recordingProvider>;
beforeAll(async () => {
  provider = recordingProvider();
  services = await createTestServices({ provider });
  server = await startTestServer(services);
});
afterAll(async () => {
  await server?.close();
  await services?.close();
});

const MINUTE = 60_000;
let lineCounter = 0;
const nextLine = () => `+8131234${String(7000 + ++lineCounter).padStart(4, "0")}`;

const callRows = (verificationId: string) =>
  services.db.select().from(outbox).where(and(eq(outbox.verificationId, verificationId), eq(outbox.channel, "call"))).orderBy(asc(outbox.createdAt));

/** The worker's delivery job for every call that is due (the tests run no workers). */
async function deliverDue(verificationId: string): Promise<void> {
  for (const row of await callRows(verificationId)) if (row.status === "queued") await services.comms.deliver(row.id);
}

/** Twilio's side of the call last placed for this outbox row. */
function twilioFor(outboxId: string): { sim: CallSimulator; placed: Placed } {
  const placed = provider.placed.find((p) => p.options.statusCallbackUrl?.endsWith(`?outbox=${outboxId}`));
  if (!placed) throw new Error(`no call placed for ${outboxId}`);
  const sim = new CallSimulator({
    serverUrl: server.url,
    publicBaseUrl: services.config.publicBaseUrl,
    authToken: ivrAuthToken(services.config),
    from: services.config.centrePhoneNumber,
    to: placed.to,
    callSid: placed.sid,
    direction: "outbound-api",
  });
  return { sim, placed };
}

async function progressEvents(outboxId: string, ...statuses: TwilioCallStatus[]) {
  const { sim, placed } = twilioFor(outboxId);
  for (const status of statuses) await sim.statusCallback(placed.options.statusCallbackUrl!, status);
}

describe("outbound calls carry a status callback", () => {
  it("names its outbox row in the StatusCallback and asks for machine detection only on key-press calls", async () => {
    const say = await startVerification(services, { lineE164: nextLine(), purpose: "apply", method: "callback", client: "10.9.0.1" });
    const consent = await startVerification(services, {
      lineE164: nextLine(),
      purpose: "apply",
      method: "callback",
      consentFrom: { applicantLabel: "ご家族の、山田 一郎さま" },
      client: "10.9.0.1",
    });
    if (!say.ok || !consent.ok) throw new Error("verification not started");
    await deliverDue(say.verificationId);
    await deliverDue(consent.verificationId);
    const [sayRow] = await callRows(say.verificationId);
    const [consentRow] = await callRows(consent.verificationId);
    const sayCall = twilioFor(sayRow!.id).placed;
    const consentCall = twilioFor(consentRow!.id).placed;
    expect(sayCall.options).toEqual({ statusCallbackUrl: `${services.config.publicBaseUrl}/ivr/status?outbox=${sayRow!.id}` });
    expect(consentCall.options).toEqual({ statusCallbackUrl: `${services.config.publicBaseUrl}/ivr/status?outbox=${consentRow!.id}`, machineDetection: "Enable" });
  });

  it("sends Twilio StatusCallback, StatusCallbackEvent and MachineDetection as its API documents them", async () => {
    const requests: { data: Record<string, unknown> }[] = [];
    const twilioProvider = createTwilioProvider({
      accountSid: "AC" + "1".repeat(32),
      authToken: "secret",
      fromNumber: "+81501234567",
      httpClient: {
        async request(opts: { data?: Record<string, unknown> }) {
          requests.push({ data: opts.data ?? {} });
          return { statusCode: 201, body: JSON.stringify({ sid: "CA" + "9".repeat(32) }), headers: {} };
        },
      } as never,
    });
    await twilioProvider.placeCall(
      "+81312345678",
      { kind: "url", url: "https://centre.example.jp/ivr/verification/x", fallbackText: "x" },
      { statusCallbackUrl: "https://centre.example.jp/ivr/status?outbox=abc", machineDetection: "Enable" },
    );
    await twilioProvider.placeCall("+81312345678", { kind: "say", text: "確認番号は、1、2、3、4、です。" }, { statusCallbackUrl: "https://centre.example.jp/ivr/status?outbox=def" });
    expect(requests[0]!.data).toMatchObject({
      Url: "https://centre.example.jp/ivr/verification/x",
      Method: "POST",
      StatusCallback: "https://centre.example.jp/ivr/status?outbox=abc",
      StatusCallbackMethod: "POST",
      StatusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
      MachineDetection: "Enable",
    });
    expect(requests[1]!.data.MachineDetection).toBeUndefined();
    // A call that leaves a message on a machine (the paper confirmation, ADR 029) asks for the greeting's end.
    const voicemail = { kind: "url", url: "https://centre.example.jp/ivr/paper/x", fallbackText: "x", voicemail: true } as const;
    expect(machineDetectionFor(voicemail)).toBe("DetectMessageEnd");
    expect(machineDetectionFor({ ...voicemail, voicemail: false })).toBe("Enable");
    expect(machineDetectionFor({ kind: "say", text: "x" })).toBeUndefined();
    await twilioProvider.placeCall("+81312345678", voicemail, { machineDetection: machineDetectionFor(voicemail) });
    expect(requests[2]!.data.MachineDetection).toBe("DetectMessageEnd");
    expect(requests[1]!.data.StatusCallback).toBe("https://centre.example.jp/ivr/status?outbox=def");
  });

  it("maps Twilio's CallStatus and AnsweredBy to an outcome", () => {
    expect(outcomeOf("ringing", undefined)).toBeNull();
    expect(outcomeOf("in-progress", "human")).toBe("answered");
    expect(outcomeOf("in-progress", "machine_start")).toBe("machine");
    expect(outcomeOf("completed", "machine_end_beep")).toBe("machine");
    expect(outcomeOf("completed", "fax")).toBe("machine");
    expect(outcomeOf("completed", "unknown")).toBe("completed");
    expect(outcomeOf("busy", undefined)).toBe("busy");
    expect(outcomeOf("no-answer", undefined)).toBe("no-answer");
    expect(outcomeOf("failed", undefined)).toBe("failed");
    expect(outcomeOf("canceled", undefined)).toBe("canceled");
  });

  it("records a call a person answered as completed, and retries nothing", async () => {
    const started = await startVerification(services, { lineE164: nextLine(), purpose: "apply", method: "callback", client: "10.9.0.2" });
    if (!started.ok) throw new Error("not started");
    await deliverDue(started.verificationId);
    const [row] = await callRows(started.verificationId);
    await progressEvents(row!.id, "initiated", "ringing", "in-progress");
    expect((await callRows(started.verificationId))[0]).toMatchObject({ callStatus: "in-progress", callOutcome: "answered" });
    await progressEvents(row!.id, "completed");
    const rows = await callRows(started.verificationId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ callStatus: "completed", callOutcome: "completed", status: "delivered" });
    expect(await verificationCallProgress(services, started.verificationId)).toMatchObject({ outcome: "completed", gaveUp: false, retryAt: null });
  });

  it("refuses an unsigned or forged status callback with 403 and changes nothing", async () => {
    const started = await startVerification(services, { lineE164: nextLine(), purpose: "apply", method: "callback", client: "10.9.0.3" });
    if (!started.ok) throw new Error("not started");
    await deliverDue(started.verificationId);
    const [row] = await callRows(started.verificationId);
    const { placed } = twilioFor(row!.id);
    const forged = new CallSimulator({
      serverUrl: server.url,
      publicBaseUrl: services.config.publicBaseUrl,
      authToken: "not-the-token",
      from: services.config.centrePhoneNumber,
      callSid: placed.sid,
      direction: "outbound-api",
    });
    await expect(forged.statusCallback(placed.options.statusCallbackUrl!, "busy")).rejects.toMatchObject({ status: 403 });
    expect(await callRows(started.verificationId)).toHaveLength(1);
    expect((await callRows(started.verificationId))[0]!.callOutcome).toBeNull();
  });
});

describe("an unanswered verification call: busy → retry → told", () => {
  it("calls again on the policy's gaps with a new code, then the page says nobody answered and offers call-in", async () => {
    const browser = new TestBrowser(server.url);
    const e164 = "+81312347100";
    await step(browser, "/apply", {});
    await step(browser, "/apply/number", { number: "03-1234-7100" });
    await step(browser, "/apply/applicant", { relation: "self", contactPhone: "" });
    const waiting = await step(browser, "/apply/verify", { method: "callback" });
    expect(waiting.html).toContain("電話をかけました");
    const [mine] = await services.db.select().from(verifications).orderBy(desc(verifications.createdAt)).limit(1);
    const verificationId = mine!.id;
    expect(services.pii.open((await callRows(verificationId))[0]!.toEnc)).toBe(e164);

    // 1st call: busy. A retry waits VERIFICATION_CALL_POLICY.retryGapMinutes[0] minutes.
    await deliverDue(verificationId);
    const first = (await callRows(verificationId))[0]!;
    await progressEvents(first.id, "initiated", "busy");
    let rows = await callRows(verificationId);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ callOutcome: "busy", callStatus: "busy" });
    expect(rows[1]).toMatchObject({ status: "queued", idempotencyKey: `verification:${verificationId}:2` });
    expect(rows[1]!.notBefore!.getTime() - services.now().getTime()).toBeGreaterThan((VERIFICATION_CALL_POLICY.retryGapMinutes[0] - 1) * MINUTE);
    const retryPage = await browser.get("/apply/code");
    expect(retryPage.html).toContain("お電話に、出ていただけませんでした");
    expect(retryPage.html).toContain("もう一度お電話します");

    // Not before its time: the delivery job finds nothing to do.
    const placedBefore = provider.placed.length;
    await deliverDue(verificationId);
    expect(provider.placed.length).toBe(placedBefore);

    // 2nd call: no answer. The code read on it is a new one; the old one no longer works.
    services.clock.advance(VERIFICATION_CALL_POLICY.retryGapMinutes[0] * MINUTE + 1000);
    await deliverDue(verificationId);
    expect(provider.placed.length).toBe(placedBefore + 1);
    rows = await callRows(verificationId);
    const firstCode = codeFromSpeech((JSON.parse(services.pii.open(rows[0]!.bodyEnc)) as { text: string }).text);
    const secondCode = codeFromSpeech((JSON.parse(services.pii.open(rows[1]!.bodyEnc)) as { text: string }).text);
    await progressEvents(rows[1]!.id, "initiated", "ringing", "no-answer");
    rows = await callRows(verificationId);
    expect(rows).toHaveLength(3);
    expect(rows[1]!.callOutcome).toBe("no-answer");

    // 3rd and last call: failed. Nothing more rings; the page tells the applicant and offers call-in.
    services.clock.advance(VERIFICATION_CALL_POLICY.retryGapMinutes[1] * MINUTE + 1000);
    await deliverDue(verificationId);
    rows = await callRows(verificationId);
    const thirdCode = codeFromSpeech((JSON.parse(services.pii.open(rows[2]!.bodyEnc)) as { text: string }).text);
    await progressEvents(rows[2]!.id, "initiated", "failed");
    rows = await callRows(verificationId);
    expect(rows.map((r) => r.callOutcome)).toEqual(["busy", "no-answer", "failed"]);
    expect(await verificationCallProgress(services, verificationId)).toMatchObject({ gaveUp: true, calls: 3, outcome: "failed" });
    const told = await browser.get("/apply/code");
    expect(told.html).toContain("お電話に、出ていただけませんでした");
    expect(told.html.replace(/<!-- -->/g, "")).toContain("3回お電話しましたが、つながりませんでした");
    expect(told.html).toContain("センターに電話をかけて確認する");

    // The back office sees each call's outcome.
    expect(rows.every((r) => r.purpose === "verification")).toBe(true);
    const { browser: operator } = await signedInBrowser(server, services, "operator");
    const outboxPage = await operator.get("/ops/outbox");
    expect(outboxPage.status).toBe(200);
    for (const label of ["（話し中）", "（応答なし）", "（かからず）"]) expect(outboxPage.html.replace(/<!-- -->/g, "")).toContain(label);
    expect(new Set([firstCode, secondCode, thirdCode]).size).toBeGreaterThanOrEqual(2);
    // The code of the last call works (a person may still have heard it).
    const checked = await step(browser, "/apply/code", { intent: "check", code: thirdCode });
    expect(checked.url).toContain("/apply/name");
  });

  it("treats a repeated or late callback as harmless: one retry, and a final outcome stays", async () => {
    const started = await startVerification(services, { lineE164: nextLine(), purpose: "apply", method: "callback", client: "10.9.0.4" });
    if (!started.ok) throw new Error("not started");
    await deliverDue(started.verificationId);
    const [row] = await callRows(started.verificationId);
    await progressEvents(row!.id, "no-answer", "no-answer", "ringing", "completed", "no-answer");
    const rows = await callRows(started.verificationId);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ callOutcome: "no-answer" });
    // The retry's own callbacks repeated: still one more call at most.
    services.clock.advance(VERIFICATION_CALL_POLICY.retryGapMinutes[0] * MINUTE + 1000);
    await deliverDue(started.verificationId);
    await deliverDue(started.verificationId);
    const retry = (await callRows(started.verificationId))[1]!;
    expect(provider.placed.filter((p) => p.options.statusCallbackUrl?.endsWith(retry.id))).toHaveLength(1);
    await progressEvents(retry.id, "busy", "busy");
    expect(await callRows(started.verificationId)).toHaveLength(3);
  });

  it("does not place a retry whose question was settled meanwhile (the code entered before it was due)", async () => {
    const started = await startVerification(services, { lineE164: nextLine(), purpose: "apply", method: "callback", client: "10.9.0.5" });
    if (!started.ok) throw new Error("not started");
    await deliverDue(started.verificationId);
    const [first] = await callRows(started.verificationId);
    await progressEvents(first!.id, "no-answer");
    expect(await callRows(started.verificationId)).toHaveLength(2);
    // The person got the code another way (a call-in from the line) before the retry was due.
    await services.db.update(verifications).set({ verifiedAt: services.now() }).where(eq(verifications.id, started.verificationId));
    services.clock.advance(VERIFICATION_CALL_POLICY.retryGapMinutes[0] * MINUTE + 1000);
    const before = provider.placed.length;
    await deliverDue(started.verificationId);
    expect(provider.placed.length).toBe(before);
    expect((await callRows(started.verificationId))[1]).toMatchObject({ status: "not_needed" });
  });

  it("does not retry an old call whose callback comes after a newer call was placed", async () => {
    const started = await startVerification(services, { lineE164: nextLine(), purpose: "apply", method: "callback", client: "10.9.0.5" });
    if (!started.ok) throw new Error("not started");
    await deliverDue(started.verificationId);
    const [row] = await callRows(started.verificationId);
    // The applicant pressed 「もう一度電話をかける」 meanwhile: that call is the newest.
    await services.db.update(verifications).set({ sends: 2 }).where(eq(verifications.id, started.verificationId));
    await progressEvents(row!.id, "busy");
    expect(await callRows(started.verificationId)).toHaveLength(1);
  });

  it("does not ring outside calling hours: the applicant is told at once", async () => {
    const started = await startVerification(services, { lineE164: nextLine(), purpose: "apply", method: "callback", client: "10.9.0.6" });
    if (!started.ok) throw new Error("not started");
    await deliverDue(started.verificationId);
    const [row] = await callRows(started.verificationId);
    const saved = services.now();
    services.clock.set("2026-11-20T11:59:00Z"); // 20:59 JST
    try {
      await progressEvents(row!.id, "no-answer");
    } finally {
      services.clock.set(new Date(saved.getTime() + MINUTE));
    }
    expect(await callRows(started.verificationId)).toHaveLength(1);
    expect(await verificationCallProgress(services, started.verificationId)).toMatchObject({ gaveUp: true, calls: 1 });
  });
});

describe("answering machines never confirm", () => {
  async function consentCall() {
    const started = await startVerification(services, {
      lineE164: nextLine(),
      purpose: "apply",
      method: "callback",
      consentFrom: { applicantLabel: "ご家族の、山田 一郎さま" },
      client: "10.9.1.1",
    });
    if (!started.ok) throw new Error("not started");
    await deliverDue(started.verificationId);
    const [row] = await callRows(started.verificationId);
    const { sim, placed } = twilioFor(row!.id);
    if (placed.content.kind !== "url") throw new Error("expected a key-press call");
    return { verificationId: started.verificationId, row: row!, sim, placed, url: placed.content.url };
  }

  it("hangs up on a machine with a short message, records the outcome as machine, and retries", async () => {
    const { verificationId, row, sim, placed, url } = await consentCall();
    const turn = await sim.answer(url, "machine_start");
    expect(turn.says).toEqual([MACHINE_MESSAGE]);
    expect(turn.waiting.kind).toBe("ended");
    await sim.statusCallback(placed.options.statusCallbackUrl!, "in-progress", { AnsweredBy: "machine_start" });
    await sim.statusCallback(placed.options.statusCallbackUrl!, "completed", { AnsweredBy: "machine_start" });
    const rows = await callRows(verificationId);
    expect(rows[0]).toMatchObject({ id: row.id, callOutcome: "machine", answeredBy: "machine_start" });
    expect(rows).toHaveLength(2); // retried like an unanswered call
    const [v] = await services.db.select().from(verifications).where(eq(verifications.id, verificationId));
    expect(v!.consent).toBeNull();
  });

  it("never takes a key press on a machine's call as consent, with or without AnsweredBy", async () => {
    const { verificationId, sim, url } = await consentCall();
    await sim.answer(url, "machine_end_beep");
    const consentUrl = `${services.config.publicBaseUrl}/ivr/verification/${verificationId}/consent`;
    const withFlag = await sim.post(consentUrl, { Digits: "1", AnsweredBy: "machine_end_beep" });
    expect(await withFlag.text()).toContain(MACHINE_MESSAGE);
    const withoutFlag = await sim.post(consentUrl, { Digits: "1" });
    expect(await withoutFlag.text()).toContain(MACHINE_MESSAGE);
    const [v] = await services.db.select().from(verifications).where(eq(verifications.id, verificationId));
    expect(v).toMatchObject({ consent: null, verifiedAt: null });
  });

  it("lets a person (AnsweredBy human) agree as before", async () => {
    const { verificationId, sim, url } = await consentCall();
    const turn = await sim.answer(url, "human");
    expect(turn.waiting.kind).toBe("gather");
    const agreed = await sim.press("1");
    expect(agreed.says.join("")).toContain("確認番号は");
    const [v] = await services.db.select().from(verifications).where(eq(verifications.id, verificationId));
    expect(v!.consent).toBe("agreed");
  });

  it("closes a machine-answered confirmation call so the confirmation's own sweep retries it", async () => {
    const { verificationId, placed, sim } = await consentCall();
    // The same path for a cancellation or paper confirmation: the row's purpose decides.
    const [row] = await callRows(verificationId);
    await services.db.update(outbox).set({ purpose: "cancellation_confirmation" }).where(eq(outbox.id, row!.id));
    await sim.statusCallback(placed.options.statusCallbackUrl!, "completed", { AnsweredBy: "fax" });
    const [v] = await services.db.select().from(verifications).where(eq(verifications.id, verificationId));
    expect(v!.expiresAt.getTime()).toBeLessThanOrEqual(services.now().getTime());
    expect(await callRows(verificationId)).toHaveLength(1); // the sweep, not the callback, places the next call
  });
});
