/**
 * Every recurring job, in one file. Cron in Asia/Tokyo: the centre's day is the applicants' day.
 * pg-boss keeps one schedule per name across all worker processes, so scaling out does not multiply them.
 */
import { JOB_NAMES, type JobName } from "../app/lib/jobs";

export type Schedule = { name: JobName; cron: string; description: string };

export const SCHEDULES: readonly Schedule[] = [
  { name: JOB_NAMES.sweepOutbox, cron: "*/5 * * * *", description: "re-send delivery jobs lost between commit and pickup" },
  {
    name: JOB_NAMES.cancellationsSweep,
    cron: "*/10 * * * *",
    description: "cancellations: end cooling-offs, send unanswered intake calls to operators, lapse requests past their deadlines",
  },
];

export const SCHEDULE_TIMEZONE = "Asia/Tokyo";
