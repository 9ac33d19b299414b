/** Builders for cancellation tests: applications in a given state, the calls to a line, the notices sent. */
import { randomUUID } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { applications, cancellations, lines, outbox, verifications } from "../../db/schema";
import type { ApplicationStatus } from "../../app/domain/application-state";
import { changeStatus, submitApplication } from "../../app/lib/applications.server";
import type { Services } from "../../app/lib/services.server";

const PATH: Partial<Record<ApplicationStatus, ApplicationStatus[]>> = {
  verified: [],
  queued: ["queued"],
  sent: ["queued", "sent"],
  acknowledged: ["queued", "sent", "acknowledged"],
  completed: ["queued", "sent", "completed"],
};

export type ApplicationSpec = {
  e164: string;
  relation?: "self" | "family" | "other";
  contactPhone?: string | null;
  status?: ApplicationStatus;
  address?: string | null;
  channel?: "web" | "ivr" | "paper" | "operator";
};

/** An application on the line, verified and moved along to `status` (default: completed). */
export async function applicationIn(services: Services, spec: ApplicationSpec): Promise<{ applicationId: string; lineId: string; reference: string }> {
  const relation = spec.relation ?? "self";
  const now = services.now();
  const result = await submitApplication(services, {
    channel: spec.channel ?? "web",
    idempotencyKey: `test:${randomUUID()}`,
    actor: "applicant",
    lineE164: spec.e164,
    scopes: ["incoming"],
    relation,
    relationDetail: relation === "self" ? null : "長男",
    applicantName: relation === "self" ? null : "山田 一郎",
    subscriberName: "山田 花子",
    subscriberKana: "ヤマダ ハナコ",
    postalCode: "1000001",
    address: spec.address === undefined ? "東京都千代田区千代田1-1" : spec.address,
    prefecture: 13,
    contactPhone: spec.contactPhone ?? null,
    carrierChoice: "kddi",
    verification: { method: "callback", verifiedAt: now, consentAt: relation === "self" ? null : now },
  });
  if (result.kind !== "created") throw new Error(`application not created: ${result.kind}`);
  await moveApplication(services, result.applicationId, spec.status ?? "completed");
  const [row] = await services.db.select().from(applications).where(eq(applications.id, result.applicationId));
  return { applicationId: result.applicationId, lineId: row!.lineId, reference: result.reference };
}

/** Moves a verified application along the carrier path (what the dispatch workers would do). */
export async function moveApplication(services: Services, applicationId: string, to: ApplicationStatus): Promise<void> {
  const steps = PATH[to];
  if (!steps) throw new Error(`no test path to ${to}`);
  await services.db.transaction(async (tx) => {
    const [row] = await tx.select({ status: applications.status }).from(applications).where(eq(applications.id, applicationId));
    let from = row!.status as ApplicationStatus;
    for (const next of steps.slice(steps.indexOf(from) + 1)) {
      await changeStatus(tx, { applicationId, from, to: next, actor: "carrier:kddi", at: services.now() });
      from = next;
    }
  });
  if (to === "completed") {
    const [row] = await services.db.select({ lineId: applications.lineId }).from(applications).where(eq(applications.id, applicationId));
    await services.db.update(lines).set({ incomingSuspension: "active" }).where(eq(lines.id, row!.lineId));
  }
}

export async function cancellationById(services: Services, id: string) {
  const [row] = await services.db.select().from(cancellations).where(eq(cancellations.id, id));
  return row!;
}

export async function applicationById(services: Services, id: string) {
  const [row] = await services.db.select().from(applications).where(eq(applications.id, id));
  return row!;
}

/** The newest confirmation call of a request. */
export async function latestCallOf(services: Services, cancellationId: string) {
  const [row] = await services.db
    .select()
    .from(verifications)
    .where(and(eq(verifications.cancellationId, cancellationId), eq(verifications.purpose, "cancel")))
    .orderBy(desc(verifications.createdAt))
    .limit(1);
  if (!row) throw new Error("no confirmation call");
  return row;
}

/** The messages sent about a request, opened. */
export async function messagesOf(services: Services, cancellationId: string) {
  const rows = await services.db.select().from(outbox).where(eq(outbox.cancellationId, cancellationId)).orderBy(outbox.createdAt);
  return rows.map((row) => ({ channel: row.channel, purpose: row.purpose, to: services.pii.open(row.toEnc), body: services.pii.open(row.bodyEnc), template: row.template }));
}

/** The 8-digit objection code of the cooling-off notice. */
export async function objectionCodeOf(services: Services, cancellationId: string): Promise<string> {
  for (const message of await messagesOf(services, cancellationId)) {
    const match = message.body.match(/確認コード (\d{8})/);
    if (match) return match[1]!;
  }
  throw new Error("no cooling-off notice with a code");
}

export const DAY = 24 * 60 * 60 * 1000;
export const HOUR = 60 * 60 * 1000;
