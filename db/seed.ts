/**
 * Deterministic seed: the carriers, their capability table, and (in the demo) a demo operator.
 * Safe to run on every start: rows that exist are left as an admin may have edited them.
 */
import { eq } from "drizzle-orm";
import { CARRIER_CODES, CARRIER_NAMES, DEFAULT_CAPABILITIES, type CarrierCode } from "../app/domain/carriers";
import { PREFECTURES, nttRegionForPrefecture } from "../app/domain/regions";
import type { Db } from "./client";
import { carrierCapabilities, carriers, operators } from "./schema";

/** Prefecture codes a carrier serves; an empty list means nationwide. */
function regionsOf(code: CarrierCode): number[] {
  if (code !== "ntt-east" && code !== "ntt-west") return [];
  return PREFECTURES.filter((p) => nttRegionForPrefecture(p.code) === code).map((p) => p.code);
}

/** Carriers' default delivery settings; an admin edits them in the back office. */
const CARRIER_DEFAULTS: Record<CarrierCode, { schedule: string; fileFormat: "csv-utf8" | "csv-sjis" | "json" }> = {
  "ntt-east": { schedule: "daily-1700", fileFormat: "csv-sjis" },
  "ntt-west": { schedule: "daily-1700", fileFormat: "csv-sjis" },
  "ntt-docomo-business": { schedule: "hourly", fileFormat: "csv-utf8" },
  kddi: { schedule: "hourly", fileFormat: "json" },
  softbank: { schedule: "hourly", fileFormat: "csv-utf8" },
};

export async function seedReferenceData(db: Db): Promise<void> {
  await db
    .insert(carriers)
    .values(
      CARRIER_CODES.map((code) => ({
        code,
        nameJa: CARRIER_NAMES[code],
        regions: regionsOf(code),
        ...CARRIER_DEFAULTS[code],
      })),
    )
    .onConflictDoNothing();
  await db
    .insert(carrierCapabilities)
    .values(
      DEFAULT_CAPABILITIES.map((c) => ({
        carrierCode: c.carrier,
        scope: c.scope,
        acceptedViaCentre: c.acceptedViaCentre,
        noteJa: c.note ?? null,
      })),
    )
    .onConflictDoNothing();
}

export const DEMO_OPERATOR_USERNAME = "demo";

/**
 * The demo operator (role admin, so every page can be tried). Created once; its password is given by
 * the caller (generated and kept in the data folder by the embedded default).
 */
/**
 * The demo's auditor (issue 16, point 6): the audit log is for auditors only (separation of duties:
 * the admin who manages accounts is not who checks the log), so the demo has one of each. Same
 * password as the demo operator; each enrols its own authenticator on first sign-in.
 */
export const DEMO_AUDITOR_USERNAME = "demo-auditor";

export async function seedDemoOperator(db: Db, passwordHash: string): Promise<{ created: boolean }> {
  const existing = await db.select({ id: operators.id }).from(operators).where(eq(operators.username, DEMO_OPERATOR_USERNAME));
  // The auditor is added to demo databases made before it existed, too.
  await db
    .insert(operators)
    .values({ username: DEMO_AUDITOR_USERNAME, displayName: "デモ監査担当", role: "auditor", passwordHash })
    .onConflictDoNothing();
  if (existing.length > 0) return { created: false };
  await db
    .insert(operators)
    .values({ username: DEMO_OPERATOR_USERNAME, displayName: "デモ担当者", role: "admin", passwordHash })
    .onConflictDoNothing();
  return { created: true };
}
