/**
 * Issue 12 point 1: web and worker processes started together on an empty PostgreSQL database all
 * come up. Migrations, the reference seed and pg-boss's schema and queues are created under one
 * advisory lock. Each instance has its own connections, as separate processes would.
 * PostgreSQL only: PGlite is one process and one connection.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { createLogger } from "../../app/lib/logger.server";
import { startServices, type Services } from "../../app/lib/services.server";
import { databaseUrlFor } from "../setup/global-setup";
import { testConfig } from "../support/services";

const adminUrl = process.env.DATABASE_URL;

describe.skipIf(!adminUrl)("concurrent start on an empty PostgreSQL database", () => {
  const name = `kokusai_scratch_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    const admin = postgres(adminUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    await admin.end({ timeout: 5 });
  });
  afterAll(async () => {
    const admin = postgres(adminUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
  });

  it("starts 4 web and worker instances at once, and every one comes up", async () => {
    const url = databaseUrlFor(adminUrl!, name);
    const config = testConfig({ database: { kind: "postgres", url, poolSize: 3 } });
    const results = await Promise.allSettled(
      [0, 1, 2, 3].map((i) => startServices(config, createLogger({ level: "silent" }), { runsWorkers: i % 2 === 0 })),
    );
    const started = results.filter((r): r is PromiseFulfilledResult<Services> => r.status === "fulfilled").map((r) => r.value);
    try {
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => String(r.reason));
      expect(failures).toEqual([]);
      expect(started).toHaveLength(4);
      // Every instance can use the queue and the data.
      for (const services of started) {
        expect(await services.queue.enqueue("comms.sweep", {} as never)).not.toBeUndefined();
        const [row] = await services.database.sql<{ n: number }>("select count(*)::int as n from carriers");
        expect(row!.n).toBeGreaterThan(0);
      }
    } finally {
      await Promise.all(started.map((services) => services.close()));
    }
  }, 120_000);
});
