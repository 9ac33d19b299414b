/**
 * Issue 12, point 9: carrier portal users, who download subscribers' names and numbers, have a second
 * factor like operators (the same TOTP): a correct password alone opens no session.
 */
import { and, eq } from "drizzle-orm";
import { auditLog, carrierSessions, carrierUsers } from "../../db/schema";
import { CARRIER_MAX_FAILED_LOGINS, createCarrierUser } from "../../app/lib/carrier-auth.server";
import { totpCode } from "../../app/lib/totp.server";
import { createCarrierTestServices } from "../support/carrier-fixtures";
import { carrierSignIn, nextCarrierCode } from "../support/carrier-session";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";
import type { TestServices } from "../support/services";

const PASSWORD = "correct-horse-battery";
let services: TestServices;
let server: TestServer;
let userId: string;

beforeAll(async () => {
  services = await createCarrierTestServices();
  const created = await createCarrierUser(services, { carrierCode: "kddi", username: "kddi-2fa", displayName: "KDDI 担当", password: PASSWORD, createdBy: null });
  if (!created.ok) throw new Error("user not created");
  userId = created.id;
  await createCarrierUser(services, { carrierCode: "kddi", username: "kddi-lock", displayName: "KDDI 担当", password: PASSWORD, createdBy: null });
  server = await startTestServer(services);
});
afterAll(async () => {
  await server.close();
  await services.close();
});

const sessionsOf = async (id: string) => services.db.select().from(carrierSessions).where(eq(carrierSessions.carrierUserId, id));

describe("carrier second factor (issue 12)", () => {
  it("a correct password leads to enrolment, not to a session; the batches stay closed until the code", async () => {
    const browser = new TestBrowser(server.url);
    const afterPassword = await browser.submit("/carrier/login", { username: "kddi-2fa", password: PASSWORD, redirectTo: "/carrier" });
    expect(afterPassword.status).toBe(302);
    expect(afterPassword.headers.get("Location")).toBe("/carrier/totp/enrol");
    expect(await sessionsOf(userId)).toHaveLength(0);
    const list = await browser.request("/carrier");
    expect(list.status).toBe(302);
    expect(list.headers.get("Location")).toContain("/carrier/login");

    const enrol = await browser.get("/carrier/totp/enrol");
    expect(enrol.status).toBe(200);
    expect(enrol.headers.get("Cache-Control")).toBe("no-store");
    expect(enrol.html).toContain("data-totp-secret");
    const wrong = await browser.post("/carrier/totp/enrol", { csrf: browser.csrfFrom(enrol.html), code: "000000" === (await nextCarrierCode(services, userId)) ? "111111" : "000000" });
    expect(wrong.status).toBe(401);
    expect(await sessionsOf(userId)).toHaveLength(0);

    const done = await browser.post("/carrier/totp/enrol", { csrf: browser.csrfFrom(enrol.html), code: await nextCarrierCode(services, userId) });
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/carrier");
    expect((await browser.get("/carrier")).status).toBe(200);
    const [user] = await services.db.select().from(carrierUsers).where(eq(carrierUsers.id, userId));
    expect(user!.totpEnrolledAt).not.toBeNull();
    expect(user!.totpSecretEnc).toMatch(/^k1\./);
    const actions = (await services.db.select().from(auditLog).where(eq(auditLog.subjectId, userId))).map((a) => a.action);
    expect(actions).toEqual(["carrier_user.password_ok", "carrier_user.totp_failed", "carrier_user.totp_enrolled", "carrier_user.login"]);
  });

  it("later logins ask for the code; a code is good once", async () => {
    const browser = new TestBrowser(server.url);
    const afterPassword = await browser.submit("/carrier/login", { username: "kddi-2fa", password: PASSWORD });
    expect(afterPassword.headers.get("Location")).toBe("/carrier/totp");
    const page = await browser.get("/carrier/totp");
    const code = await nextCarrierCode(services, userId);
    expect((await browser.post("/carrier/totp", { csrf: browser.csrfFrom(page.html), code })).status).toBe(302);
    // The same code again, in another browser: refused.
    const other = new TestBrowser(server.url);
    await other.submit("/carrier/login", { username: "kddi-2fa", password: PASSWORD });
    const otherPage = await other.get("/carrier/totp");
    const replay = await other.post("/carrier/totp", { csrf: other.csrfFrom(otherPage.html), code });
    expect(replay.status).toBe(401);
    expect(replay.html).toContain("もう使われました");
  });

  it("wrong codes count towards the lock-out", async () => {
    const done = await carrierSignIn(new TestBrowser(server.url), services, "kddi-lock", PASSWORD);
    expect(done.status).toBe(302);
    const [user] = await services.db.select().from(carrierUsers).where(eq(carrierUsers.username, "kddi-lock"));
    const browser = new TestBrowser(server.url);
    await browser.submit("/carrier/login", { username: "kddi-lock", password: PASSWORD });
    const page = await browser.get("/carrier/totp");
    const right = totpCode(services.pii.open(user!.totpSecretEnc!), services.now());
    const wrong = right === "000000" ? "111111" : "000000";
    const statuses: number[] = [];
    for (let i = 0; i < CARRIER_MAX_FAILED_LOGINS; i++) statuses.push((await browser.post("/carrier/totp", { csrf: browser.csrfFrom(page.html), code: wrong })).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    const locked = await services.db.select().from(auditLog).where(and(eq(auditLog.subjectId, user!.id), eq(auditLog.action, "carrier_user.login_locked")));
    expect(locked).toHaveLength(1);
    expect((await carrierSignIn(new TestBrowser(server.url), services, "kddi-lock", PASSWORD)).status).toBe(401);
  });
});
