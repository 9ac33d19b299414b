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
} as const;

export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

export type JobPayloads = {
  "comms.deliver": { outboxId: string };
  "comms.sweep": Record<string, never>;
  "cancellations.elapse": { cancellationId: string };
  "cancellations.sweep": Record<string, never>;
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
};
