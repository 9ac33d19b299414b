/**
 * Signing in to the back office: the TOTP second factor (enrolment by QR code and a first code, then
 * a code at every login), lock-out after failures of either factor, the one-time password an admin
 * gives, and sessions an admin revokes.
 */
import { eq } from "drizzle-orm";
import { auditLog, operators, sessions } from "../../db/schema";
import { LOCK_DURATION_MS, MAX_FAILED_LOGINS, PENDING_LOGIN_TTL_MS } from "../../app/lib/auth.server";
import { totpCode } from "../../app/lib/totp.server";
import { createOperator, nextCode, postForm, signIn, TEST_PASSWORD } from "../support/ops";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";

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

const operatorNamed = async (username: string) => (await services.db.select().from(operators).where(eq(operators.username, username)))[0]!;
const actions = async (subjectId: string) => (await services.db.select().from(auditLog).where(eq(auditLog.subjectId, subjectId))).map((r) => r.action);

describe("TOTP enrolment", () => {
  it("shows a QR code and the secret on the first login, and enrols with a first code", async () => {
    const { id } = await createOperator(services, { username: "newcomer", role: "operator", enrolled: false });
    const browser = new TestBrowser(server.url);
    const password = await browser.submit("/ops/login", { username: "newcomer", password: TEST_PASSWORD, redirectTo: "/ops/search" });
    expect(password.status).toBe(302);
    expect(password.headers.get("Location")).toBe("/ops/totp/enrol");
    // No session yet: only the pending login.
    expect((await browser.request("/ops")).status).toBe(302);

    const page = await browser.get("/ops/totp/enrol");
    expect(page.status).toBe(200);
    expect(page.headers.get("Cache-Control")).toBe("no-store");
    expect(page.html).toMatch(/<img src="data:image\/png;base64,[^"]+" alt="認証アプリに登録するQRコード/);
    const secret = page.html.match(/data-totp-secret="true">([A-Z2-7 ]+)</)![1]!.replace(/ /g, "");
    expect(services.pii.open((await operatorNamed("newcomer")).totpSecretEnc!)).toBe(secret);
    // A reload shows the same secret (the QR code already scanned stays valid).
    expect((await browser.get("/ops/totp/enrol")).html).toContain(page.html.match(/data-totp-secret="true">([A-Z2-7 ]+)</)![1]!);

    const wrong = await browser.post("/ops/totp/enrol", { csrf: browser.csrfFrom(page.html), code: "000000" === totpCode(secret, services.now()) ? "111111" : "000000" });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain("確認コードが違います");

    const done = await browser.post("/ops/totp/enrol", { csrf: browser.csrfFrom(page.html), code: totpCode(secret, services.now()) });
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/ops/search");
    expect((await browser.request("/ops/search")).status).toBe(200);
    const row = await operatorNamed("newcomer");
    expect(row.totpEnrolledAt).not.toBeNull();
    expect(row.failedLogins).toBe(0);
    expect(await actions(id)).toEqual(expect.arrayContaining(["operator.password_ok", "operator.totp_failed", "operator.totp_enrolled", "operator.login"]));

    // The next login asks for a code, not a new enrolment.
    const again = new TestBrowser(server.url);
    const step = await again.submit("/ops/login", { username: "newcomer", password: TEST_PASSWORD });
    expect(step.headers.get("Location")).toBe("/ops/totp");
    expect((await again.get("/ops/totp/enrol")).url).toBe("/ops/totp");
  });

  it("cannot be reached without a correct password", async () => {
    const browser = new TestBrowser(server.url);
    expect((await browser.request("/ops/totp/enrol")).headers.get("Location")).toBe("/ops/login");
    expect((await browser.request("/ops/totp")).headers.get("Location")).toBe("/ops/login");
  });
});

