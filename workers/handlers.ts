/**
 * Job handlers: each takes the services and the job's payload (ids only). A handler must be safe to
 * run twice for the same job: pg-boss retries failures and re-runs jobs whose worker died.
 */
import { and, eq, lt, sql } from "drizzle-orm";
import { outbox } from "../db/schema";
import { JOB_NAMES, type JobName, type JobPayloads } from "../app/lib/jobs";
import type { Services } from "../app/lib/services.server";
import { CARRIER_JOB_HANDLERS } from "../app/lib/carrier-dispatch.server";
import { elapseCoolingOff, sweepCancellations } from "../app/lib/cancellations.server";
import { ingestFolder } from "../app/lib/paper-intake.server";
import { readScan, sweepScans } from "../app/lib/paper-ocr.server";
import { sweepPaperConfirmations } from "../app/lib/paper-confirmation.server";
import { formReader } from "./ocr-reader";

export type Handler<N extends JobName> = (services: Services, data: JobPayloads[N]) => Promise<void>;
export type HandlerTable = { [N in JobName]: Handler<N> };

/** Queued messages older than this without delivery are re-enqueued by the sweep. */
export const STUCK_AFTER_MS = 5 * 60 * 1000;
/**
 * A row left in "sending" this long belongs to a worker that died mid-delivery. It is marked failed
 * and retried: the provider may have sent it already, and a second call or SMS is the lesser harm
 * than a verification code that never arrives.
 */
export const STALE_SENDING_MS = 10 * 60 * 1000;

export const HANDLERS: HandlerTable = {
  [JOB_NAMES.deliverMessage]: async (services, { outboxId }) => {
    await services.comms.deliver(outboxId);
  },
  [JOB_NAMES.sweepOutbox]: async (services) => {
    const cutoff = (ms: number) => new Date(services.now().getTime() - ms);
    const abandoned = await services.db
      .update(outbox)
      .set({ status: "failed", lastError: "stale:sending", updatedAt: services.now() })
      .where(and(eq(outbox.status, "sending"), lt(outbox.updatedAt, cutoff(STALE_SENDING_MS))))
      .returning({ id: outbox.id });
    const stuck = await services.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        and(
          sql`${outbox.status} in ('queued','failed')`,
          sql`${outbox.channel} <> 'letter'`,
          lt(outbox.updatedAt, cutoff(STUCK_AFTER_MS)),
        ),
      )
      .limit(500);
    for (const row of [...abandoned, ...stuck]) {
      // On the "short" queue the singleton key makes this a no-op while the row's job still waits.
      await services.queue.enqueue(JOB_NAMES.deliverMessage, { outboxId: row.id }, { singletonKey: row.id });
    }
  },
  [JOB_NAMES.cancellationElapse]: async (services, { cancellationId }) => {
    await elapseCoolingOff(services, cancellationId);
  },
  [JOB_NAMES.cancellationsSweep]: async (services) => {
    const counts = await sweepCancellations(services);
    services.logger.debug({ ...counts }, "cancellations swept");
  },
  ...CARRIER_JOB_HANDLERS,
  [JOB_NAMES.readScan]: async (services, { scanId }) => {
    await readScan(services, await formReader(), scanId);
  },
  [JOB_NAMES.watchIntakeFolder]: async (services) => {
    if (services.config.intakeDir) await ingestFolder(services, services.config.intakeDir);
  },
  [JOB_NAMES.sweepScans]: async (services) => {
    await sweepScans(services);
  },
  [JOB_NAMES.anchorAuditChain]: async (services) => {
    const anchor = await services.audit.anchorHead();
    // The log is the copy the database cannot rewrite: ids, a hash, a count and a signature, no personal data.
    if (anchor) services.logger.info({ auditAnchor: anchor }, "audit chain anchored");
  },
  [JOB_NAMES.chainAuditLog]: async (services) => {
    const chained = await services.audit.chainPending();
    if (chained > 0) services.logger.debug({ chained }, "audit rows chained");
  },
  [JOB_NAMES.sweepPaperConfirmations]: async (services) => {
    const counts = await sweepPaperConfirmations(services);
    if (counts.called + counts.heldUnanswered + counts.rerouted > 0) services.logger.info(counts, "paper confirmations swept");
  },
};
