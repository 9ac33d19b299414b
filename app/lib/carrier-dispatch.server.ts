/**
 * The carrier dispatch jobs (registered in workers/handlers.ts; schedules in workers/schedules.ts).
 * Each is safe to run twice: planning and cutting are idempotent, and a push that already went
 * through is skipped.
 */
import { and, eq } from "drizzle-orm";
import { carriers } from "../../db/schema";
import type { BatchSchedule } from "../domain/carrier-schedules";
import { cutDueBatches } from "./carrier-batches.server";
import { planCarrierOrders } from "./carrier-orders.server";
import { pushBatch } from "./carrier-push.server";
import { JOB_NAMES, type JobPayloads } from "./jobs";
import type { Services } from "./services.server";

/** Enqueues a cut for every active carrier on the schedule (one job each, so one carrier's trouble does not hold up the rest). */
export async function cutCarriersOnSchedule(services: Services, schedule: BatchSchedule): Promise<string[]> {
  const due = await services.db
    .select({ code: carriers.code })
    .from(carriers)
    .where(and(eq(carriers.active, true), eq(carriers.schedule, schedule)));
  for (const { code } of due) {
    await services.queue.enqueue(JOB_NAMES.cutCarrierBatch, { carrierCode: code, reason: "schedule" }, { singletonKey: `${code}:schedule` });
  }
  return due.map((d) => d.code);
}

type CarrierJob =
  | "carriers.plan"
  | "carriers.cut"
  | "carriers.cut.every-15-min"
  | "carriers.cut.hourly"
  | "carriers.cut.daily-1700"
  | "carriers.push";

export const CARRIER_JOB_HANDLERS: { [N in CarrierJob]: (services: Services, data: JobPayloads[N]) => Promise<void> } = {
  "carriers.plan": async (services) => {
    const result = await planCarrierOrders(services);
    if (result.queued + result.resumptions + result.cancelled + result.exceptions > 0) services.logger.info(result, "carrier orders planned");
  },
  "carriers.cut": async (services, { carrierCode, reason }) => {
    // Plan first, so an application verified a moment ago goes out in this batch rather than the next.
    if (reason === "schedule") await planCarrierOrders(services);
    await cutDueBatches(services, carrierCode, reason === "schedule" ? "all" : "full");
  },
  "carriers.cut.every-15-min": async (services) => {
    await cutCarriersOnSchedule(services, "every-15-min");
  },
  "carriers.cut.hourly": async (services) => {
    await cutCarriersOnSchedule(services, "hourly");
  },
  "carriers.cut.daily-1700": async (services) => {
    await cutCarriersOnSchedule(services, "daily-1700");
  },
  "carriers.push": async (services, { batchId }) => {
    await pushBatch(services, batchId);
  },
};
