import { eq } from "drizzle-orm";
import { auditLog, operators, sessions } from "../../db/schema";
import { seedDemoOperator } from "../../db/seed";
import { hashPassword } from "../../app/lib/password.server";
import { IDLE_TIMEOUT_MS, LOCK_DURATION_MS, MAX_FAILED_LOGINS } from "../../app/lib/auth.server";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";
import { signIn as signInWithTotp } from "../support/ops";

const PASSWORD = "correct-horse-battery";
let services: TestServices;
let server: TestServer;

beforeAll(async () => {
  services = await createTestServices();
  await seedDemoOperator(services.db, await hashPassword(PASSWORD));
  server = await startTestServer(services);
});
afterAll(async () => {
  await server.close();
  await services.close();
});

/** Password and then the TOTP code (the demo operator enrols on its first login). */
async function signIn(browser: TestBrowser, password = PASSWORD) {
  return signInWithTotp(browser, services, "demo", password);
}

describe("portal pages", () => {
  it("serves the landing page in Japanese with security headers", async () => {
    const page = await new TestBrowser(server.url).get("/");
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="ja">');
    expect(page.html).toContain("国際電話");
    const csp = page.headers.get("Content-Security-Policy")!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    const nonce = csp.match(/nonce-([A-Za-z0-9+/=]+)/)![1];
    // Every inline script Remix emits carries this response's nonce.
    const scripts = page.html.match(/<script(?![^>]*\ssrc=)[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(page.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(page.headers.get("X-Frame-Options")).toBe("DENY");
    expect(page.headers.get("X-Powered-By")).toBeNull();
  });

  it("answers /healthz with the database and the queue", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", checks: { database: "ok", queue: "ok" } });
  });

  it("shows a plain 404 page", async () => {
    const page = await new TestBrowser(server.url).get("/no-such-page");
    expect(page.status).toBe(404);
    expect(page.html).toContain("ページが見つかりません");
  });
});

describe("back-office login", () => {
  it("redirects to the login page when not signed in", async () => {
    const page = await new TestBrowser(server.url).request("/ops/outbox");
    expect(page.status).toBe(302);
    expect(page.headers.get("Location")).toBe("/ops/login?redirectTo=%2Fops%2Foutbox");
  });

  it("signs in the demo operator, audits it, and signs out", async () => {
    const browser = new TestBrowser(server.url);
    const result = await signIn(browser);
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toBe("/ops");
    const dashboard = await browser.get("/ops");
    expect(dashboard.status).toBe(200);
    expect(dashboard.html).toContain("ダッシュボード");
    const audit = await services.db.select().from(auditLog).where(eq(auditLog.action, "operator.login"));
    expect(audit.length).toBeGreaterThan(0);

    const logout = await browser.post("/ops/logout", { csrf: browser.csrfFrom(dashboard.html) });
    expect(logout.status).toBe(302);
    expect((await browser.request("/ops")).status).toBe(302);
  });

  it("keeps what was typed and says what to do on a wrong password", async () => {
    const browser = new TestBrowser(server.url);
    const page = await browser.submit("/ops/login", { username: "demo", password: "wrong-password" });
    expect(page.status).toBe(401);
    expect(page.html).toContain("ユーザー名かパスワードが違います");
    expect(page.html).toContain('value="demo"');
    expect(page.html).toContain("入力内容を確認してください");
  });

  it("locks the account after repeated failures", async () => {
    const username = "locktest";
    await services.db.insert(operators).values({ username, displayName: "ロック試験", role: "operator", passwordHash: await hashPassword(PASSWORD) });
    const browser = new TestBrowser(server.url);
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) await browser.submit("/ops/login", { username, password: "nope-nope-nope" });
    const locked = await browser.submit("/ops/login", { username, password: PASSWORD });
    expect(locked.status).toBe(401);
    expect(locked.html).toContain("しばらくログインできません");
    services.clock.advance(LOCK_DURATION_MS + 1000);
    const after = await browser.submit("/ops/login", { username, password: PASSWORD });
    expect(after.status).toBe(302);
  });

  it("ends a session that was revoked, or idle too long", async () => {
    const browser = new TestBrowser(server.url);
    await signIn(browser);
    expect((await browser.request("/ops")).status).toBe(200);
    services.clock.advance(IDLE_TIMEOUT_MS + 1000);
    expect((await browser.request("/ops")).status).toBe(302);

    const second = new TestBrowser(server.url);
    await signIn(second);
    expect((await second.request("/ops")).status).toBe(200);
    const [demo] = await services.db.select().from(operators).where(eq(operators.username, "demo"));
    await services.db.update(sessions).set({ revokedAt: services.clock.now() }).where(eq(sessions.operatorId, demo!.id));
    expect((await second.request("/ops")).status).toBe(302);
  });

  it("lists the outbox with the message text, and audits the view", async () => {
    await services.comms.queueCall({
      idempotencyKey: "route-test-call",
      purpose: "verification",
      to: "+81312345678",
      content: { kind: "say", text: "確認番号は、4、7、1、9 です。" },
    });
    const browser = new TestBrowser(server.url);
    await signIn(browser);
    const page = await browser.get("/ops/outbox");
    expect(page.status).toBe(200);
    expect(page.html).toContain("確認番号は、4、7、1、9 です。");
    expect(page.html).toContain("03-1234-5678");
    const views = await services.db.select().from(auditLog).where(eq(auditLog.action, "outbox.view"));
    expect(views.length).toBeGreaterThan(0);
    expect(JSON.stringify(views.at(-1)!.detail)).not.toContain("4、7、1、9");
  });
});

describe("CSRF", () => {
  it("refuses a form post without the token", async () => {
    const browser = new TestBrowser(server.url);
    await browser.get("/ops/login");
    const page = await browser.post("/ops/login", { username: "demo", password: PASSWORD });
    expect(page.status).toBe(403);
  });

  it("refuses a token that does not match the cookie", async () => {
    const browser = new TestBrowser(server.url);
    await browser.get("/ops/login");
    const page = await browser.post("/ops/login", { csrf: "forged", username: "demo", password: PASSWORD });
    expect(page.status).toBe(403);
  });

  it("refuses a post from another site even with a valid token", async () => {
    const browser = new TestBrowser(server.url);
    const form = await browser.get("/ops/login");
    const page = await browser.post(
      "/ops/login",
      { csrf: browser.csrfFrom(form.html), username: "demo", password: PASSWORD },
      { origin: "https://evil.example" },
    );
    expect(page.status).toBe(403);
    expect(page.html).toContain("別のサイト");
  });
});
