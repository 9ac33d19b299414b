/**
 * Demo data for the embedded default (`npm start`): a few applications on each channel, a family
 * cancellation waiting for review and a letter in the print queue, so the back office is not empty
 * on first sight. Created once, on an empty database, through the same services the channels use.
 */
import { sql } from "drizzle-orm";
import { applications } from "../../db/schema";
import { submitApplication, type NewApplication } from "./applications.server";
import { requestCancellation } from "./cancellations.server";
import type { Services } from "./services.server";

const PEOPLE: Omit<NewApplication, "idempotencyKey" | "actor" | "verification">[] = [
  { channel: "web", lineE164: "+81312340101", scopes: ["incoming", "outgoing"], relation: "self", subscriberName: "山田 花子", subscriberKana: "ヤマダ ハナコ", postalCode: "1000001", address: "東京都千代田区千代田1-1", prefecture: 13, carrierChoice: "kddi" },
  { channel: "web", lineE164: "+81661230102", scopes: ["incoming"], relation: "family", relationDetail: "長男", applicantName: "佐藤 一郎", subscriberName: "佐藤 ハル", subscriberKana: "サトウ ハル", postalCode: "5300001", address: "大阪府大阪市北区梅田1-1", prefecture: 27, contactPhone: "09011112222", carrierChoice: "ntt" },
  { channel: "ivr", lineE164: "+81112220103", scopes: ["incoming"], relation: "self", subscriberName: "鈴木 次郎", carrierChoice: "unknown" },
  { channel: "operator", lineE164: "+81922220104", scopes: ["incoming", "outgoing"], relation: "self", subscriberName: "高橋 三郎", subscriberKana: "タカハシ サブロウ", postalCode: "8100001", address: "福岡県福岡市中央区天神1-1", prefecture: 40, carrierChoice: "softbank" },
];

export async function seedDemoData(services: Services): Promise<boolean> {
  const [{ n } = { n: 0 }] = await services.db.select({ n: sql<number>`count(*)::int` }).from(applications);
  if (Number(n) > 0) return false;
  const now = services.now();
  for (const [i, person] of PEOPLE.entries()) {
    await submitApplication(services, {
      ...person,
      idempotencyKey: `demo:${i}`,
      actor: "system:demo",
      verification:
        person.channel === "ivr"
          ? { method: "caller_id", verifiedAt: now, consentAt: null }
          : person.channel === "operator"
            ? { method: null, verifiedAt: null, consentAt: null }
            : { method: "callback", verifiedAt: now, consentAt: person.relation === "self" ? null : now },
    });
  }
  // A family member asks to cancel the suspension a subscriber applied for: the centre calls the line
  // to ask the subscriber (the call waits in the outbox; answer it from the back office).
  await requestCancellation(services, {
    channel: "web",
    idempotencyKey: "demo:cancel",
    actor: "system:demo",
    lineE164: "+81312340101",
    requesterRelation: "family",
    requesterRelationDetail: "おい",
    requesterName: "山田 健",
    requesterContact: "09033334444",
    reasonCode: "need_international",
    lineVerification: "none",
  });
  await services.comms.queueLetter({
    idempotencyKey: "demo:letter",
    purpose: "form_request",
    to: "〒100-0001 東京都千代田区千代田1-1 山田 花子",
    template: "application-form-prefilled",
    data: { number: "+81312340101", name: "山田 花子", postalCode: "1000001", address: "東京都千代田区千代田1-1" },
  });
  services.logger.info("demo data created");
  return true;
}
