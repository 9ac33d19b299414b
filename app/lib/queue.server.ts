/**
 * The job queue: pg-boss in the same PostgreSQL (or PGlite) database as the data, so scaling out
 * needs nothing but PostgreSQL. On PGlite pg-boss talks through the single-connection adapter of
 * db/client.ts; on PostgreSQL it keeps its own small pool.
 *
 * `enqueue(..., { tx })` writes the job in the caller's transaction: the job exists if and only if the
 * change that asked for it was committed (no lost or phantom work after a crash).
 */
import { sql, type SQL } from "drizzle-orm";
import PgBoss from "pg-boss";
import type { Database, DbOrTx } from "../../db/client";
import { JOB_NAMES, QUEUE_POLICIES, type JobName, type JobPayloads } from "./jobs";
import type { Logger } from "./logger.server";

export type EnqueueOptions = {
  tx?: DbOrTx;
  /** On a "short" queue, pg-boss refuses a second job with the same key while the first waits. */
  singletonKey?: string;
  startAfter?: Date | number;
  retryLimit?: number;
};

export type JobQueue = {
  boss: PgBoss;
  enqueue<N extends JobName>(name: N, data: JobPayloads[N], options?: EnqueueOptions): Promise<string | null>;
  stop(): Promise<void>;
};

/**
 * pg-boss is written for node-postgres, which sends undefined as NULL and plain objects as JSON.
 * drizzle would drop an undefined parameter, and postgres.js refuses an object for a jsonb slot.
 */
function asParameter(value: unknown): unknown {
  if (value === undefined) return null;
  if (value !== null && typeof value === "object" && !(value instanceof Date) && !Buffer.isBuffer(value) && !Array.isArray(value)) {
    return JSON.stringify(value);
  }
  return value;
}

/** Turns "$1 … $n" text into a drizzle SQL object so pg-boss can run inside a drizzle transaction. */
export function toDrizzleSql(text: string, values: unknown[] = []): SQL {
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  parts.forEach((part, index) => {
    if (index % 2 === 0) chunks.push(sql.raw(part));
    else chunks.push(sql`${asParameter(values[Number(part) - 1])}`);
  });
  return sql.join(chunks, sql.raw(""));
}

function executorFor(tx: DbOrTx) {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      const result = (await tx.execute(toDrizzleSql(text, values))) as unknown;
      return { rows: Array.isArray(result) ? result : ((result as { rows: unknown[] }).rows ?? []) };
    },
  };
}

/**
 * How long a job may stay active before pg-boss's maintenance fails it "by timeout" and it is retried:
 * the job of a worker that died (SIGKILL, lost machine) is picked up again instead of holding its
 * queue for pg-boss's default 15 minutes. pg-boss 10 has no heartbeat, so each limit is the longest a
 * healthy run of that job takes, with a margin; expiry + MAINTENANCE_INTERVAL_SECONDS + the first
 * retry delay stays under a minute for everything but OCR of a whole scan.
 */
export const QUEUE_EXPIRY_SECONDS: Record<JobName, number> = {
  "comms.deliver": 30,
  "comms.sweep": 30,
  "cancellations.elapse": 30,
  "cancellations.sweep": 30,
  "carriers.plan": 40,
  "carriers.cut": 40,
  "carriers.cut.every-15-min": 30,
  "carriers.cut.hourly": 30,
  "carriers.cut.daily-1700": 30,
  "carriers.push": 40,
  // Tesseract over every page of a large PDF/TIFF: minutes, not seconds.
  "paper.read-scan": 300,
  "paper.watch-folder": 40,
  "paper.sweep": 40,
  "paper.confirm-sweep": 40,
  "audit.anchor": 30,
  "audit.chain": 30,
};

/** How often a worker process's pg-boss looks for expired jobs (its default is 2 minutes). */
export const MAINTENANCE_INTERVAL_SECONDS = 10;

/**
 * Creates the queues, or brings an existing queue's policy and expiry up to date. Run under the
 * schema lock (services.server.ts), so processes starting together do not race to create them.
 */
async function ensureQueues(boss: PgBoss): Promise<void> {
  for (const name of Object.values(JOB_NAMES)) {
    const wanted = { name, policy: QUEUE_POLICIES[name], expireInSeconds: QUEUE_EXPIRY_SECONDS[name] };
    const existing = await boss.getQueue(name);
    if (!existing) await boss.createQueue(name, wanted);
    else if (existing.expireInSeconds !== wanted.expireInSeconds || existing.policy !== wanted.policy) await boss.updateQueue(name, wanted);
  }
}

/**
 * `maintenance`: whether this process runs pg-boss's cron and housekeeping. Processes that run
 * workers do; web-only processes (RUN_WORKERS=false) only enqueue.
 */
export async function startJobQueue(database: Database, logger: Logger, options: { maintenance?: boolean } = {}): Promise<JobQueue> {
  const maintenance = options.maintenance ?? true;
  const connection =
    database.kind === "pglite"
      ? { db: { executeSql: (text: string, values: unknown[]) => database.executeSql(text, values) } }
      : { connectionString: database.connectionString, max: 4, application_name: "kokusai-queue" };
  const boss = new PgBoss({
    ...connection,
    schedule: maintenance,
    supervise: maintenance,
    retryLimit: 5,
    retryDelay: 5,
    retryBackoff: true,
    expireInMinutes: 15,
    maintenanceIntervalSeconds: MAINTENANCE_INTERVAL_SECONDS,
  });
  boss.on("error", (error: Error) => logger.error({ err: { message: error.message } }, "job queue error"));
  await boss.start();
  await ensureQueues(boss);
  return {
    boss,
    async enqueue(name, data, options = {}) {
      // pg-boss validates every key it is given, so leave out the ones not set.
      const sendOptions: PgBoss.SendOptions = {};
      if (options.singletonKey !== undefined) sendOptions.singletonKey = options.singletonKey;
      if (options.startAfter !== undefined) sendOptions.startAfter = options.startAfter;
      if (options.retryLimit !== undefined) sendOptions.retryLimit = options.retryLimit;
      if (options.tx) sendOptions.db = executorFor(options.tx);
      return boss.send(name, data as object, sendOptions);
    },
    async stop() {
      await boss.stop({ graceful: true, wait: true, timeout: 20_000 });
    },
  };
}
