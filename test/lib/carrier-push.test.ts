/**
 * Push delivery against a local carrier endpoint on 127.0.0.1 (the reference client's push receiver):
 * HMAC and signature checked by the receiver, failures retried by pg-boss with backoff, every attempt
 * recorded.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { asc, eq } from "drizzle-orm";
import { carrierBatches, carrierPushAttempts } from "../../db/schema";
import { cutBatch } from "../../app/lib/carrier-batches.server";
import { planCarrierOrders } from "../../app/lib/carrier-orders.server";
import { newPushSecret, pushBatch, PushFailedError } from "../../app/lib/carrier-push.server";
import { publicKeyInfo } from "../../app/lib/carrier-signing.server";
import { createPushReceiver, type PushedBatch } from "../../app/lib/carriers/reference-client";
import { startWorkers, type RunningWorkers } from "../../workers/index";
import { createCarrierTestServices, setCarrier, verifiedApplication } from "../support/carrier-fixtures";
import type { TestServices } from "../support/services";

let services: TestServices;
let server: http.Server;
let url: string;
const secret = newPushSecret();
const received: PushedBatch[] = [];
const rejected: string[] = [];
let respond: (attempt: number) => number = () => 200;

beforeAll(async () => {
  services = await createCarrierTestServices();
  const handler = createPushReceiver({
    secret,
    publicKey: publicKeyInfo(services.config).publicKeyPem,
    carrier: "softbank",
    // The services run on a test clock in 2026; the receiver checks the HMAC timestamp against it.
    now: services.now,
    respond: (attempt) => respond(attempt),
    onBatch: (batch) => received.push(batch),
    onRejected: (reason) => rejected.push(reason),
  });
  server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kokusai/batches`;
  await setCarrier(services, "softbank", { deliveryMode: "push", pushUrl: url, pushSecretEnc: services.pii.seal(secret), pushSecretSetAt: services.now() });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await services.close();
});

async function attemptsOf(batchId: string) {
  return services.db.select().from(carrierPushAttempts).where(eq(carrierPushAttempts.batchId, batchId)).orderBy(asc(carrierPushAttempts.attempt));
}

async function newBatch() {
  await verifiedApplication(services, { choice: "softbank" });
  await planCarrierOrders(services);
  const cut = await cutBatch(services, "softbank");
  if (!cut) throw new Error("no batch");
  return cut;
}

describe("push delivery", () => {
  it("POSTs the signed file with an HMAC; a failure is recorded and thrown for a retry, then delivered once", async () => {
    received.length = 0;
    respond = (attempt) => (attempt === 1 ? 503 : 200);
    const cut = await newBatch();
    // Cutting a push carrier's batch enqueues its push job, with the carrier retry policy.
    const jobs = await services.queue.boss.fetch("carriers.push", { batchSize: 10, includeMetadata: true });
    const job = jobs.find((j) => (j.data as { batchId: string }).batchId === cut.batchId);
    expect(job).toMatchObject({ retryLimit: 5, retryDelay: 1, retryBackoff: true });
    await services.queue.boss.fail("carriers.push", job!.id);

    await expect(pushBatch(services, cut.batchId)).rejects.toBeInstanceOf(PushFailedError);
    expect(await pushBatch(services, cut.batchId)).toBe("delivered");
    // Delivered already: a retry that runs late does nothing.
    expect(await pushBatch(services, cut.batchId)).toBe("skipped");

    const attempts = await attemptsOf(cut.batchId);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.httpStatus])).toEqual([
      [1, "http_error", 503],
      [2, "delivered", 200],
    ]);
    expect(received).toHaveLength(1);
    expect(received[0]!.batchId).toBe(cut.batchId);
    expect(received[0]!.manifest.sequence).toBe(cut.sequence);
    expect(received[0]!.records.length).toBe(cut.recordCount);
    const [row] = await services.db.select().from(carrierBatches).where(eq(carrierBatches.id, cut.batchId));
    expect(row!.status).toBe("sent");
  });

  it("is refused by the endpoint when the HMAC key is wrong, and records it", async () => {
    respond = () => 200;
    const cut = await newBatch();
    await setCarrier(services, "softbank", { pushSecretEnc: services.pii.seal("whsec_wrong") });
    try {
      await expect(pushBatch(services, cut.batchId)).rejects.toBeInstanceOf(PushFailedError);
    } finally {
      await setCarrier(services, "softbank", { pushSecretEnc: services.pii.seal(secret) });
    }
    expect(rejected).toContain("bad HMAC");
    expect((await attemptsOf(cut.batchId)).map((a) => [a.outcome, a.httpStatus])).toEqual([["http_error", 401]]);
  });

  it("records network errors (nothing listening)", async () => {
    const cut = await newBatch();
    await setCarrier(services, "softbank", { pushUrl: "http://127.0.0.1:9/nothing" });
    try {
      await expect(pushBatch(services, cut.batchId)).rejects.toBeInstanceOf(PushFailedError);
    } finally {
      await setCarrier(services, "softbank", { pushUrl: url });
    }
    expect((await attemptsOf(cut.batchId))[0]).toMatchObject({ outcome: "network_error", httpStatus: null });
  });

  it("is retried by the workers with backoff until the carrier takes it", async () => {
    received.length = 0;
    // Only this test's job: drop the earlier tests' push jobs (some wait for their retry).
    await services.database.sql("delete from pgboss.job where name = 'carriers.push'");
    const failUntil = 2;
    const callTimes: number[] = [];
    respond = () => {
      callTimes.push(Date.now());
      return callTimes.length <= failUntil ? 500 : 200;
    };
    let workers: RunningWorkers | null = null;
    try {
      workers = await startWorkers(services, { pollingIntervalSeconds: 0.5 });
      const cut = await newBatch();
      // The carrier's server receives the batch before the worker records the attempt that delivered
      // it: wait for that record, not only for the receipt (a busy machine shows the gap).
      const deadline = Date.now() + 45_000;
      let attempts = await attemptsOf(cut.batchId);
      while (Date.now() < deadline && !attempts.some((a) => a.outcome === "delivered")) {
        await new Promise((r) => setTimeout(r, 250));
        attempts = await attemptsOf(cut.batchId);
      }
      expect(received.map((b) => b.batchId)).toEqual([cut.batchId]);
      expect(attempts.map((a) => a.outcome)).toEqual(["http_error", "http_error", "delivered"]);
      // Backoff (retry delay 1 s): the first retry waits 1–2 s, the second 2–4 s.
      expect(callTimes).toHaveLength(3);
      expect(callTimes[1]! - callTimes[0]!).toBeGreaterThanOrEqual(900);
      expect(callTimes[2]! - callTimes[1]!).toBeGreaterThanOrEqual(1900);
    } finally {
      await workers?.stop();
    }
  }, 60_000);
});
