/**
 * Back-office search: one box that takes a phone number (any format: 0312345678, 03-1234-5678,
 * +81 3 1234 5678, full-width digits), a reference number (11 digits with a check digit, either an
 * application's or a cancellation's), or a kana name. Names are sealed, so a kana name is found
 * through its keyed hash: an exact match after normalisation (hiragana and katakana, half- and
 * full-width, spaces), never a partial one.
 *
 * The results are lines; each result says why it matched. The caller audits the search (the kind and
 * the number of results — never what was typed).
 */
import { desc, eq, inArray } from "drizzle-orm";
import { applications, cancellations, lines } from "../../db/schema";
import { toKatakana } from "../domain/kana";
import { formatDisplay, toE164 } from "../domain/phone";
import { isValidReference, normalizeReference } from "../domain/reference-number";
import { compactTypedDigits } from "../domain/typed-text";
import type { Services } from "./services.server";

export type SearchKind = "phone" | "reference" | "kana";

export type SearchResult = {
  lineId: string;
  number: string;
  carrierCode: string | null;
  matchedBy: string[];
  applications: { id: string; reference: string; status: string; channel: string; createdAt: string }[];
};

export type SearchOutcome = { ok: true; kind: SearchKind; results: SearchResult[] } | { ok: false; message: string };

const KANA = /[\u3041-\u3096\u30A1-\u30FA\uFF66-\uFF9D]/;

export function classifyQuery(input: string): { kind: SearchKind; value: string } | null {
  const trimmed = input.trim();
  if (!trimmed) return null;
  if (KANA.test(trimmed)) return { kind: "kana", value: toKatakana(trimmed) };
  const digits = compactTypedDigits(trimmed);
  const reference = normalizeReference(trimmed);
  if (/^\d{11}$/.test(reference) && isValidReference(reference) && !digits.startsWith("+")) return { kind: "reference", value: reference };
  const e164 = toE164(trimmed);
  if (e164) return { kind: "phone", value: e164 };
  return null;
}

/** The national digits a contact number is stored with ("09012345678"), from E.164. */
function nationalDigits(e164: string): string {
  return e164.startsWith("+81") ? `0${e164.slice(3)}` : e164;
}

export async function searchLines(services: Pick<Services, "db" | "pii">, query: string, limit = 50): Promise<SearchOutcome> {
  const classified = classifyQuery(query);
  if (!classified) {
    return {
      ok: false,
      message: "電話番号（例：03-1234-5678）、受付番号（11けた）、またはフリガナ（例：ヤマダ ハナコ）を入力してください。",
    };
  }
  const { db, pii } = services;
  const matched = new Map<string, Set<string>>();
  const add = (lineId: string, why: string) => {
    const set = matched.get(lineId) ?? new Set<string>();
    set.add(why);
    matched.set(lineId, set);
  };

  // 11 digits can be both a reference and a mobile contact number (090…): look for both.
  const phone = classified.kind === "phone" ? classified.value : classified.kind === "reference" ? toE164(query) : null;
  if (phone) {
    const rows = await db.select({ id: lines.id }).from(lines).where(eq(lines.e164, phone));
    for (const r of rows) add(r.id, "電話番号");
    // The number may also be the contact number someone gave on an application (a family member's).
    const contactHashes = [pii.searchHash(nationalDigits(phone)), pii.searchHash(phone)];
    const byContact = await db.select({ lineId: applications.lineId }).from(applications).where(inArray(applications.contactPhoneHash, contactHashes)).limit(limit);
    for (const r of byContact) add(r.lineId, "連絡先の電話番号");
    // A line being replaced by a move is found through the new application too.
    const replaced = await db.select({ lineId: applications.lineId }).from(applications).innerJoin(lines, eq(lines.id, applications.replacesLineId)).where(eq(lines.e164, phone));
    for (const r of replaced) add(r.lineId, "前の電話番号");
  }
  if (classified.kind === "reference") {
    const apps = await db.select({ lineId: applications.lineId }).from(applications).where(eq(applications.reference, classified.value));
    for (const r of apps) add(r.lineId, "お申し込みの受付番号");
    const cans = await db.select({ lineId: cancellations.lineId }).from(cancellations).where(eq(cancellations.reference, classified.value));
    for (const r of cans) add(r.lineId, "解除のお申し出の受付番号");
  } else if (classified.kind === "kana") {
    // Stored kana is katakana; hash both that and the text as typed, in case a channel stored it as given.
    const hashes = [...new Set([pii.searchHash(classified.value), pii.searchHash(query.trim())])];
    const apps = await db.select({ lineId: applications.lineId }).from(applications).where(inArray(applications.subscriberKanaHash, hashes)).limit(limit);
    for (const r of apps) add(r.lineId, "契約者のフリガナ");
  }

  const lineIds = [...matched.keys()].slice(0, limit);
  if (lineIds.length === 0) return { ok: true, kind: classified.kind, results: [] };
  const lineRows = await db.select().from(lines).where(inArray(lines.id, lineIds));
  const appRows = await db
    .select({ id: applications.id, lineId: applications.lineId, reference: applications.reference, status: applications.status, channel: applications.channel, createdAt: applications.createdAt })
    .from(applications)
    .where(inArray(applications.lineId, lineIds))
    .orderBy(desc(applications.createdAt));
  const results = lineRows.map((line) => ({
    lineId: line.id,
    number: formatDisplay(line.e164),
    carrierCode: line.carrierCode,
    matchedBy: [...(matched.get(line.id) ?? [])],
    applications: appRows
      .filter((a) => a.lineId === line.id)
      .map((a) => ({ id: a.id, reference: a.reference, status: a.status, channel: a.channel, createdAt: a.createdAt.toISOString() })),
  }));
  return { ok: true, kind: classified.kind, results };
}
