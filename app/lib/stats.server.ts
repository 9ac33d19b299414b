/**
 * Numbers for the dashboard and for the ministry's statistics export. Counts only: nothing here
 * opens a sealed column.
 *
 *  - applications by channel, today and this week (Japan time);
 *  - carrier SLA breaches (configuration: CARRIER_SLA_ACK_HOURS / CARRIER_SLA_DONE_HOURS): orders of a
 *    batch not acknowledged in time, and orders without a result in time;
 *  - the export: counts by channel, carrier and prefecture for a period, and the lead time from the
 *    application to its completion (the "completed" event on application_events), p50 and p90.
 */
import { and, eq, gte, inArray, isNull, lt, sql } from "drizzle-orm";
import { applicationCompletions, applications, carrierBatchOrders, carrierBatches, carrierOrders } from "../../db/schema";
import { CARRIER_NAMES, type CarrierCode } from "../domain/carriers";
import { slaCutoffs } from "../domain/carrier-sla";
import { PREFECTURES } from "../domain/regions";
import { slaConfig } from "./carrier-config.server";
import { CHANNEL_LABELS } from "./ops-labels";
import type { Services } from "./services.server";

export const CHANNELS = ["web", "ivr", "paper", "operator"] as const;

/** Start of today in Japan (the centre's day), as an instant. */
export function startOfJstDay(now: Date): Date {
  const jst = new Date(now.getTime() + 9 * 3600_000);
  jst.setUTCHours(0, 0, 0, 0);
  return new Date(jst.getTime() - 9 * 3600_000);
}

/** Monday 00:00 JST of this week. */
export function startOfJstWeek(now: Date): Date {
  const day = startOfJstDay(now);
  const weekday = new Date(day.getTime() + 9 * 3600_000).getUTCDay(); // 0 = Sunday
  return new Date(day.getTime() - ((weekday + 6) % 7) * 86_400_000);
}

export type ChannelCounts = { channel: string; label: string; today: number; week: number }[];

export async function applicationsByChannel(services: Pick<Services, "db" | "now">): Promise<ChannelCounts> {
  const now = services.now();
  const count = async (since: Date) => {
    const rows = await services.db
      .select({ channel: applications.channel, n: sql<number>`count(*)::int` })
      .from(applications)
      .where(gte(applications.createdAt, since))
      .groupBy(applications.channel);
    return new Map(rows.map((r) => [r.channel, Number(r.n)]));
  };
  const today = await count(startOfJstDay(now));
  const week = await count(startOfJstWeek(now));
  return CHANNELS.map((channel) => ({ channel, label: CHANNEL_LABELS[channel] ?? channel, today: today.get(channel) ?? 0, week: week.get(channel) ?? 0 }));
}

export type SlaSummary = { ackHours: number; doneHours: number; notAcknowledged: number; notDone: number; byCarrier: { carrier: string; notAcknowledged: number; notDone: number }[] };

/** Orders late against the carrier SLA, now. */
export async function slaBreachCounts(services: Pick<Services, "db" | "now" | "config">): Promise<SlaSummary> {
  const config = slaConfig(services.config);
  const { ackBefore, doneBefore } = slaCutoffs(services.now(), config);
  const notAcked = await services.db
    .select({ carrier: carrierOrders.carrierCode, n: sql<number>`count(*)::int` })
    .from(carrierOrders)
    .innerJoin(carrierBatchOrders, eq(carrierBatchOrders.orderId, carrierOrders.id))
    .innerJoin(carrierBatches, eq(carrierBatches.id, carrierBatchOrders.batchId))
    // In a batch and not acknowledged: 'pending' since ADR 027, 'batched' before it.
    .where(and(inArray(carrierOrders.status, ["pending", "batched"]), isNull(carrierBatches.ackedAt), lt(carrierBatches.cutAt, ackBefore)))
    .groupBy(carrierOrders.carrierCode);
  const notDone = await services.db
    .select({ carrier: carrierOrders.carrierCode, n: sql<number>`count(*)::int` })
    .from(carrierOrders)
    .where(and(inArray(carrierOrders.status, ["pending", "batched", "acknowledged"]), lt(carrierOrders.createdAt, doneBefore)))
    .groupBy(carrierOrders.carrierCode);
  const carriers = new Set([...notAcked.map((r) => r.carrier), ...notDone.map((r) => r.carrier)]);
  const byCarrier = [...carriers].sort().map((carrier) => ({
    carrier: CARRIER_NAMES[carrier as CarrierCode] ?? carrier,
    notAcknowledged: Number(notAcked.find((r) => r.carrier === carrier)?.n ?? 0),
    notDone: Number(notDone.find((r) => r.carrier === carrier)?.n ?? 0),
  }));
  return {
    ackHours: config.ackHours,
    doneHours: config.doneHours,
    notAcknowledged: byCarrier.reduce((s, r) => s + r.notAcknowledged, 0),
    notDone: byCarrier.reduce((s, r) => s + r.notDone, 0),
    byCarrier,
  };
}

