import { desc, eq } from "drizzle-orm";
import { outbox, verifications } from "../../db/schema";
import {
  checkCode,
  CODE_TTL_MS,
  MAX_ATTEMPTS,
  MAX_STARTS_PER_CLIENT_PER_HOUR,
  MAX_STARTS_PER_LINE_PER_HOUR,
  RESEND_AFTER_MS,
  recordConsent,
  resendCode,
  startVerification,
  verifyCallIn,
} from "../../app/lib/verification.server";
import type { CallContent } from "../../app/lib/comms.server";
import { createTestServices, type TestServices } from "../support/services";

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(async () => {
  await services.close();
});

/** The code the last call to this verification read out. */
async function spokenCodeOf(verificationId: string): Promise<string> {
  const [row] = await services.db.select().from(outbox).where(eq(outbox.verificationId, verificationId)).orderBy(desc(outbox.createdAt)).limit(1);
  const content = JSON.parse(services.pii.open(row!.bodyEnc)) as CallContent;
  if (content.kind !== "say") throw new Error("not a call that reads a code");
  return content.text.match(/確認番号は、((?:\d、){4})/)![1]!.replace(/、/g, "");
}

let n = 0;
const nextLine = () => `+8131234${String(5000 + n++).padStart(4, "0")}`;

describe("line verification", () => {
  it("stores only a hash of the code and accepts the right code once", async () => {
    const started = await startVerification(services, { lineE164: nextLine(), purpose: "apply", method: "callback", client: "10.0.0.1" });
    if (!started.ok) throw new Error("not started");
    const code = await spokenCodeOf(started.verificationId);
    const [row] = await services.db.select().from(verifications).where(eq(verifications.id, started.verificationId));
    expect(row!.codeHash).not.toContain(code);
    expect(await checkCode(services, started.verificationId, code)).toMatchObject({ ok: true });
    expect(await checkCode(services, started.verificationId, code)).toMatchObject({ ok: true });
  });

  it("expires a code after 10 minutes", async () => {
    const started = await startVerification(services, { lineE164: nextLine(), purpose: "apply", method: "callback", client: "10.0.0.2" });
    if (!started.ok) throw new Error("not started");
    const code = await spokenCodeOf(started.verificationId);
    services.clock.advance(CODE_TTL_MS + 1000);
    expect(await checkCode(services, started.verificationId, code)).toMatchObject({ ok: false, reason: "expired" });
  });

  it("locks a code after 5 wrong tries, even if the right one comes next", async () => {
    const started = await startVerification(services, { lineE164: nextLine(), purpose: "apply", method: "callback", client: "10.0.0.3" });
    if (!started.ok) throw new Error("not started");
    const code = await spokenCodeOf(started.verificationId);
    const wrong = code === "0000" ? "1111" : "0000";
    for (let i = 1; i < MAX_ATTEMPTS; i++) expect(await checkCode(services, started.verificationId, wrong)).toMatchObject({ ok: false, reason: "wrong_code" });
    expect(await checkCode(services, started.verificationId, wrong)).toMatchObject({ ok: false, reason: "locked" });
    expect(await checkCode(services, started.verificationId, code)).toMatchObject({ ok: false, reason: "locked" });
  });

  it("resends only after 60 s, with a new code that replaces the old one", async () => {
    const line = nextLine();
    const started = await startVerification(services, { lineE164: line, purpose: "apply", method: "callback", client: "10.0.0.4" });
    if (!started.ok) throw new Error("not started");
    const first = await spokenCodeOf(started.verificationId);
    expect(await resendCode(services, started.verificationId, { lineE164: line, consentFrom: null })).toMatchObject({ ok: false, reason: "resend_too_soon" });
    services.clock.advance(RESEND_AFTER_MS + 1000);
    expect(await resendCode(services, started.verificationId, { lineE164: line, consentFrom: null })).toEqual({ ok: true });
    const second = await spokenCodeOf(started.verificationId);
    if (first !== second) expect(await checkCode(services, started.verificationId, first)).toMatchObject({ ok: false });
    expect(await checkCode(services, started.verificationId, second)).toMatchObject({ ok: true });
  });

  it("limits call-backs per line per hour, and per client", async () => {
    const line = nextLine();
    for (let i = 0; i < MAX_STARTS_PER_LINE_PER_HOUR; i++) {
      expect((await startVerification(services, { lineE164: line, purpose: "apply", method: "callback", client: `10.1.0.${i}` })).ok).toBe(true);
    }
    expect(await startVerification(services, { lineE164: line, purpose: "apply", method: "callback", client: "10.1.0.99" })).toMatchObject({ ok: false, reason: "rate_limited_line" });
    services.clock.advance(60 * 60 * 1000 + 1000);
    expect((await startVerification(services, { lineE164: line, purpose: "apply", method: "callback", client: "10.1.0.99" })).ok).toBe(true);

    for (let i = 0; i < MAX_STARTS_PER_CLIENT_PER_HOUR; i++) {
      await startVerification(services, { lineE164: nextLine(), purpose: "apply", method: "call_in", client: "10.2.0.1" });
    }
    expect(await startVerification(services, { lineE164: nextLine(), purpose: "apply", method: "call_in", client: "10.2.0.1" })).toMatchObject({ ok: false, reason: "rate_limited_client" });
  });

  it("makes the code only when the subscriber agrees, and records a refusal", async () => {
    const started = await startVerification(services, { lineE164: nextLine(), purpose: "apply", method: "callback", consentFrom: { applicantLabel: "ご家族の、山田 一郎さま" }, client: "10.3.0.1" });
    if (!started.ok) throw new Error("not started");
    expect(await checkCode(services, started.verificationId, "1234")).toMatchObject({ ok: false, reason: "not_yet" });
    expect(await recordConsent(services, started.verificationId, false)).toMatchObject({ ok: true, consent: "refused" });
    // A later "1" on the same verification does not undo the refusal.
    expect(await recordConsent(services, started.verificationId, true)).toMatchObject({ ok: true, consent: "refused", code: null });
    expect(await checkCode(services, started.verificationId, "1234")).toMatchObject({ ok: false, reason: "consent_refused" });
  });

  it("verifies a call-in from the line with the code the page showed, and not from another line", async () => {
    const line = nextLine();
    const started = await startVerification(services, { lineE164: line, purpose: "apply", method: "call_in", client: "10.4.0.1" });
    if (!started.ok || !started.code) throw new Error("not started");
    expect(await verifyCallIn(services, nextLine(), started.code)).toMatchObject({ ok: false, reason: "no_pending" });
    expect(await verifyCallIn(services, line, started.code)).toEqual({ ok: true, verificationId: started.verificationId });
  });
});
