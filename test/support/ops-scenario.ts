/** Applications, letters and carrier records for the back-office tests, made through the services. */
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
