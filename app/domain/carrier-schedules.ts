/**
 * The batch schedules a carrier can be on, by name (carriers.schedule). Their cron expressions live
 * with every other schedule in workers/schedules.ts; test/domain/carrier-schedules.test.ts checks
 * that each name here has one there.
 */
export const BATCH_SCHEDULES = ["every-15-min", "hourly", "daily-1700"] as const;
export type BatchSchedule = (typeof BATCH_SCHEDULES)[number];

export const BATCH_SCHEDULE_LABELS: Readonly<Record<BatchSchedule, string>> = {
  "every-15-min": "15分ごと",
  hourly: "1時間ごと（毎時0分）",
  "daily-1700": "毎日17時（日本時間）",
};

export function isBatchSchedule(value: unknown): value is BatchSchedule {
  return typeof value === "string" && (BATCH_SCHEDULES as readonly string[]).includes(value);
}

/** pg-boss job that cuts the batches of every carrier on the schedule. */
export function scheduleJobName(schedule: BatchSchedule): `carriers.cut.${BatchSchedule}` {
  return `carriers.cut.${schedule}`;
}
