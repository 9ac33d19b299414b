/**
 * Names and payloads of background jobs. Enqueued by services in app/lib, handled in workers/.
 * Payloads carry ids only: personal data stays sealed in its table.
 */
export const JOB_NAMES = {
  deliverMessage: "comms.deliver",
  /** Re-enqueues outbox rows whose delivery job was lost (a crash between commit and pickup). */
  sweepOutbox: "comms.sweep",
  /** A cancellation's cooling-off is over: approve it (enqueued with startAfter when the cooling-off starts). */
  cancellationElapse: "cancellations.elapse",
  /** Cancellation deadlines: cooling-offs over, intake calls unanswered, requests lapsed, held requests settled. */
  cancellationsSweep: "cancellations.sweep",
  /** Carrier dispatch: turns verified applications, approved resumptions and withdrawals into orders. */
  planCarrierOrders: "carriers.plan",
  /** Cuts one carrier's batches (on its schedule, or when batch_max_size orders wait). */
  cutCarrierBatch: "carriers.cut",
  /** One per batch schedule (app/domain/carrier-schedules.ts): cuts every carrier on that schedule. */
  cutCarriersEvery15Min: "carriers.cut.every-15-min",
  cutCarriersHourly: "carriers.cut.hourly",
  cutCarriersDaily1700: "carriers.cut.daily-1700",
  /** POSTs a batch to a push-mode carrier; retried with backoff by pg-boss. */
  pushCarrierBatch: "carriers.push",
  /** OCR of one scanned page (paper and FAX intake). */
  readScan: "paper.read-scan",
  /** Takes new files from the FAX server's folder (INTAKE_DIR). */
  watchIntakeFolder: "paper.watch-folder",
  /** Re-enqueues pages whose OCR job was lost. */
  sweepScans: "paper.sweep",
  /** Paper pages waiting for the line's confirmation: first call in calling hours, retries, then a person. */
  sweepPaperConfirmations: "paper.confirm-sweep",
  /** Signs the audit chain's head and writes it to audit_anchors and the log (issue 12). */
  anchorAuditChain: "audit.anchor",
  /** The audit chain's sequencer: chains the rows written since the last run (ADR 023). */
  chainAuditLog: "audit.chain",
} as const;

export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

export type JobPayloads = {
  "comms.deliver": { outboxId: string };
  "comms.sweep": Record<string, never>;
  "cancellations.elapse": { cancellationId: string };
  "cancellations.sweep": Record<string, never>;
  "carriers.plan": Record<string, never>;
  "carriers.cut": { carrierCode: string; reason: "schedule" | "size" };
  "carriers.cut.every-15-min": Record<string, never>;
  "carriers.cut.hourly": Record<string, never>;
  "carriers.cut.daily-1700": Record<string, never>;
  "carriers.push": { batchId: string };
  "paper.read-scan": { scanId: string };
  "paper.watch-folder": Record<string, never>;
  "paper.sweep": Record<string, never>;
  "paper.confirm-sweep": Record<string, never>;
  "audit.anchor": Record<string, never>;
  "audit.chain": Record<string, never>;
};

/**
 * pg-boss queue policies. "short": at most one waiting job per singleton key (delivery jobs are keyed
 * by outbox row, so a sweep that re-enqueues a row whose job still waits adds nothing).
 */
export const QUEUE_POLICIES: Record<JobName, "standard" | "short" | "singleton" | "stately"> = {
  "comms.deliver": "short",
  "comms.sweep": "singleton",
  "cancellations.elapse": "short",
  "cancellations.sweep": "singleton",
  // Stately: one run at a time and at most one more waiting, so a trigger during a run is not lost.
  "carriers.plan": "stately",
  // Short: at most one waiting per carrier and trigger, so a trigger during a run is not lost. Not
  // stately: in pg-boss 10 a stately job waiting behind a stuck one of the same key fails every fetch
  // of the queue, so one carrier's dead cut would stop every carrier's (issue 12). Cuts of one carrier
  // take turns under cutBatch's per-carrier advisory lock instead.
  "carriers.cut": "short",
  "carriers.cut.every-15-min": "singleton",
  "carriers.cut.hourly": "singleton",
  "carriers.cut.daily-1700": "singleton",
  "carriers.push": "short",
  "paper.read-scan": "short",
  "paper.watch-folder": "singleton",
  "paper.sweep": "singleton",
  "paper.confirm-sweep": "singleton",
  "audit.anchor": "singleton",
  "audit.chain": "singleton",
};
