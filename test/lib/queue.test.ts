import { sql } from "drizzle-orm";
import { JOB_NAMES } from "../../app/lib/jobs";
import { toDrizzleSql } from "../../app/lib/queue.server";
import { createTestServices, type TestServices } from "../support/services";

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(async () => {
  await services.close();
});

async function jobsFor(outboxId: string): Promise<number> {
  const rows = await services.database.sql<{ n: number }>(
    "select count(*)::int as n from pgboss.job where name = $1 and data->>'outboxId' = $2",
    [JOB_NAMES.deliverMessage, outboxId],
  );
  return Number(rows[0]!.n);
}

describe("job queue", () => {
  it("converts numbered parameters for drizzle", () => {
    const query = toDrizzleSql("select $1::int + $2::int, '$x'", [1, 2]);
    expect(query.queryChunks.length).toBeGreaterThan(3);
  });

  it("enqueues inside a transaction, and a rolled-back transaction leaves no job", async () => {
    const committedId = "00000000-0000-4000-8000-000000000001";
    await services.db.transaction(async (tx) => {
      await services.queue.enqueue(JOB_NAMES.deliverMessage, { outboxId: committedId }, { tx });
    });
    expect(await jobsFor(committedId)).toBe(1);

    const rolledBackId = "00000000-0000-4000-8000-000000000002";
    await expect(
      services.db.transaction(async (tx) => {
        await services.queue.enqueue(JOB_NAMES.deliverMessage, { outboxId: rolledBackId }, { tx });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await jobsFor(rolledBackId)).toBe(0);
  });

  it("refuses a second job with the same singleton key while the first waits", async () => {
    const id = "00000000-0000-4000-8000-000000000003";
    const first = await services.queue.enqueue(JOB_NAMES.deliverMessage, { outboxId: id }, { singletonKey: id });
    const second = await services.queue.enqueue(JOB_NAMES.deliverMessage, { outboxId: id }, { singletonKey: id });
    expect(first).toBeTruthy();
    expect(second).toBeNull();
    expect(await jobsFor(id)).toBe(1);
  });

  it("stays usable after a failed statement (the PGlite adapter rolls back)", async () => {
    await expect(services.database.executeSql("BEGIN; select 1/0; COMMIT;")).rejects.toThrow();
    const rows = await services.db.execute(sql`select 1 as one`);
    expect(rows).toBeTruthy();
  });
});
