/**
 * Background work without pg-boss polling: the bench fetches queued jobs itself and runs the same
 * handlers the workers run (workers/handlers.ts), and runs each schedule of workers/schedules.ts at its
 * cron minute on the simulated clock. Jobs enqueued with a startAfter (a cooling-off's end) are held
 * until the simulated clock reaches it, whatever the real date is.
 */
import { sql } from "drizzle-orm";
import type { Services } from "../../app/lib/services.server";
import { HANDLERS } from "../../workers/handlers";
import { SCHEDULES } from "../../workers/schedules";
import { cronMatches } from "./clock";

type AnyHandler = (services: Services, data: unknown) => Promise<void>;
const handlers = HANDLERS as unknown as Record<string, AnyHandler>;

export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as T[];
}

export type JobStats = { ran: Map<string, number>; failed: Map<string, number>; failures: string[]; cronRuns: number; handlerMs: Map<string, number> };

export function createJobDriver(services: Services) {
  const { boss } = services.queue;
  const deferred: { name: string; id: string; data: unknown; startAfter: Date }[] = [];
  const stats: JobStats = { ran: new Map(), failed: new Map(), failures: [], cronRuns: 0, handlerMs: new Map() };
  const bump = (map: Map<string, number>, key: string, by = 1) => map.set(key, (map.get(key) ?? 0) + by);

  async function run(name: string, id: string | null, data: unknown): Promise<void> {
    const handler = handlers[name];
    const started = performance.now();
    try {
      if (!handler) throw new Error(`no handler for ${name}`);
      await handler(services, data);
      if (id) await boss.complete(name, id);
      bump(stats.ran, name);
    } catch (error) {
      bump(stats.failed, name);
      if (stats.failures.length < 20) stats.failures.push(`${name}: ${(error as Error).message}`.slice(0, 300));
      if (id) await boss.fail(name, id, { message: (error as Error).message }).catch(() => {});
    } finally {
      bump(stats.handlerMs, name, performance.now() - started);
    }
  }

  async function pendingNames(): Promise<string[]> {
    const result = await services.db.execute(
      sql`select name from pgboss.job where state in ('created','retry') and start_after <= now() group by name`,
    );
    return rowsOf<{ name: string }>(result).map((r) => r.name).filter((n) => n in handlers);
  }

  /** Runs every job that is due now (and what those jobs enqueue), until none is left. */
  async function runDue(): Promise<number> {
    let total = 0;
    const now = services.now();
    for (let i = deferred.length - 1; i >= 0; i--) {
      const job = deferred[i]!;
      if (job.startAfter <= now) {
        deferred.splice(i, 1);
        await run(job.name, job.id, job.data);
        total++;
      }
    }
    for (let round = 0; round < 200; round++) {
      const names = await pendingNames();
      let ran = 0;
      for (const name of names) {
        const jobs = await boss.fetch(name, { batchSize: 20, includeMetadata: true });
        for (const job of jobs) {
          // An explicit startAfter (not the enqueue time) is simulated time: hold the job until then.
          const explicit = job.startAfter.getTime() - job.createdOn.getTime() > 2000;
          if (explicit && job.startAfter > services.now()) {
            deferred.push({ name, id: job.id, data: job.data, startAfter: job.startAfter });
            continue;
          }
          await run(name, job.id, job.data);
          ran++;
        }
      }
      total += ran;
      if (ran === 0) break;
    }
    return total;
  }

  /** Runs the schedules whose cron fires at this minute, as pg-boss's cron would enqueue them. */
  async function runCron(at: Date): Promise<void> {
    for (const schedule of SCHEDULES) {
      if (!cronMatches(schedule.cron, at)) continue;
      stats.cronRuns++;
      await run(schedule.name, null, {});
    }
  }

  return { runDue, runCron, stats, deferredCount: () => deferred.length };
}

export type JobDriver = ReturnType<typeof createJobDriver>;
