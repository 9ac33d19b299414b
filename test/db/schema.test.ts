import { eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { applications, carrierCapabilities, carriers, lines } from "../../db/schema";
import { openTestDatabase } from "../support/database";

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});

async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: string; cause?: { code?: string } };
    return e.cause?.code ?? e.code;
  }
  return undefined;
}

describe("schema and seed", () => {
  it("seeds the five carriers and their capability table", async () => {
    const rows = await database.db.select().from(carriers);
    expect(rows.map((r) => r.code).sort()).toEqual(["kddi", "ntt-docomo-business", "ntt-east", "ntt-west", "softbank"]);
    const east = rows.find((r) => r.code === "ntt-east")!;
    expect(east.regions).toContain(13); // 東京都
    expect(east.regions).not.toContain(27); // 大阪府
    const caps = await database.db.select().from(carrierCapabilities);
    expect(caps).toHaveLength(10);
    expect(caps.find((c) => c.carrierCode === "kddi" && c.scope === "outgoing")?.acceptedViaCentre).toBe(true);
    expect(caps.find((c) => c.carrierCode === "ntt-east" && c.scope === "outgoing")?.acceptedViaCentre).toBe(false);
  });

  it("keeps one row per E.164 line", async () => {
    await database.db.insert(lines).values({ e164: "+81312340001" });
    expect(await errorCode(database.db.insert(lines).values({ e164: "+81312340001" }))).toBe("23505");
  });

  it("refuses a line that is not a Japanese E.164 number", async () => {
    expect(await errorCode(database.db.insert(lines).values({ e164: "0312345678" }))).toBe("23514");
  });

  it("refuses a second application with the same idempotency key, and unknown statuses", async () => {
    const [line] = await database.db.insert(lines).values({ e164: "+81312340002" }).returning();
    const base = {
      lineId: line!.id,
      scopes: ["incoming"],
      channel: "web",
      relation: "self",
      carrierChoice: "unknown",
    };
    await database.db.insert(applications).values({ ...base, reference: "12345678906", idempotencyKey: "k-1" });
    expect(await errorCode(database.db.insert(applications).values({ ...base, reference: "00000000000", idempotencyKey: "k-1" }))).toBe("23505");
    expect(
      await errorCode(database.db.insert(applications).values({ ...base, reference: "11111111111", idempotencyKey: "k-2", status: "maybe" })),
    ).toBe("23514");
    const stored = await database.db.select().from(applications).where(eq(applications.idempotencyKey, "k-1"));
    expect(stored[0]!.scopes).toEqual(["incoming"]);
  });

  it("makes the audit log append-only at the database level", async () => {
    await database.db.execute(
      sql`insert into audit_log (actor, action, subject_type) values ('system','test','test')`,
    );
    expect(await errorCode(database.db.execute(sql`update audit_log set actor = 'x'`))).toBe("P0001");
    expect(await errorCode(database.db.execute(sql`delete from audit_log`))).toBe("P0001");
  });
});
