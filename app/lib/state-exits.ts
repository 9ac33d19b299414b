/**
 * No state without a way out (issue 11): for every status of an application, a scanned page and a
 * cancellation request, what moves it on — a work queue a person sees, a timer (a scheduled job), an
 * automatic next step taken in the same transaction, a party outside the centre watched by a
 * deadline, or nothing because it is finished. Plain data, no I/O; test/lib/state-exits.test.ts
 * walks every status against the queues, the schedules and the state tables, and fails on a status
 * that is missing or whose way out does not exist.
 */
import { STATUSES as APPLICATION_STATUSES, type ApplicationStatus } from "../domain/application-state";
import { CANCELLATION_STATUS_EXITS as DOMAIN_CANCELLATION_EXITS, CANCELLATION_STATUSES, type CancellationStatus } from "../domain/cancellation-state";
import type { JobName } from "./jobs";
import type { QueueType } from "./queue-info";

export type Exit =
  /** A person works it from this back-office queue. */
  | { kind: "queue"; queue: QueueType }
  /** A scheduled job moves it on (or hands it to a queue when its time is up). */
  | { kind: "timer"; job: JobName; what: string }
  /** The code that enters the status leaves it in the same transaction (never seen at rest). */
  | { kind: "automatic"; what: string }
  /** A party outside the centre answers; a deadline job or page watches for the answer that does not come. */
  | { kind: "external"; party: "carrier"; watchedBy: string }
  /** Finished: nothing more happens (a new request starts a new record). */
  | { kind: "done" };

/** The statuses a scanned page can have (scans.status). */
export const SCAN_STATUSES = ["pending", "ocr_done", "needs_review", "exception", "confirming", "verified", "closed"] as const;
export type ScanStatus = (typeof SCAN_STATUSES)[number];

export const APPLICATION_STATUS_EXITS: Readonly<Record<ApplicationStatus, readonly Exit[]>> = {
  received: [{ kind: "automatic", what: "submitApplication moves it to verified or needs_review in the same transaction" }],
  verified: [{ kind: "timer", job: "carriers.plan", what: "the planner makes its carrier orders within a minute" }],
  needs_review: [{ kind: "queue", queue: "application" }],
  queued: [{ kind: "timer", job: "carriers.cut.every-15-min", what: "its carrier's batch is cut on the carrier's schedule" }],
  sent: [{ kind: "external", party: "carrier", watchedBy: "carrier SLA (acknowledgement and result deadlines, /ops/sla)" }],
  acknowledged: [{ kind: "external", party: "carrier", watchedBy: "carrier SLA (result deadline, /ops/sla)" }],
  // Done for the centre; a resumption comes only through a new cancellation request.
  completed: [{ kind: "done" }],
  rejected: [
    { kind: "automatic", what: "NOT_OUR_SUBSCRIBER is re-routed to the carriers not asked yet" },
    { kind: "queue", queue: "carrier" },
  ],
  withdrawn: [{ kind: "done" }],
  resumed: [{ kind: "done" }],
};

export const SCAN_STATUS_EXITS: Readonly<Record<ScanStatus, readonly Exit[]>> = {
  pending: [{ kind: "timer", job: "paper.sweep", what: "the OCR job reads it; the sweep re-enqueues a page whose job was lost" }],
  ocr_done: [
    { kind: "timer", job: "paper.confirm-sweep", what: "a page left here by a crash after the OCR is routed again" },
    { kind: "queue", queue: "paper" },
  ],
  needs_review: [{ kind: "queue", queue: "paper" }],
  exception: [{ kind: "queue", queue: "paper" }],
  confirming: [{ kind: "timer", job: "paper.confirm-sweep", what: "calls the line in calling hours, retries, then hands the page to the paper queue" }],
  verified: [{ kind: "done" }],
  closed: [{ kind: "done" }],
};

/**
 * Cancellations keep their own table next to their state machine (domain/cancellation-state.ts);
 * here its timers are tied to the job that runs them (the cancellation sweep, every 10 minutes).
 */
export const CANCELLATION_STATUS_EXITS: Readonly<Record<CancellationStatus, readonly Exit[]>> = Object.fromEntries(
  CANCELLATION_STATUSES.map((status) => {
    const exit = DOMAIN_CANCELLATION_EXITS[status];
    const mapped: Exit =
      exit.kind === "queue"
        ? { kind: "queue", queue: "cancellation" }
        : exit.kind === "timer"
          ? { kind: "timer", job: "cancellations.sweep", what: exit.what }
          : exit.kind === "automatic"
            ? { kind: "automatic", what: exit.what }
            : { kind: "done" };
    return [status, [mapped]];
  }),
) as unknown as Record<CancellationStatus, readonly Exit[]>;

export { APPLICATION_STATUSES, CANCELLATION_STATUSES };
