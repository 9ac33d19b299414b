/**
 * The auditor's view of the audit log: filters (actor, action, subject, period) and paging by id,
 * newest first. The log holds no personal data (ids, field names and counts only), so it is shown as
 * stored; the operator names are added from the operators table for reading.
 */
import { and, desc, eq, gte, like, lt, lte, sql, type SQL } from "drizzle-orm";
import { auditLog, operators } from "../../db/schema";
import type { Services } from "./services.server";
import { jstDayStart } from "./stats.server";

export type AuditFilters = { actor: string; action: string; subjectType: string; subjectId: string; from: string; to: string; before: string };

export const EMPTY_FILTERS: AuditFilters = { actor: "", action: "", subjectType: "", subjectId: "", from: "", to: "", before: "" };

export function filtersFrom(params: URLSearchParams): AuditFilters {
  const get = (name: keyof AuditFilters) => (params.get(name) ?? "").trim().slice(0, 200);
  return { actor: get("actor"), action: get("action"), subjectType: get("subjectType"), subjectId: get("subjectId"), from: get("from"), to: get("to"), before: get("before") };
}

export type AuditRow = { id: number; at: string; actor: string; actorName: string | null; action: string; subjectType: string; subjectId: string | null; ipHash: string | null; detail: unknown; hash: string | null };

/** One screen of records (issue 16, point 6: 100 rows made a 15,000-pixel page); older ones are a link away. */
export const PAGE_SIZE = 25;

export async function searchAudit(services: Pick<Services, "db">, filters: AuditFilters): Promise<{ rows: AuditRow[]; errors: Partial<Record<keyof AuditFilters, string>>; nextBefore: number | null }> {
  const errors: Partial<Record<keyof AuditFilters, string>> = {};
  const conditions: SQL[] = [];
  if (filters.actor) {
    // An operator's username finds their rows too ("yamada" → operator:<id>).
    const [byName] = await services.db.select({ id: operators.id }).from(operators).where(eq(operators.username, filters.actor.toLowerCase()));
    conditions.push(eq(auditLog.actor, byName ? `operator:${byName.id}` : filters.actor));
  }
  if (filters.action) conditions.push(filters.action.endsWith("*") ? like(auditLog.action, `${filters.action.slice(0, -1).replace(/[%_\\]/g, "\\$&")}%`) : eq(auditLog.action, filters.action));
  if (filters.subjectType) conditions.push(eq(auditLog.subjectType, filters.subjectType));
  if (filters.subjectId) conditions.push(eq(auditLog.subjectId, filters.subjectId));
  if (filters.from) {
    const start = jstDayStart(filters.from);
    if (start) conditions.push(gte(auditLog.at, start));
    else errors.from = "日付は「2026-11-01」のように入力してください。";
  }
  if (filters.to) {
    const end = jstDayStart(filters.to);
    if (end) conditions.push(lt(auditLog.at, new Date(end.getTime() + 86_400_000)));
    else errors.to = "日付は「2026-11-30」のように入力してください。";
  }
  if (filters.before && /^\d+$/.test(filters.before)) conditions.push(lte(auditLog.id, Number(filters.before)));
  if (Object.keys(errors).length > 0) return { rows: [], errors, nextBefore: null };
  const rows = await services.db
    .select({ row: auditLog, actorName: operators.displayName })
    .from(auditLog)
    .leftJoin(operators, sql`${auditLog.actor} = 'operator:' || ${operators.id}::text`)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(PAGE_SIZE + 1);
  const page = rows.slice(0, PAGE_SIZE);
  return {
    rows: page.map(({ row, actorName }) => ({
      id: row.id,
      at: row.at.toISOString(),
      actor: row.actor,
      actorName,
      action: row.action,
      subjectType: row.subjectType,
      subjectId: row.subjectId,
      ipHash: row.ipHash ? row.ipHash.slice(0, 10) : null,
      detail: row.detail,
      hash: row.hash ? row.hash.slice(0, 12) : null,
    })),
    errors,
    nextBefore: rows.length > PAGE_SIZE ? rows[PAGE_SIZE]!.row.id : null,
  };
}

export async function auditRow(services: Pick<Services, "db">, id: number) {
  const [row] = await services.db.select().from(auditLog).where(eq(auditLog.id, id));
  return row ?? null;
}
