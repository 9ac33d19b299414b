/**
 * Enqueueing carrier jobs with their own retry policy (the shared queue.enqueue has no retry delay or
 * backoff option). Written in the caller's transaction when given, like queue.enqueue.
 */
import type PgBoss from "pg-boss";
import type { DbOrTx } from "../../db/client";
import type { JobName, JobPayloads } from "./jobs";
import { toDrizzleSql } from "./queue.server";
import type { Services } from "./services.server";

export type RetryPolicy = { retryLimit: number; retryDelaySeconds: number; retryBackoff: boolean };

export async function enqueueWithRetry<N extends JobName>(
  services: Pick<Services, "queue">,
  name: N,
  data: JobPayloads[N],
  options: { tx?: DbOrTx; singletonKey?: string; retry: RetryPolicy },
): Promise<string | null> {
  const send: PgBoss.SendOptions = {
    retryLimit: options.retry.retryLimit,
    retryDelay: options.retry.retryDelaySeconds,
    retryBackoff: options.retry.retryBackoff,
  };
  if (options.singletonKey !== undefined) send.singletonKey = options.singletonKey;
  if (options.tx) {
    const tx = options.tx;
    send.db = {
      async executeSql(text: string, values: unknown[] = []) {
        const result = (await tx.execute(toDrizzleSql(text, values))) as unknown;
        return { rows: Array.isArray(result) ? result : ((result as { rows: unknown[] }).rows ?? []) };
      },
    };
  }
  return services.queue.boss.send(name, data as object, send);
}

/** Rows of a raw `tx.execute`, whichever driver answered (postgres.js: an array; PGlite: { rows }). */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as T[];
}
