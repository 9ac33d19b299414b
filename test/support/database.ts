/** A private copy of the run's template database for one test file (see test/setup/global-setup.ts). */
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";
import { openPglite, wrapPglite, wrapPostgres, type Database } from "../../db/client";
import { databaseUrlFor } from "../setup/global-setup";

export async function openTestDatabase(): Promise<Database> {
  const target = inject("testDb");
  if (target.kind === "pglite") {
    const tarball = new Blob([fs.readFileSync(target.templatePath)]);
    return wrapPglite(await openPglite({ loadDataDir: tarball }));
  }
  const name = `kokusai_test_${target.runId}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(target.adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}" template "${target.templateName}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const database = wrapPostgres(databaseUrlFor(target.adminUrl, name), 5);
  return {
    ...database,
    async close() {
      await database.close();
      const cleanup = postgres(target.adminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
      await cleanup.end({ timeout: 5 });
    },
  };
}

export const usingPostgres = () => inject("testDb").kind === "postgres";
