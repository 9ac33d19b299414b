/** Applications, letters and carrier records for the back-office tests, made through the services. */
import { and, desc, eq } from "drizzle-orm";
import { ivrCalls, outbox } from "../../db/schema";
import type { CallContent } from "../../app/lib/comms.server";
import type { TestServer } from "./http";
import { callFrom } from "./ivr";
import { submitApplication, type NewApplication } from "../../app/lib/applications.server";
import type { Services } from "../../app/lib/services.server";

let counter = 0;

export async function apply(services: Services, overrides: Partial<NewApplication> & { lineE164: string }) {
  counter++;
  const result = await submitApplication(services, {
    channel: "web",
    idempotencyKey: `test-ops-${counter}-${Math.random()}`,
    actor: "applicant",
    scopes: ["incoming"],
    relation: "self",
    subscriberName: "山田 花子",
    subscriberKana: "ヤマダ ハナコ",
    postalCode: "1000001",
    address: "東京都千代田区千代田1-1",
    prefecture: 13,
    contactPhone: null,
    carrierChoice: "kddi",
    verification: { method: "callback", verifiedAt: services.now(), consentAt: null },
    ...overrides,
  });
  if (result.kind !== "created") throw new Error(`application not created: ${result.kind}`);
  return result;
}


/** An application by phone (IVR) with a name heard by speech recognition. Returns the call's row. */
export async function ivrApplication(server: TestServer, services: Services, from: string, spokenName: string) {
  const call = callFrom(server, services, from);
  await call.start();
  await call.press("1"); // apply
  await call.press("1"); // incoming only
  await call.press("2"); // another company
  await call.press("1"); // KDDI
  await call.speak(spokenName);
  await call.record();
  await call.press("1"); // 本人
  await call.press("1"); // confirm
  const [row] = await services.db.select().from(ivrCalls).where(eq(ivrCalls.callSid, call.callSid));
  if (!row?.applicationId) throw new Error("the IVR call made no application");
  return row;
}

/** A paper form requested by phone: a letter waiting for its address to be checked. */
export async function ivrFormRequest(server: TestServer, services: Services, from: string, spokenName: string, spokenAddress: string) {
  const call = callFrom(server, services, from);
  await call.start();
  await call.press("3");
  await call.speak(spokenName);
  await call.record();
  await call.press("1000001#");
  await call.speak(spokenAddress);
  await call.record();
  await call.press("1");
  const [row] = await services.db.select().from(ivrCalls).where(eq(ivrCalls.callSid, call.callSid));
  if (!row?.outboxId) throw new Error("the IVR call queued no letter");
  return row;
}

/** The latest call the outbox holds for a number. */
export async function lastCall(services: Services, to: string): Promise<{ id: string; verificationId: string | null; content: CallContent }> {
  const rows = await services.db.select().from(outbox).where(and(eq(outbox.channel, "call"))).orderBy(desc(outbox.createdAt));
  for (const row of rows) {
    if (services.pii.open(row.toEnc) === to) return { id: row.id, verificationId: row.verificationId, content: JSON.parse(services.pii.open(row.bodyEnc)) as CallContent };
  }
  throw new Error(`no call to ${to}`);
}
