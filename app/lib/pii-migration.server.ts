/**
 * Data steps that go with migrations but need the application's keys, so they cannot be SQL.
 *
 * Migration 0013 added sealed columns for the free text that used to be stored in plain text
 * (続柄・所属, operators' notes). sealLegacyPlainText() seals every value still in a legacy plain column
 * into its `_enc` twin and clears the plain one. It runs after the migrations under the schema lock,
 * at every start and in `npm run db:migrate`; once nothing is left it costs one indexed-free count per
 * table on rows that are always NULL, i.e. nothing worth measuring. Idempotent: a crash half-way just
 * leaves rows for the next start.
 */
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import type { PiiCipher } from "./pii.server";

/** table, id column, legacy plain column, sealed column. Names are constants: never user input. */
const LEGACY_PLAIN_COLUMNS = [
  ["applications", "relation_detail", "relation_detail_enc"],
  ["cancellations", "requester_relation_detail", "requester_relation_detail_enc"],
  ["cancellations", "decision_note", "decision_note_enc"],
  ["carrier_exceptions", "resolution_note", "resolution_note_enc"],
] as const;

const BATCH = 500;

/** Seals the legacy plain values; returns how many values were moved (for the log: a count, no data). */
export async function sealLegacyPlainText(db: DbOrTx, pii: PiiCipher): Promise<number> {
  let moved = 0;
  for (const [table, plain, sealed] of LEGACY_PLAIN_COLUMNS) {
    for (;;) {
      const result = await db.execute(
        sql`select id::text as id, ${sql.identifier(plain)} as value from ${sql.identifier(table)} where ${sql.identifier(plain)} is not null limit ${BATCH}`,
      );
      const rows = ((result as unknown as { rows?: unknown[] }).rows ?? (result as unknown as unknown[])) as { id: string; value: string }[];
      if (rows.length === 0) break;
      for (const row of rows) {
        await db.execute(
          sql`update ${sql.identifier(table)} set ${sql.identifier(sealed)} = coalesce(${sql.identifier(sealed)}, ${pii.seal(row.value)}), ${sql.identifier(plain)} = null where id = ${row.id}::uuid`,
        );
        moved += 1;
      }
    }
  }
  return moved;
}
