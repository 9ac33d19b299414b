/**
 * A worker that cuts one carrier's batch slowly, for the crash test: the test kills this process
 * (SIGKILL) in the middle of the batch, as a machine failure or an OOM kill would.
 *   tsx test/support/carrier-cut-child.ts <database-url> <carrier-code>
 * Prints "progress <records written>" after each page.
 */
import { wrapPostgres } from "../../db/client";
import { cutBatch } from "../../app/lib/carrier-batches.server";
import { createLogger } from "../../app/lib/logger.server";
import { createPiiCipher } from "../../app/lib/pii.server";
import type { Services } from "../../app/lib/services.server";

// The same keys as test/support/services.ts and carrier-fixtures.ts (not imported: they need vitest).
const secrets = { piiEncryptionKey: Buffer.alloc(32, 7), piiHashKey: Buffer.alloc(32, 9), carrierSigningKey: Buffer.alloc(32, 3) };
const [url, carrierCode] = process.argv.slice(2);
const config = { secrets };
const database = wrapPostgres(url!, 2);
const services = {
  config,
  database,
  db: database.db,
  pii: createPiiCipher(secrets.piiEncryptionKey, secrets.piiHashKey),
  now: () => new Date(),
  logger: createLogger({ level: "silent" }),
} as unknown as Services;

await cutBatch(services, carrierCode!, {
  fetchRows: 2,
  partBytes: 32,
  onProgress: async (written) => {
    process.stdout.write(`progress ${written}\n`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  },
});
process.stdout.write("finished\n");
await database.close();
