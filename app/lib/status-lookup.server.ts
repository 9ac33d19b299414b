/**
 * /status: an applicant looks up an application by reference number and line. Failed look-ups are
 * limited per client (STATUS_LOOKUP_LIMIT, counted in the rate-limit table) so reference numbers cannot
 * be found by trying; every look-up is audited, the failure's count and its audit row in one
 * transaction (issue 12).
 */
import { findStatus } from "./applications.server";
import { checkLimit, recordHit, STATUS_LOOKUP_LIMIT } from "./rate-limit.server";
import type { Services } from "./services.server";

export type StatusLookup =
  | { kind: "limited" }
  | { kind: "not_found" }
  | ({ kind: "found" } & NonNullable<Awaited<ReturnType<typeof findStatus>>>);

export async function lookupStatus(services: Services, input: { reference: string; lineE164: string; clientIp: string }): Promise<StatusLookup> {
  if ((await checkLimit(services, STATUS_LOOKUP_LIMIT, input.clientIp)).limited) return { kind: "limited" };
  const found = await findStatus(services, input.reference, input.lineE164);
  await services.db.transaction(async (tx) => {
    if (!found) await recordHit(services, STATUS_LOOKUP_LIMIT, input.clientIp, tx);
    await services.audit.record({ actor: "applicant", action: found ? "status.lookup" : "status.lookup_failed", subjectType: "application", ip: input.clientIp }, tx);
  });
  return found ? { kind: "found", ...found } : { kind: "not_found" };
}
