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
  // Carrier dispatch. Verified applications, approved resumptions and withdrawals become orders within
  // a minute; each carrier's batch is cut on the schedule named in carriers.schedule
  // (app/domain/carrier-schedules.ts lists the names), or earlier when batch_max_size orders wait.
  { name: JOB_NAMES.planCarrierOrders, cron: "* * * * *", description: "carriers: turn verified applications, approved resumptions and withdrawals into orders" },
  { name: JOB_NAMES.cutCarriersEvery15Min, cron: "*/15 * * * *", description: "carriers: cut batches of carriers on the every-15-min schedule" },
  { name: JOB_NAMES.cutCarriersHourly, cron: "0 * * * *", description: "carriers: cut batches of carriers on the hourly schedule" },
  { name: JOB_NAMES.cutCarriersDaily1700, cron: "0 17 * * *", description: "carriers: cut batches of carriers on the daily-1700 schedule (17:00 JST)" },
  { name: JOB_NAMES.watchIntakeFolder, cron: "* * * * *", description: "paper: take new faxes from INTAKE_DIR (when set)" },
  { name: JOB_NAMES.sweepScans, cron: "*/10 * * * *", description: "paper: re-enqueue OCR of pages whose job was lost" },
  {
    name: JOB_NAMES.sweepPaperConfirmations,
    cron: "*/5 * * * *",
    description: "paper: call the line of pages waiting for its confirmation (in calling hours), retry, then hand to a person",
  },
  // Issue 12: a deleted tail of the audit log is detected by the chain check against the latest anchor;
  // the interval bounds how much of the end could go unnoticed.
  { name: JOB_NAMES.anchorAuditChain, cron: "*/10 * * * *", description: "audit: sign the chain head (id, hash, row count) into audit_anchors and the log" },
  // ADR 023: rows are written unchained, with no lock; the minute bounds how long a row stays unchained.
  { name: JOB_NAMES.chainAuditLog, cron: "* * * * *", description: "audit: chain the rows written since the last run (the chain's sequencer)" },
];

export const SCHEDULE_TIMEZONE = "Asia/Tokyo";
