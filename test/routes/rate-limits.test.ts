/**
 * Issue 12, points 8 and 9: rate limits have their own table and index (they used to count audit-log
 * rows), the failure and its audit row are written together, and wrong carrier API keys are throttled
 * per client address (429 with Retry-After).
 */
import { and, eq } from "drizzle-orm";
import { auditLog, rateLimitEvents } from "../../db/schema";
import { createApiKey } from "../../app/lib/carrier-auth.server";
import { objectToCancellation } from "../../app/lib/cancellations.server";
import { CARRIER_API_KEY_LIMIT, clientKey, OBJECTION_LIMIT, STATUS_LOOKUP_LIMIT } from "../../app/lib/rate-limit.server";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";
import { applicationIn } from "../support/cancellations";

let services: TestServices;
let server: TestServer;
beforeAll(async () => {
  services = await createTestServices();
  server = await startTestServer(services);
});
afterAll(async () => {
  await server.close();
  await services.close();
});

const decode = (html: string) => html.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

describe("rate limits (issue 12)", () => {
  it("keeps its own table with an index on (bucket, key_hash, at)", async () => {
    const indexes = await services.database.sql<{ indexdef: string }>("select indexdef from pg_indexes where tablename = 'rate_limit_events'");
    expect(indexes.map((i) => i.indexdef).join("\n")).toMatch(/idx_rate_limit_events_bucket_key_at.*\(bucket, key_hash, at\)/);
  });

  it("/status: counts failed look-ups in the rate-limit table, not in the audit log, and stops at the limit", async () => {
    const { reference } = await applicationIn(services, { e164: "+81367100001" });
    const ip = "127.0.0.1";
    // Audit rows alone no longer count (today's limit counted them): a client with many old audit rows is not refused.
    for (let i = 0; i < STATUS_LOOKUP_LIMIT.max + 5; i++) {
      await services.audit.record({ actor: "applicant", action: "status.lookup_failed", subjectType: "application", ip });
    }
    const browser = new TestBrowser(server.url);
    const lookup = async (number: string) => {
      const page = await browser.get("/status");
      const answer = await browser.post("/status", { csrf: browser.csrfFrom(page.html), reference, number });
      expect(answer.status).toBe(303);
      return decode((await browser.get("/status")).html);
    };
    expect(await lookup("03-6710-0001")).toContain("の状況");
    const before = await services.db.select().from(rateLimitEvents).where(eq(rateLimitEvents.bucket, STATUS_LOOKUP_LIMIT.bucket));
    expect(before).toHaveLength(0);

    for (let i = 0; i < STATUS_LOOKUP_LIMIT.max; i++) expect(await lookup("03-6710-0002")).toContain("合うお申し込みが見つかりません");
    const hits = await services.db.select().from(rateLimitEvents).where(eq(rateLimitEvents.bucket, STATUS_LOOKUP_LIMIT.bucket));
    expect(hits).toHaveLength(STATUS_LOOKUP_LIMIT.max);
    expect(hits.every((h) => h.keyHash === clientKey(services, ip))).toBe(true);
    expect(JSON.stringify(hits)).not.toContain(ip);
    // Refused now, even with the right number; and an hour later it works again.
    expect(await lookup("03-6710-0001")).toContain("確認に何度も失敗したため");
    services.clock.advance(STATUS_LOOKUP_LIMIT.windowMs + 1000);
    expect(await lookup("03-6710-0001")).toContain("の状況");
  });

  it("objections: a wrong code is counted and audited in one transaction; the limit refuses further tries", async () => {
    const ip = "192.0.2.44";
    for (let i = 0; i < OBJECTION_LIMIT.max; i++) {
      const result = await objectToCancellation(services, { reference: "00000000000", code: "000000", by: "original_applicant", actor: "applicant", ip });
      expect(result).toMatchObject({ ok: false, reason: "not_found" });
    }
    const audits = await services.db.select().from(auditLog).where(and(eq(auditLog.action, "cancellation.objection_failed"), eq(auditLog.ipHash, clientKey(services, ip))));
    expect(audits).toHaveLength(OBJECTION_LIMIT.max);
    expect(await objectToCancellation(services, { reference: "00000000000", code: "000000", by: "original_applicant", actor: "applicant", ip })).toMatchObject({
      ok: false,
      reason: "limited",
    });
  });

  it("carrier API: wrong keys from one address get 429 with Retry-After after the limit, a correct key too, until the window frees up", async () => {
    const key = (await createApiKey(services, { carrierCode: "kddi", label: "rate-limit test", createdBy: null })).key;
    const api = (token: string) => fetch(`${server.url}/api/carrier/v1/batches`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await api(key)).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < CARRIER_API_KEY_LIMIT.max + 5; i++) statuses.push((await api(`kfk_wrong-${i}`)).status);
    expect(statuses.slice(0, CARRIER_API_KEY_LIMIT.max)).toEqual(Array(CARRIER_API_KEY_LIMIT.max).fill(401));
    expect(statuses.slice(CARRIER_API_KEY_LIMIT.max)).toEqual(Array(5).fill(429));
    const throttled = await api(key);
    expect(throttled.status).toBe(429);
    const retryAfter = Number(throttled.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(CARRIER_API_KEY_LIMIT.windowMs / 1000);
    expect(await throttled.json()).toMatchObject({ error: "too_many_failures", retry_after: retryAfter });
    // Only the failures were counted: the 429s add nothing, so the window ends when it says.
    const hits = await services.db.select().from(rateLimitEvents).where(eq(rateLimitEvents.bucket, CARRIER_API_KEY_LIMIT.bucket));
    expect(hits).toHaveLength(CARRIER_API_KEY_LIMIT.max);
    services.clock.advance(retryAfter * 1000 + 1000);
    expect((await api(key)).status).toBe(200);
  });
});
