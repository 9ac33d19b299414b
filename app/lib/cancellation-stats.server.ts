/**
 * Weekly figures of cancellations (課題②: who cancels and why), for /ops/cancellations/stats and its
 * CSV export. Weeks start on Monday, in Japan time. Counts only: no personal data.
 */
import { and, gte, lt, sql } from "drizzle-orm";
import { applications, cancellations } from "../../db/schema";
import type { Services } from "./services.server";

import { RELATION_COLUMN_LABELS, RELATION_KEYS, SINCE_BUCKET_LABELS, SINCE_BUCKETS, type SinceBucket } from "./cancellation-stats-labels";

export { RELATION_COLUMN_LABELS, RELATION_KEYS, SINCE_BUCKET_LABELS, SINCE_BUCKETS, type SinceBucket } from "./cancellation-stats-labels";

export type WeekRow = {
  /** Monday of the week, YYYY-MM-DD (Japan time). */
  week: string;
  total: number;
  byRelation: Record<(typeof RELATION_KEYS)[number], number>;
  bySince: Record<SinceBucket, number>;
  /** Approved withdrawals: applications withdrawn before dispatch (work done for nothing). */
  withdrawnBeforeDispatch: number;
  /** Applications received in the same week. */
  applications: number;
  /** withdrawnBeforeDispatch / applications, in percent, one decimal; null without applications. */
  withdrawnShare: number | null;
  /** Sent to the review queue by the rules. */
  flagged: number;
  /** Declined by an operator. */
  declined: number;
  /** Refused by the subscriber on the confirmation call. */
  refused: number;
  approved: number;
};

const DAY = 24 * 60 * 60 * 1000;
const JST = 9 * 60 * 60 * 1000;

/** Monday 00:00 in Japan of the week that contains `at`, as YYYY-MM-DD. */
export function weekOf(at: Date): string {
  const jst = new Date(at.getTime() + JST);
  const daysSinceMonday = (jst.getUTCDay() + 6) % 7;
  const monday = new Date(Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth(), jst.getUTCDate()) - daysSinceMonday * DAY);
  return monday.toISOString().slice(0, 10);
}

function sinceBucket(days: number): SinceBucket {
  if (days < 7) return "under7";
  if (days < 30) return "under30";
  if (days < 90) return "under90";
  return "over90";
}

function emptyRow(week: string): WeekRow {
  return {
    week,
    total: 0,
    byRelation: { self: 0, family: 0, other: 0 },
    bySince: { under7: 0, under30: 0, under90: 0, over90: 0 },
    withdrawnBeforeDispatch: 0,
    applications: 0,
    withdrawnShare: null,
    flagged: 0,
    declined: 0,
    refused: 0,
    approved: 0,
  };
}

/** The last `weeks` weeks up to now, oldest first, every week present (zeros included). */
export async function weeklyCancellationStats(services: Pick<Services, "db" | "now">, weeks = 12): Promise<WeekRow[]> {
  const now = services.now();
  const lastWeek = weekOf(now);
  const firstWeek = new Date(Date.parse(`${lastWeek}T00:00:00Z`) - (weeks - 1) * 7 * DAY).toISOString().slice(0, 10);
  const start = new Date(Date.parse(`${firstWeek}T00:00:00Z`) - JST);
  const rows = new Map<string, WeekRow>();
  for (let i = 0; i < weeks; i++) {
    const week = new Date(Date.parse(`${firstWeek}T00:00:00Z`) + i * 7 * DAY).toISOString().slice(0, 10);
    rows.set(week, emptyRow(week));
  }

  const requests = await services.db
    .select({
      createdAt: cancellations.createdAt,
      relation: cancellations.requesterRelation,
      kind: cancellations.kind,
      status: cancellations.status,
      flagged: sql<boolean>`coalesce((${cancellations.evidence}->>'flagged')::boolean, false)`,
      // When the request's application was received: a subquery per request, an index-only probe of
      // idx_applications_id_created each. As a join, the planner hashed the whole applications table
      // for a few weeks of requests; probing the rows themselves took seconds at 30,000 requests.
      applicationCreatedAt: sql<Date | null>`(select ${applications.createdAt} from ${applications} where ${applications.id} = ${cancellations.applicationId})`.mapWith(applications.createdAt),
    })
    .from(cancellations)
    .where(gte(cancellations.createdAt, start));
  for (const c of requests) {
    const row = rows.get(weekOf(c.createdAt));
    if (!row) continue;
    row.total += 1;
    if (c.relation === "self" || c.relation === "family" || c.relation === "other") row.byRelation[c.relation] += 1;
    if (c.applicationCreatedAt) row.bySince[sinceBucket(Math.floor((c.createdAt.getTime() - c.applicationCreatedAt.getTime()) / DAY))] += 1;
    if (c.flagged) row.flagged += 1;
    if (c.status === "declined") row.declined += 1;
    if (c.status === "refused_by_subscriber") row.refused += 1;
    if (c.status === "approved") {
      row.approved += 1;
      if (c.kind === "withdrawal") row.withdrawnBeforeDispatch += 1;
    }
  }

  // Applications received each week: one count of an index range per week (idx_applications_created,
  // an index-only scan), not a week computed for every application of the twelve weeks (ADR 030).
  const weekCounts = [...rows.keys()].map((week, i) => {
    const from = new Date(Date.parse(`${week}T00:00:00Z`) - JST);
    return services.db
      .select({ week: sql<number>`${i}::int`, n: sql<number>`count(*)::int` })
      .from(applications)
      .where(and(gte(applications.createdAt, from), lt(applications.createdAt, new Date(from.getTime() + 7 * DAY))));
  });
  const received = await weekCounts.slice(1).reduce((all, next) => all.unionAll(next) as unknown as typeof all, weekCounts[0]!);
  const weekRows = [...rows.values()];
  for (const r of received) {
    const row = weekRows[Number(r.week)];
    if (row) row.applications = Number(r.n);
  }
  for (const row of rows.values()) {
    row.withdrawnShare = row.applications > 0 ? Math.round((1000 * row.withdrawnBeforeDispatch) / row.applications) / 10 : null;
  }
  return [...rows.values()];
}

export const CSV_HEADER = [
  "週（月曜日）",
  "取り消しの申し出",
  "ご本人",
  "ご家族",
  "その他",
  ...SINCE_BUCKETS.map((b) => `申込から${SINCE_BUCKET_LABELS[b]}`),
  "送付前の取り下げ",
  "その週の申込",
  "取り下げの割合（%）",
  "要確認（ルール）",
  "お断り（係）",
  "ご契約者が不同意",
  "承認",
];

function csvCell(value: string | number | null): string {
  const text = value === null ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV with a UTF-8 BOM (so spreadsheet software in Japan reads it as UTF-8) and CRLF line ends. */
export function statsCsv(rows: readonly WeekRow[]): string {
  const lines = [
    CSV_HEADER,
    ...rows.map((r) => [
      r.week,
      r.total,
      r.byRelation.self,
      r.byRelation.family,
      r.byRelation.other,
      ...SINCE_BUCKETS.map((b) => r.bySince[b]),
      r.withdrawnBeforeDispatch,
      r.applications,
      r.withdrawnShare,
      r.flagged,
      r.declined,
      r.refused,
      r.approved,
    ]),
  ];
  return `\uFEFF${lines.map((line) => line.map(csvCell).join(",")).join("\r\n")}\r\n`;
}
