/**
 * Issue 12 point 2: stuck work recovers. A job whose worker died (fetched, never completed) expires
 * per its queue's limit and is retried within a minute; one carrier's stuck cut never blocks the
 * cuts of the others.
 */
import { createLogger } from "../../app/lib/logger.server";
import { JOB_NAMES } from "../../app/lib/jobs";
import { MAINTENANCE_INTERVAL_SECONDS, QUEUE_EXPIRY_SECONDS, startJobQueue, type JobQueue } from "../../app/lib/queue.server";
import { createTestServices, type TestServices } from "../support/services";

let services: TestServices;
let supervisor: JobQueue;

beforeAll(async () => {
  services = await createTestServices();
  // A worker process's queue: runs pg-boss's maintenance (expiry of stuck jobs).
  supervisor = await startJobQueue(services.database, createLogger({ level: "silent" }), { maintenance: true });
});
afterAll(async () => {
  await supervisor.stop();
  await services.close();
});

const stateOf = async (id: string) =>
  (await services.database.sql<{ state: string; retry_after_s: number }>(
    "select state, extract(epoch from (start_after - now()))::float as retry_after_s from pgboss.job where id = $1",
    [id],
  ))[0]!;

describe("stuck jobs", () => {
  it("gives every queue an expiry under a minute (OCR aside) and checks for expired jobs often", async () => {
    for (const name of Object.values(JOB_NAMES)) {
      const queue = await services.queue.boss.getQueue(name);
      expect(queue?.expireInSeconds, name).toBe(QUEUE_EXPIRY_SECONDS[name]);
    }
    expect(QUEUE_EXPIRY_SECONDS[JOB_NAMES.cutCarrierBatch] + MAINTENANCE_INTERVAL_SECONDS).toBeLessThan(60);
    expect(QUEUE_EXPIRY_SECONDS[JOB_NAMES.deliverMessage] + MAINTENANCE_INTERVAL_SECONDS).toBeLessThan(60);
  });

  it("retries a cut whose worker died, and the other carriers' cuts are not held up meanwhile", async () => {
    const { boss } = services.queue;
    const stuckId = await services.queue.enqueue(JOB_NAMES.cutCarrierBatch, { carrierCode: "kddi", reason: "schedule" }, { singletonKey: "kddi:schedule" });
    const [taken] = await boss.fetch(JOB_NAMES.cutCarrierBatch);
    expect(taken?.id).toBe(stuckId);
    // The worker dies here: the job stays active. The next triggers arrive, KDDI's first.
    await services.queue.enqueue(JOB_NAMES.cutCarrierBatch, { carrierCode: "kddi", reason: "schedule" }, { singletonKey: "kddi:schedule" });
    const softbankId = await services.queue.enqueue(JOB_NAMES.cutCarrierBatch, { carrierCode: "softbank", reason: "schedule" }, { singletonKey: "softbank:schedule" });
    // Another worker still gets work, and SoftBank's cut among it.
    const fetched: string[] = [];
    for (let i = 0; i < 3; i++) {
      const jobs = await boss.fetch(JOB_NAMES.cutCarrierBatch);
      for (const job of jobs ?? []) {
        fetched.push(job.id);
        await boss.complete(JOB_NAMES.cutCarrierBatch, job.id);
      }
    }
    expect(fetched).toContain(softbankId);

    // Time passes beyond the queue's expiry: the supervisor fails the stuck job by timeout, for a retry.
    await services.database.sql("update pgboss.job set started_on = now() - make_interval(secs => $2) where id = $1", [
      stuckId,
      QUEUE_EXPIRY_SECONDS[JOB_NAMES.cutCarrierBatch] + 1,
    ]);
    const deadline = Date.now() + (MAINTENANCE_INTERVAL_SECONDS + 20) * 1000;
    let state = await stateOf(stuckId!);
    while (state.state === "active" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      state = await stateOf(stuckId!);
    }
    expect(state.state).toBe("retry");
    expect(state.retry_after_s).toBeLessThan(30);
  }, 90_000);
});
