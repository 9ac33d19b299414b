/**
 * `npm run db:migrate`: applies the committed migrations and the reference seed to the configured
 * database, for a deploy step that migrates before new processes start. (Processes also migrate on
 * start, under an advisory lock, so this is optional.)
 */
import { ConfigError, loadConfig } from "../app/lib/env.server";
import { sealLegacyPlainText } from "../app/lib/pii-migration.server";
import { createPiiCipher } from "../app/lib/pii.server";
import { applyMigrations, createDatabase, withSchemaLock } from "./client";
import { seedReferenceData } from "./seed";

try {
  const config = loadConfig();
  const database = await createDatabase(config.database);
  try {
    await withSchemaLock(database, async () => {
      await applyMigrations(database);
      await sealLegacyPlainText(database.db, createPiiCipher(config.secrets.piiEncryptionKey, config.secrets.piiHashKey));
      await seedReferenceData(database.db);
    });
    process.stdout.write(`migrated ${config.database.kind === "pglite" ? config.database.dataDir : "PostgreSQL (DATABASE_URL)"}\n`);
  } finally {
    await database.close();
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).message}\n`);
  process.exit(1);
}
