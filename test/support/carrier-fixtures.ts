/** Helpers for the carrier dispatch tests: services with a signing key, verified applications, files. */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { carriers } from "../../db/schema";
import { submitApplication, type NewApplication } from "../../app/lib/applications.server";
import type { CarrierChoice, Scope } from "../../app/domain/carriers";
import { createTestServices, testConfig, type TestServices } from "./services";
import type { Config } from "../../app/lib/env.server";
import type { MessageProvider } from "../../app/lib/comms.server";

export const TEST_SIGNING_SEED = Buffer.alloc(32, 3);

export function carrierTestConfig(overrides: Partial<Config> = {}): Partial<Config> {
  const base = testConfig();
  return {
    ...overrides,
    secrets: { ...base.secrets, carrierSigningKey: TEST_SIGNING_SEED },
    carrier: { slaAckHours: 24, slaDoneHours: 120, pushTimeoutSeconds: 5, pushRetryLimit: 5, pushRetryDelaySeconds: 1, ...overrides.carrier },
  };
}

export function createCarrierTestServices(options: { config?: Partial<Config>; provider?: MessageProvider } = {}): Promise<TestServices> {
  return createTestServices({ config: carrierTestConfig(options.config), provider: options.provider });
}

let counter = 0;

/** A unique Tokyo fixed-line number per call: +8135550xxxx (03-5550-xxxx). */
export function nextLine(): string {
  counter++;
  return `+8135550${String(1000 + (counter % 9000)).padStart(4, "0")}`;
}

export type VerifiedApplicationInput = Partial<Omit<NewApplication, "verification">> & {
  choice?: CarrierChoice;
  scopes?: Scope[];
};

/** An application that arrives verified, as the web, IVR or paper channel would leave it. */
export async function verifiedApplication(services: TestServices, input: VerifiedApplicationInput = {}) {
  const now = services.now();
  const result = await submitApplication(services, {
    channel: input.channel ?? "web",
    idempotencyKey: input.idempotencyKey ?? `test:${randomUUID()}`,
    actor: "applicant",
    lineE164: input.lineE164 ?? nextLine(),
    scopes: input.scopes ?? ["incoming"],
    relation: "self",
    subscriberName: input.subscriberName ?? "山田 花子",
    subscriberKana: input.subscriberKana ?? "ヤマダ ハナコ",
    postalCode: input.postalCode ?? "1000001",
    address: input.address ?? "東京都千代田区千代田1-1",
    prefecture: input.prefecture === undefined ? 13 : input.prefecture,
    contactPhone: input.contactPhone ?? null,
    carrierChoice: input.choice ?? "kddi",
    verification: { method: input.channel === "ivr" ? "caller_id" : "callback", verifiedAt: now, consentAt: null },
  });
  if (result.kind !== "created") throw new Error(`application not created: ${result.kind}`);
  if (result.status !== "verified") throw new Error(`application is ${result.status}`);
  return result;
}

export async function setCarrier(services: TestServices, code: string, values: Partial<typeof carriers.$inferInsert>) {
  await services.db.update(carriers).set(values).where(eq(carriers.code, code));
}

/** A results CSV. */
export function resultsCsv(rows: { id: string; result: string; date?: string; reason?: string; note?: string }[]): string {
  return [
    "record_id,result,effective_date,reason_code,note",
    ...rows.map((r) => [r.id, r.result, r.date ?? "", r.reason ?? "", r.note ?? ""].join(",")),
  ].join("\r\n") + "\r\n";
}