// ————— the ministry export —————

export type Period = { from: Date; to: Date };

export type Statistics = {
  period: { from: string; to: string };
  total: number;
  byChannel: { key: string; label: string; count: number }[];
  byCarrier: { key: string; label: string; count: number }[];
  byPrefecture: { key: string; label: string; count: number }[];
  leadTime: { group: string; label: string; completed: number; p50Hours: number | null; p90Hours: number | null }[];
};

/**
 * Counts of the applications received in [from, to), and lead times of those completed in it.
 *
 * Both read one index over the period (ADR 030): the counts by channel, carrier and prefecture are
 * one pass over idx_applications_created (grouping sets, an index-only scan), and the lead times come
 * from application_completions (each application's first completion, kept by the database), not from
 * grouping every completion event ever recorded.
 */
export async function statistics(services: Pick<Services, "db">, period: Period): Promise<Statistics> {
  const { db } = services;
  const inPeriod = and(gte(applications.createdAt, period.from), lt(applications.createdAt, period.to));
  // grouping(…) says which of the three groupings a row belongs to (0 = grouped by that column).
  const grouped = await db
    .select({
      channel: applications.channel,
      carrier: applications.carrierCode,
      prefecture: applications.prefecture,
      byChannel: sql<number>`grouping(${applications.channel})`,
      byCarrier: sql<number>`grouping(${applications.carrierCode})`,
      n: sql<number>`count(*)::int`,
    })
    .from(applications)
    .where(inPeriod)
    .groupBy(sql`grouping sets ((${applications.channel}), (${applications.carrierCode}), (${applications.prefecture}))`);
  const channels = grouped.filter((r) => Number(r.byChannel) === 0).map((r) => ({ key: r.channel, n: r.n }));
  const carriers = grouped.filter((r) => Number(r.byCarrier) === 0).map((r) => ({ key: r.carrier, n: r.n }));
  const prefectures = grouped.filter((r) => Number(r.byChannel) === 1 && Number(r.byCarrier) === 1).map((r) => ({ key: r.prefecture, n: r.n }));
  const total = channels.reduce((s, r) => s + Number(r.n), 0);

  // The first completion of each application in the period, and when the application was received.
  const hours = sql`extract(epoch from (${applicationCompletions.completedAt} - ${applicationCompletions.receivedAt})) / 3600.0`;
  const leadRows = await db
    .select({
      channel: applicationCompletions.channel,
      completed: sql<number>`count(*)::int`,
      p50: sql<number | null>`percentile_cont(0.5) within group (order by ${hours})`,
      p90: sql<number | null>`percentile_cont(0.9) within group (order by ${hours})`,
    })
    .from(applicationCompletions)
    .where(and(gte(applicationCompletions.completedAt, period.from), lt(applicationCompletions.completedAt, period.to)))
    .groupBy(sql`rollup(${applicationCompletions.channel})`);

  const round = (v: number | string | null) => (v === null ? null : Math.round(Number(v) * 10) / 10);
  const leadTime = [
    ...leadRows
      .filter((r) => r.channel === null)
      .map((r) => ({ group: "all", label: "すべて", completed: Number(r.completed), p50Hours: round(r.p50), p90Hours: round(r.p90) })),
    ...CHANNELS.map((channel) => {
      const r = leadRows.find((row) => row.channel === channel);
      return { group: channel, label: CHANNEL_LABELS[channel] ?? channel, completed: Number(r?.completed ?? 0), p50Hours: round(r?.p50 ?? null), p90Hours: round(r?.p90 ?? null) };
    }),
  ];
  if (!leadTime.some((r) => r.group === "all")) leadTime.unshift({ group: "all", label: "すべて", completed: 0, p50Hours: null, p90Hours: null });

  const byChannel = CHANNELS.map((channel) => ({ key: channel, label: CHANNEL_LABELS[channel] ?? channel, count: Number(channels.find((r) => r.key === channel)?.n ?? 0) }));
  const byCarrier = carriers
    .map((r) => ({
      key: r.key === null ? "unknown" : String(r.key),
      label: r.key ? (CARRIER_NAMES[r.key as CarrierCode] ?? String(r.key)) : "未定（問い合わせ中）",
      count: Number(r.n),
    }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  const byPrefecture = prefectures
    .map((r) => ({
      key: r.key === null ? "unknown" : String(r.key).padStart(2, "0"),
      label: r.key === null ? "不明" : (PREFECTURES.find((p) => p.code === Number(r.key))?.name ?? String(r.key)),
      count: Number(r.n),
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
  return { period: { from: period.from.toISOString(), to: period.to.toISOString() }, total, byChannel, byCarrier, byPrefecture, leadTime };
}

/** Quotes a CSV field when needed (RFC 4180), and defuses formula injection for spreadsheet apps. */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const jstDate = (iso: string) => new Date(new Date(iso).getTime() + 9 * 3600_000).toISOString().slice(0, 10);

/**
 * The export as CSV for Excel: UTF-8 with a BOM (Excel then reads Japanese correctly), CRLF line
 * ends, one table with a section column so it sorts and filters as one sheet.
 */
export function statisticsCsv(stats: Statistics): string {
  const lastDay = jstDate(new Date(new Date(stats.period.to).getTime() - 1).toISOString());
  const rows: (string | number | null)[][] = [
    ["集計", "区分コード", "区分", "件数", "完了件数", "中央値（時間）", "90パーセンタイル（時間）"],
    ["期間", "", `${jstDate(stats.period.from)}〜${lastDay}`, stats.total, null, null, null],
    ...stats.byChannel.map((r) => ["受付方法別", r.key, r.label, r.count, null, null, null]),
    ...stats.byCarrier.map((r) => ["電話会社別", r.key, r.label, r.count, null, null, null]),
    ...stats.byPrefecture.map((r) => ["都道府県別", r.key, r.label, r.count, null, null, null]),
    ...stats.leadTime.map((r) => ["完了までの時間", r.group, r.label, null, r.completed, r.p50Hours, r.p90Hours]),
  ];
  return `\uFEFF${rows.map((row) => row.map(csvField).join(",")).join("\r\n")}\r\n`;
}

/** "2026-11-01" (a JST calendar day) → the instant it starts. */
export function jstDayStart(day: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const date = new Date(`${day}T00:00:00+09:00`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A period from two JST days, both included; defaults to this month so far. */
export function periodFrom(params: URLSearchParams, now: Date): { ok: true; period: Period; from: string; to: string } | { ok: false; message: string } {
  const today = jstDate(now.toISOString());
  const from = params.get("from") || `${today.slice(0, 8)}01`;
  const to = params.get("to") || today;
  const start = jstDayStart(from);
  const end = jstDayStart(to);
  if (!start || !end) return { ok: false, message: "期間は「2026-11-01」のように、年-月-日で入力してください。" };
  if (end < start) return { ok: false, message: "期間の終わりは、始まりと同じ日か、あとの日にしてください。" };
  return { ok: true, period: { from: start, to: new Date(end.getTime() + 86_400_000) }, from, to };
}
