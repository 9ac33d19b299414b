/**
 * Operator touches: every distinct item that appears in a back-office work queue (the queue listing
 * functions of app/lib/queues.server.ts, for every queue type there is) counts once. Letters to print
 * are listed apart: printing is not a decision. Items are only looked at, never worked.
 *
 * Listing a queue can be costly (the paper queue reads every page image with its row: on PGlite about
 * 30 ms per page), so the backlogs (count and oldest item, the dashboard's queueBacklogs) are read at
 * every poll and a queue is listed when its backlog changed since it was last listed — a queue whose
 * listing costs more than LIST_SLOW_MS at most every hour of simulated time — plus a safety listing of
 * every queue with items (6 h; 24 h for slow ones), and once more at the end. Items that come and go between two listings of a
 * slow queue can be missed; in this product nothing leaves a queue without a person, so none are.
 *
 * Also watched: items that need a person but that no queue lists (an application parked in
 * needs_review, a scan in exception), "needing a person, unreachable".
 */
import { randomUUID } from "node:crypto";
import { inArray } from "drizzle-orm";
import { applications, scans } from "../../db/schema";
import { listQueue, queueBacklogs, QUEUE_TYPES } from "../../app/lib/queues.server";
import type { Services } from "../../app/lib/services.server";
import { HOUR, MINUTE } from "./clock";

export type SeenItem = { type: string; id: string; firstSeen: Date; title: string; detail: string };

const LIST_SLOW_MS = 250;
const SLOW_LIST_EVERY_MS = 60 * MINUTE;
const SAFETY_LIST_EVERY_MS = 6 * HOUR;
const SLOW_SAFETY_LIST_EVERY_MS = 24 * HOUR;

export function createQueueWatch(services: Services) {
  const viewer = randomUUID();
  const seen = new Map<string, SeenItem>();
  /** Items in a state that needs a person, by kind → id → first seen. */
  const stuck = new Map<string, Map<string, Date>>();
  const last = new Map<string, { key: string; at: number; costMs: number }>();
  let listings = 0;

  async function list(type: (typeof QUEUE_TYPES)[number], key: string, now: Date) {
    const started = performance.now();
    const items = await listQueue(services, type, viewer, 100_000);
    listings++;
    for (const item of items) {
      const id = `${type}:${item.id}`;
      if (!seen.has(id)) seen.set(id, { type, id: item.id, firstSeen: now, title: item.title, detail: item.detail });
    }
    last.set(type, { key, at: now.getTime(), costMs: performance.now() - started });
  }

  async function poll(force = false): Promise<void> {
    const now = services.now();
    const backlogs = new Map((await queueBacklogs(services)).map((b) => [b.type as string, b]));
    for (const type of QUEUE_TYPES) {
      const backlog = backlogs.get(type);
      const key = backlog ? `${backlog.count}|${backlog.oldestAt ?? ""}` : "?";
      const previous = last.get(type);
      const since = previous ? now.getTime() - previous.at : Infinity;
      const changed = !previous || previous.key !== key || key === "?";
      const hasItems = !backlog || backlog.count > 0;
      const slow = previous !== undefined && previous.costMs >= LIST_SLOW_MS;
      const due =
        force ||
        (changed && (!slow || since >= SLOW_LIST_EVERY_MS)) ||
        (hasItems && since >= (slow ? SLOW_SAFETY_LIST_EVERY_MS : SAFETY_LIST_EVERY_MS));
      if (due) await list(type, key, now);
    }
    const note = (kind: string, ids: string[]) => {
      let map = stuck.get(kind);
      if (!map) stuck.set(kind, (map = new Map()));
      for (const id of ids) if (!map.has(id)) map.set(id, now);
    };
    note("application needs_review", (await services.db.select({ id: applications.id }).from(applications).where(inArray(applications.status, ["needs_review"]))).map((r) => r.id));
    note("scan exception", (await services.db.select({ id: scans.id }).from(scans).where(inArray(scans.status, ["exception"]))).map((r) => r.id));
  }

  return { poll, seen, stuck, listings: () => listings };
}

export type QueueWatch = ReturnType<typeof createQueueWatch>;
