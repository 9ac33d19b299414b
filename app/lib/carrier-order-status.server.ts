/**
 * An order's status as everyone shows and counts it (ADR 027).
 *
 * A cut does not update the orders it takes: it writes them into carrier_batch_orders. So an order in a
 * batch that the carrier has not acknowledged yet still has `status = 'pending'` in its row; it is
 * 'batched' because it has a membership row. (Orders cut before ADR 027 were written 'batched'.)
 * Acknowledging a batch writes 'acknowledged' into its orders, as before, and results write
 * done / rejected / accepted.
 *
 * Use these SQL fragments wherever the query is FROM carrier_orders (not aliased):
 *  - `waitingForBatch`: the queue — pending and in no batch (what a cut takes, what can be cancelled);
 *  - `inSomeBatch`: the order has been cut into a batch;
 *  - `orderStatusSql`: the status to show, 'batched' for a pending order in a batch.
 */
import { and, eq, getTableColumns, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { carrierBatchOrders, carrierOrders } from "../../db/schema";
import type { OrderStatus } from "../domain/carrier-orders";

export const inSomeBatch: SQL = sql`exists (select 1 from carrier_batch_orders cbo where cbo.order_id = ${carrierOrders.id})`;

export const waitingForBatch: SQL = and(eq(carrierOrders.status, "pending"), sql`not exists (select 1 from carrier_batch_orders cbo where cbo.order_id = ${carrierOrders.id})`)!;

export const orderStatusSql = sql<OrderStatus>`(case when ${carrierOrders.status} = 'pending' and ${inSomeBatch} then 'batched' else ${carrierOrders.status} end)`;

/** Still owed an answer by the carrier, or still waiting for a batch (raw statuses: see the file comment). */
export const OPEN_RAW_STATUSES = ["pending", "batched", "acknowledged"] as const;

/**
 * The per-carrier lock a cut holds for its whole transaction. Whoever cancels waiting orders of a
 * carrier while a cut may be taking them takes it first, so that the cancel (a new statement, after
 * the lock) sees the cut's membership rows once the cut has committed, and leaves those orders alone.
 */
export function carrierQueueLock(carrierCode: string): SQL {
  return sql`select pg_advisory_xact_lock(hashtextextended(${`carrier-batch:${carrierCode}`}, 0))`;
}

/**
 * The order's status as everyone shows it, for a query that has LEFT JOINed carrier_batch_orders on the
 * order (ADR 030): one index probe per order read. `orderStatusSql`'s EXISTS, in a select list over
 * many orders, was planned as a hash of the whole membership table (1.5 million rows at national volume).
 */
export const joinedOrderStatusSql = sql<OrderStatus>`(case when ${carrierOrders.status} = 'pending' and ${carrierBatchOrders.batchId} is not null then 'batched' else ${carrierOrders.status} end)`;

/**
 * The same for a query over many orders without that join (counts per carrier): a scalar subquery per
 * order, one index probe each, which the planner cannot turn into a hash of the membership table.
 */
export const probedOrderStatusSql = sql<OrderStatus>`(case when ${carrierOrders.status} = 'pending' and (select true from carrier_batch_orders cbo where cbo.order_id = ${carrierOrders.id} limit 1) then 'batched' else ${carrierOrders.status} end)`;

/**
 * Orders with the status to show and their batch and position (null while waiting): a select to
 * finish with .where(…) — for pages, reports and tests that look at single orders.
 */
export function selectOrdersWithBatch(db: DbOrTx) {
  return db
    .select({
      ...getTableColumns(carrierOrders),
      status: joinedOrderStatusSql,
      batchId: carrierBatchOrders.batchId,
      batchPosition: carrierBatchOrders.position,
    })
    .from(carrierOrders)
    .leftJoin(carrierBatchOrders, eq(carrierBatchOrders.orderId, carrierOrders.id));
}
