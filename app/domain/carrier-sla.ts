/**
 * The carrier SLA, as pure rules. Two clocks run for each order:
 *  - acknowledgement: from the moment its batch is cut until the carrier acknowledges the batch;
 *  - result: from the moment the order is made until the carrier sends its result.
 * Both limits come from the configuration (CARRIER_SLA_ACK_HOURS, CARRIER_SLA_DONE_HOURS).
 */

export type SlaConfig = { ackHours: number; doneHours: number };

export const DEFAULT_SLA: Readonly<SlaConfig> = { ackHours: 24, doneHours: 120 };

export type SlaBreachKind = "not_acknowledged" | "not_done";

export const SLA_BREACH_LABELS: Readonly<Record<SlaBreachKind, string>> = {
  not_acknowledged: "受領確認なし",
  not_done: "結果なし",
};

const HOUR = 3600_000;

/** Orders made before `doneBefore` without a result, and batches cut before `ackBefore` without an acknowledgement, are late. */
export function slaCutoffs(now: Date, config: SlaConfig): { ackBefore: Date; doneBefore: Date } {
  return { ackBefore: new Date(now.getTime() - config.ackHours * HOUR), doneBefore: new Date(now.getTime() - config.doneHours * HOUR) };
}

export type SlaOrderFacts = {
  status: string;
  createdAt: Date;
  /** When its batch was cut; null while the order waits for a batch. */
  cutAt: Date | null;
  ackedAt: Date | null;
};

const OPEN = ["pending", "batched", "acknowledged"];

export type SlaBreach = { kind: SlaBreachKind; overdueHours: number };

/** The breaches of one order now, most urgent (longest overdue) first. */
export function slaBreaches(order: SlaOrderFacts, now: Date, config: SlaConfig): SlaBreach[] {
  if (!OPEN.includes(order.status)) return [];
  const out: SlaBreach[] = [];
  if (order.cutAt && !order.ackedAt && order.status === "batched") {
    const due = order.cutAt.getTime() + config.ackHours * HOUR;
    if (now.getTime() > due) out.push({ kind: "not_acknowledged", overdueHours: (now.getTime() - due) / HOUR });
  }
  const due = order.createdAt.getTime() + config.doneHours * HOUR;
  if (now.getTime() > due) out.push({ kind: "not_done", overdueHours: (now.getTime() - due) / HOUR });
  return out.sort((a, b) => b.overdueHours - a.overdueHours);
}