describe("TOTP at login", () => {
  it("signs in with the current code and refuses the same code twice", async () => {
    const { id } = await createOperator(services, { username: "twice", role: "operator" });
    const code = await nextCode(services, id);
    const first = new TestBrowser(server.url);
    await first.submit("/ops/login", { username: "twice", password: TEST_PASSWORD });
    const ok = await first.submit("/ops/totp", { code });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("Location")).toBe("/ops");
    expect(ok.headers.getSetCookie().some((c) => c.startsWith("ops_login=;"))).toBe(true);
    expect((await first.request("/ops")).status).toBe(200);

    const second = new TestBrowser(server.url);
    await second.submit("/ops/login", { username: "twice", password: TEST_PASSWORD });
    const replay = await second.submit("/ops/totp", { code });
    expect(replay.status).toBe(401);
    expect(replay.html).toContain("もう使われました");
  });

  it("refuses a forged or expired pending login", async () => {
    await createOperator(services, { username: "forger", role: "operator" });
    const browser = new TestBrowser(server.url);
    await browser.submit("/ops/login", { username: "forger", password: TEST_PASSWORD });
    const cookie = browser.cookieHeader();
    const forged = cookie.replace(/ops_login=([^.;]+)\.[^;]+/, "ops_login=$1.AAAA");
    const page = await browser.request("/ops/totp", { headers: { Cookie: forged } });
    expect(page.headers.get("Location")).toBe("/ops/login");
    services.clock.advance(PENDING_LOGIN_TTL_MS + 1000);
    expect((await browser.request("/ops/totp")).headers.get("Location")).toBe("/ops/login");
  });

  it("locks the account after repeated wrong codes, even with the right password each time", async () => {
    const { id } = await createOperator(services, { username: "guesser", role: "operator" });
    const browser = new TestBrowser(server.url);
    let last;
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      // Signing in with the right password again does not reset the count.
      await browser.submit("/ops/login", { username: "guesser", password: TEST_PASSWORD });
      last = await browser.submit("/ops/totp", { code: String(100000 + i) });
    }
    expect(last!.status).toBe(401);
    expect(last!.html).toContain("しばらくログインできません");
    const locked = await browser.submit("/ops/login", { username: "guesser", password: TEST_PASSWORD });
    expect(locked.status).toBe(401);
    expect(locked.html).toContain("しばらくログインできません");
    expect(await actions(id)).toContain("operator.login_locked");

    services.clock.advance(LOCK_DURATION_MS + 1000);
    const after = await signIn(browser, services, "guesser");
    expect(after.status).toBe(302);
    expect(after.headers.get("Location")).toBe("/ops");
  });
});

describe("one-time passwords from an admin", () => {
  it("makes the new operator choose a password, then enrol, then work", async () => {
    const admin = await createOperator(services, { username: "boss", role: "admin" });
    const adminBrowser = new TestBrowser(server.url);
    await signIn(adminBrowser, services, admin.username);
    const created = await postForm(adminBrowser, "/ops/admin/new", { username: "tanaka", displayName: "田中 次郎", role: "supervisor" });
    expect(created.status).toBe(200);
    const oneTime = created.html.match(/data-one-time-password="true">([a-z2-9-]+)</)![1]!;
    expect(oneTime).toHaveLength(19);
    const createdRow = await operatorNamed("tanaka");
    expect(JSON.stringify((await services.db.select().from(auditLog).where(eq(auditLog.subjectId, createdRow.id))).map((r) => r.detail))).not.toContain(oneTime);

    const browser = new TestBrowser(server.url);
    const first = await browser.submit("/ops/login", { username: "tanaka", password: oneTime });
    expect(first.headers.get("Location")).toBe("/ops/login/password");
    const mismatch = await browser.submit("/ops/login/password", { password: "a-long-new-password", confirm: "another-password!" });
    expect(mismatch.status).toBe(400);
    expect(mismatch.html).toContain("2つのパスワードが違います");
    const reuse = await browser.submit("/ops/login/password", { password: oneTime, confirm: oneTime });
    expect(reuse.html).toContain("仮のパスワードは使えません");
    const changed = await browser.submit("/ops/login/password", { password: "my-own-long-password", confirm: "my-own-long-password" });
    expect(changed.headers.get("Location")).toBe("/ops/totp/enrol");
    const enrol = await browser.get("/ops/totp/enrol");
    const secret = enrol.html.match(/data-totp-secret="true">([A-Z2-7 ]+)</)![1]!.replace(/ /g, "");
    const done = await browser.post("/ops/totp/enrol", { csrf: browser.csrfFrom(enrol.html), code: totpCode(secret, services.now()) });
    expect(done.status).toBe(302);
    expect((await browser.request("/ops/stats")).status).toBe(200);
    // The one-time password no longer works.
    expect((await new TestBrowser(server.url).submit("/ops/login", { username: "tanaka", password: oneTime })).status).toBe(401);
  });
});

