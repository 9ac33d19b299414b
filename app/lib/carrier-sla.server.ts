/**
 * The SLA monitor's data: batches cut longer ago than CARRIER_SLA_ACK_HOURS without an
 * acknowledgement, and orders made longer ago than CARRIER_SLA_DONE_HOURS without a result.
 */
import { and, asc, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import { applications, carrierBatchOrders, carrierBatches, carrierOrders } from "../../db/schema";
import { joinedOrderStatusSql } from "./carrier-order-status.server";
import { slaBreaches, slaCutoffs, type SlaConfig } from "../domain/carrier-sla";
import type { OrderAction } from "../domain/carrier-files";
import { slaConfig } from "./carrier-config.server";
import type { Services } from "./services.server";

export type LateBatch = { id: string; carrierCode: string; sequence: number; recordCount: number; cutAt: string; sentAt: string | null; overdueHours: number };
export type LateOrder = {
  id: string;
  carrierCode: string;
  action: OrderAction;
  scope: string;
  status: string;
  createdAt: string;
  sequence: number | null;
  reference: string | null;
  overdueHours: number;
};

export type SlaReport = {
  config: SlaConfig;
  now: string;
  lateBatches: LateBatch[];
  lateOrders: LateOrder[];
  lateOrderCount: number;
  byCarrier: { carrierCode: string; notAcknowledged: number; notDone: number }[];
};

export async function slaReport(services: Pick<Services, "db" | "config" | "now">, options: { limit?: number } = {}): Promise<SlaReport> {
  const config = slaConfig(services.config);
  const now = services.now();
  const { ackBefore, doneBefore } = slaCutoffs(now, config);
  const batches = await services.db
    .select()
    .from(carrierBatches)
    .where(and(isNull(carrierBatches.ackedAt), inArray(carrierBatches.status, ["ready", "sent"]), lt(carrierBatches.cutAt, ackBefore)))
    .orderBy(asc(carrierBatches.cutAt));
  const lateBatches = batches.map((b) => ({
    id: b.id,
    carrierCode: b.carrierCode,
    sequence: b.sequence,
    recordCount: b.recordCount,
    cutAt: b.cutAt.toISOString(),
    sentAt: b.sentAt?.toISOString() ?? null,
    overdueHours: (now.getTime() - b.cutAt.getTime()) / 3600_000 - config.ackHours,
  }));
  const open = and(inArray(carrierOrders.status, ["pending", "batched", "acknowledged"]), lt(carrierOrders.createdAt, doneBefore));
  const orders = await services.db
    .select({ order: carrierOrders, status: joinedOrderStatusSql, sequence: carrierBatches.sequence, cutAt: carrierBatches.cutAt, ackedAt: carrierBatches.ackedAt, reference: applications.reference })
    .from(carrierOrders)
    .leftJoin(carrierBatchOrders, eq(carrierBatchOrders.orderId, carrierOrders.id))
    .leftJoin(carrierBatches, eq(carrierBatches.id, carrierBatchOrders.batchId))
    .leftJoin(applications, eq(applications.id, carrierOrders.applicationId))
    .where(open)
    .orderBy(asc(carrierOrders.createdAt))
    .limit(options.limit ?? 200);
  const [count] = await services.db.select({ n: sql<number>`count(*)::int` }).from(carrierOrders).where(open);
  const lateOrders = orders.map(({ order, status, sequence, cutAt, ackedAt, reference }) => {
    const breach = slaBreaches({ status, createdAt: order.createdAt, cutAt, ackedAt }, now, config).find((b) => b.kind === "not_done");
    return {
      id: order.id,
      carrierCode: order.carrierCode,
      action: order.action as OrderAction,
      scope: order.scope,
      status,
      createdAt: order.createdAt.toISOString(),
      sequence: sequence ?? null,
      reference: reference ?? order.requestRef,
      overdueHours: breach?.overdueHours ?? 0,
    };
  });
  const perCarrier = await services.db
    .select({ code: carrierOrders.carrierCode, n: sql<number>`count(*)::int` })
    .from(carrierOrders)
    .where(open)
    .groupBy(carrierOrders.carrierCode);
  const codes = [...new Set([...lateBatches.map((b) => b.carrierCode), ...perCarrier.map((p) => p.code)])].sort();
  return {
    config,
    now: now.toISOString(),
    lateBatches,
    lateOrders,
    lateOrderCount: Number(count?.n ?? 0),
    byCarrier: codes.map((code) => ({
      carrierCode: code,
      notAcknowledged: lateBatches.filter((b) => b.carrierCode === code).length,
      notDone: Number(perCarrier.find((p) => p.code === code)?.n ?? 0),
    })),
  };
}
