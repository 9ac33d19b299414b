/**
 * Claims on queue items: one operator at a time works an item.
 *
 * A claim is one row per (item_type, item_id), unique in the database. Claiming is a single
 * INSERT … ON CONFLICT DO UPDATE … WHERE: it inserts, or takes over the existing row only when that
 * claim has expired or is already the claimer's own, and otherwise changes nothing and returns no row.
 * PostgreSQL evaluates the WHERE against the committed row after waiting for any concurrent insert, so
 * of two operators racing for one item exactly one wins — without application-level locks, on any
 * number of web processes.
 *
 * Claims end by expiry (CLAIM_TTL_MS after the last touch), by release (the row is deleted), or by
 * completion (the row stays with completed_at, and the item is never offered again).
 */
import { and, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { operators, workClaims } from "../../db/schema";
import type { Services } from "./services.server";

export const CLAIM_TTL_MS = 30 * 60 * 1000;

export type ClaimHolder = { operatorId: string; displayName: string; expiresAt: string; mine: boolean };

export type ClaimResult =
  | { ok: true; expiresAt: Date; renewed: boolean }
  | { ok: false; reason: "held"; holder: { operatorId: string; displayName: string; expiresAt: Date } }
  | { ok: false; reason: "completed" };

type Deps = Pick<Services, "db" | "now">;

export type ItemRef = { itemType: string; itemId: string };

/** Claims an item for the operator (or renews the operator's own claim). */
export async function claimItem(services: Deps, input: ItemRef & { operatorId: string; ttlMs?: number }, tx?: DbOrTx): Promise<ClaimResult> {
  const db = tx ?? services.db;
  const now = services.now();
  const expiresAt = new Date(now.getTime() + (input.ttlMs ?? CLAIM_TTL_MS));
  const won = await db
    .insert(workClaims)
    .values({ itemType: input.itemType, itemId: input.itemId, operatorId: input.operatorId, claimedAt: now, expiresAt })
    .onConflictDoUpdate({
      target: [workClaims.itemType, workClaims.itemId],
      set: {
        // Taking over an expired claim starts a new one; renewing one's own keeps when it started.
        claimedAt: sql`case when ${workClaims.operatorId} = ${input.operatorId}::uuid then ${workClaims.claimedAt} else excluded.claimed_at end`,
        operatorId: sql`excluded.operator_id`,
        expiresAt: sql`excluded.expires_at`,
      },
      setWhere: sql`${workClaims.completedAt} is null and (${workClaims.expiresAt} <= ${now.toISOString()}::timestamptz or ${workClaims.operatorId} = ${input.operatorId}::uuid)`,
    })
    .returning({ claimedAt: workClaims.claimedAt });
  if (won[0]) return { ok: true, expiresAt, renewed: won[0].claimedAt.getTime() !== now.getTime() };
  const [held] = await db
    .select({ claim: workClaims, displayName: operators.displayName })
    .from(workClaims)
    .innerJoin(operators, eq(operators.id, workClaims.operatorId))
    .where(and(eq(workClaims.itemType, input.itemType), eq(workClaims.itemId, input.itemId)));
  if (!held || held.claim.completedAt) return { ok: false, reason: "completed" };
  return { ok: false, reason: "held", holder: { operatorId: held.claim.operatorId, displayName: held.displayName, expiresAt: held.claim.expiresAt } };
}

/**
 * Gives an item back to the queue. Only the holder releases it, unless `force` (a supervisor taking
 * an item from someone who went home). Returns whether a claim was released.
 */
export async function releaseItem(services: Deps, input: ItemRef & { operatorId: string; force?: boolean }, tx?: DbOrTx): Promise<boolean> {
  const db = tx ?? services.db;
  const conditions = [eq(workClaims.itemType, input.itemType), eq(workClaims.itemId, input.itemId), isNull(workClaims.completedAt)];
  if (!input.force) conditions.push(eq(workClaims.operatorId, input.operatorId));
  const deleted = await db.delete(workClaims).where(and(...conditions)).returning({ id: workClaims.id });
  return deleted.length > 0;
}

/** Who asked, for the audit row written with a claim or a release. */
export type ClaimAudit = { subjectType: string; ip: string | null };

/**
 * claimItem with its audit row ('queue.claim') in the same transaction (issue 12): the claim and its
 * record commit together or not at all.
 */
export async function claimItemAudited(
  services: Pick<Services, "db" | "now" | "audit">,
  input: ItemRef & { operatorId: string; ttlMs?: number; audit: ClaimAudit },
): Promise<ClaimResult> {
  return services.db.transaction(async (tx) => {
    const result = await claimItem(services, input, tx);
    if (result.ok) {
      await services.audit.record(
        { actor: `operator:${input.operatorId}`, action: "queue.claim", subjectType: input.audit.subjectType, subjectId: input.itemId, ip: input.audit.ip, detail: { renewed: result.renewed } },
        tx,
      );
    }
    return result;
  });
}

/** releaseItem with its audit row ('queue.release', or 'queue.release_other' when forced) in the same transaction. */
export async function releaseItemAudited(
  services: Pick<Services, "db" | "now" | "audit">,
  input: ItemRef & { operatorId: string; force?: boolean; audit: ClaimAudit },
): Promise<boolean> {
  return services.db.transaction(async (tx) => {
    const released = await releaseItem(services, input, tx);
    if (released) {
      await services.audit.record(
        { actor: `operator:${input.operatorId}`, action: input.force ? "queue.release_other" : "queue.release", subjectType: input.audit.subjectType, subjectId: input.itemId, ip: input.audit.ip },
        tx,
      );
    }
    return released;
  });
}

/** True when the operator holds an unexpired claim on the item. */
export async function holdsClaim(services: Deps, input: ItemRef & { operatorId: string }, tx?: DbOrTx): Promise<boolean> {
  const db = tx ?? services.db;
  const [row] = await db
    .select({ id: workClaims.id })
    .from(workClaims)
    .where(
      and(
        eq(workClaims.itemType, input.itemType),
        eq(workClaims.itemId, input.itemId),
        eq(workClaims.operatorId, input.operatorId),
        isNull(workClaims.completedAt),
        gt(workClaims.expiresAt, services.now()),
      ),
    );
  return Boolean(row);
}

/**
 * Marks the item done by its holder, in the caller's transaction (with the work itself). Returns false
 * when the operator does not hold the claim (expired and taken, or released): the caller rolls back.
 */
export async function completeItem(services: Deps, input: ItemRef & { operatorId: string; outcome: string }, tx?: DbOrTx): Promise<boolean> {
  const db = tx ?? services.db;
  const now = services.now();
  const done = await db
    .update(workClaims)
    .set({ completedAt: now, outcome: input.outcome, expiresAt: now })
    .where(
      and(
        eq(workClaims.itemType, input.itemType),
        eq(workClaims.itemId, input.itemId),
        eq(workClaims.operatorId, input.operatorId),
        isNull(workClaims.completedAt),
        gt(workClaims.expiresAt, now),
      ),
    )
    .returning({ id: workClaims.id });
  return done.length > 0;
}

/** Current (unexpired, not completed) claims of some items of one type, by item id. */
export async function activeClaims(services: Deps, itemType: string, itemIds: string[], viewerId: string): Promise<Map<string, ClaimHolder>> {
  const out = new Map<string, ClaimHolder>();
  if (itemIds.length === 0) return out;
  const rows = await services.db
    .select({ claim: workClaims, displayName: operators.displayName })
    .from(workClaims)
    .innerJoin(operators, eq(operators.id, workClaims.operatorId))
    .where(
      and(eq(workClaims.itemType, itemType), inArray(workClaims.itemId, itemIds), isNull(workClaims.completedAt), gt(workClaims.expiresAt, services.now())),
    );
  for (const { claim, displayName } of rows) {
    out.set(claim.itemId, { operatorId: claim.operatorId, displayName, expiresAt: claim.expiresAt.toISOString(), mine: claim.operatorId === viewerId });
  }
  return out;
}

/** SQL condition: the item (by its id expression) has been completed through a claim. */
export function completedClaimExists(itemType: string, idExpression: ReturnType<typeof sql>) {
  return sql`exists (select 1 from ${workClaims} wc where wc.item_type = ${itemType} and wc.item_id = (${idExpression})::text and wc.completed_at is not null)`;
}