describe("session revocation", () => {
  it("ends every session of an operator when an admin says so, and after a role change", async () => {
    const admin = await createOperator(services, { username: "revoker", role: "admin" });
    const target = await createOperator(services, { username: "laptop", role: "operator" });
    const adminBrowser = new TestBrowser(server.url);
    await signIn(adminBrowser, services, admin.username);
    const desk = new TestBrowser(server.url);
    const home = new TestBrowser(server.url);
    await signIn(desk, services, target.username);
    await signIn(home, services, target.username);
    expect((await desk.request("/ops/search")).status).toBe(200);
    expect((await home.request("/ops/search")).status).toBe(200);

    const revoked = await postForm(adminBrowser, `/ops/admin/${target.id}`, { intent: "revoke_sessions" });
    expect(revoked.status).toBe(200);
    expect(revoked.html).toContain("ログイン中の画面をすべて終了しました");
    expect((await desk.request("/ops/search")).status).toBe(302);
    expect((await home.request("/ops/search")).status).toBe(302);
    const open = await services.db.select().from(sessions).where(eq(sessions.operatorId, target.id));
    expect(open.every((s) => s.revokedAt !== null)).toBe(true);
    const audit = await services.db.select().from(auditLog).where(eq(auditLog.action, "operator.revoke_sessions"));
    expect(audit.at(-1)).toMatchObject({ actor: `operator:${admin.id}`, subjectId: target.id, detail: { revoked: 2 } });

    await signIn(desk, services, target.username);
    await postForm(adminBrowser, `/ops/admin/${target.id}`, { intent: "role", role: "auditor" });
    expect((await desk.request("/ops/search")).status).toBe(302);
    await signIn(desk, services, target.username);
    expect((await desk.request("/ops/search")).status).toBe(403);
    expect((await desk.request("/ops/audit")).status).toBe(200);
  });

  it("resets an operator's authenticator so the next login enrols again", async () => {
    const admin = await createOperator(services, { username: "helpdesk", role: "admin" });
    const target = await createOperator(services, { username: "lostphone2", role: "operator" });
    const adminBrowser = new TestBrowser(server.url);
    await signIn(adminBrowser, services, admin.username);
    const page = await postForm(adminBrowser, `/ops/admin/${target.id}`, { intent: "reset_totp" });
    expect(page.html).toContain("認証アプリの登録を取り消しました");
    const browser = new TestBrowser(server.url);
    const step = await browser.submit("/ops/login", { username: target.username, password: TEST_PASSWORD });
    expect(step.headers.get("Location")).toBe("/ops/totp/enrol");
  });

  it("keeps disabled operators out", async () => {
    const admin = await createOperator(services, { username: "closer", role: "admin" });
    const target = await createOperator(services, { username: "gone", role: "operator" });
    const adminBrowser = new TestBrowser(server.url);
    await signIn(adminBrowser, services, admin.username);
    const browser = new TestBrowser(server.url);
    await signIn(browser, services, target.username);
    await postForm(adminBrowser, `/ops/admin/${target.id}`, { intent: "disable" });
    expect((await browser.request("/ops")).status).toBe(302);
    expect((await new TestBrowser(server.url).submit("/ops/login", { username: "gone", password: TEST_PASSWORD })).status).toBe(401);
    const self = await postForm(adminBrowser, `/ops/admin/${admin.id}`, { intent: "disable" });
    expect(self.status).toBe(409);
    expect(self.html).toContain("ご自分のアカウントには、この操作はできません");
  });
});
