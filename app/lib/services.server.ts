/**
 * The services one process needs, built once at start and handed to Remix through the load context
 * (and to the workers directly). Nothing in app/ opens its own connection: the Remix bundle and the
 * server entry would otherwise hold two copies, and PGlite allows one.
 */
import { applyMigrations, createDatabase, withSchemaLock, type Database, type Db } from "../../db/client";
import { DEMO_OPERATOR_USERNAME, seedDemoOperator, seedReferenceData } from "../../db/seed";
import { createAudit, type Audit } from "./audit.server";
import { createComms, createOutboxProvider, createTwilioProvider, type Comms, type MessageProvider } from "./comms.server";
import type { Config } from "./env.server";
import type { Logger } from "./logger.server";
import { hashPassword } from "./password.server";
import { sealLegacyPlainText } from "./pii-migration.server";
import { createPiiCipher, type PiiCipher } from "./pii.server";
import { startJobQueue, type JobQueue } from "./queue.server";

export type Services = {
  config: Config;
  logger: Logger;
  database: Database;
  db: Db;
  pii: PiiCipher;
  queue: JobQueue;
  comms: Comms;
  audit: Audit;
  /** Injected so tests can move time (code expiry, cooling-off, SLAs). */
  now: () => Date;
  close(): Promise<void>;
};

export type StartOptions = {
  /** Use this database instead of opening one from the config (tests share a PGlite instance). */
  database?: Database;
  provider?: MessageProvider;
  now?: () => Date;
  /** Whether this process will run workers (and so pg-boss's cron and housekeeping). */
  runsWorkers?: boolean;
};

export function providerFor(config: Config): MessageProvider {
  if (!config.twilio) return createOutboxProvider();
  return createTwilioProvider({ ...config.twilio, voice: config.twilioVoice });
}

export async function startServices(config: Config, logger: Logger, options: StartOptions = {}): Promise<Services> {
  const database = options.database ?? (await createDatabase(config.database));
  try {
    const pii = createPiiCipher(config.secrets.piiEncryptionKey, config.secrets.piiHashKey);
    const demoPasswordHash = config.seedDemoData && config.demoOperatorPassword ? await hashPassword(config.demoOperatorPassword) : null;
    // Processes started together on an empty database take turns for everything that creates schema:
    // migrations, the reference seed, and pg-boss's schema and queues (issue 12).
    const queue = await withSchemaLock(database, async () => {
      await applyMigrations(database);
      // Data step of migration 0013: legacy plain free text is sealed (issue 12).
      const sealed = await sealLegacyPlainText(database.db, pii);
      if (sealed > 0) logger.info({ values: sealed }, "legacy plain free text sealed");
      await seedReferenceData(database.db);
      if (demoPasswordHash) {
        const { created } = await seedDemoOperator(database.db, demoPasswordHash);
        if (created) logger.info({ username: DEMO_OPERATOR_USERNAME }, "demo operator created");
      }
      return startJobQueue(database, logger, { maintenance: options.runsWorkers ?? config.runWorkersInProcess });
    });
    const now = options.now ?? (() => new Date());
    // Every outbound call reports its outcome to /ivr/status (busy, no-answer, machine …: issue 13).
    const comms = createComms({
      db: database.db,
      pii,
      queue,
      provider: options.provider ?? providerFor(config),
      now,
      statusCallbackUrl: `${config.publicBaseUrl}/ivr/status`,
    });
    const audit = createAudit({ db: database.db, pii, hashKey: config.secrets.piiHashKey });
    return {
      config,
      logger,
      database,
      db: database.db,
      pii,
      queue,
      comms,
      audit,
      now,
      async close() {
        await queue.stop();
        if (!options.database) await database.close();
      },
    };
  } catch (error) {
    if (!options.database) await database.close().catch(() => {});
    throw error;
  }
}
