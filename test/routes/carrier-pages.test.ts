/**
 * The carrier pages (/carrier, carrier staff) and the back-office pages for carriers (/ops/carriers,
 * exceptions, SLA), over HTTP like a browser without JavaScript.
 */
import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { applications, auditLog, carrierApiKeys, carrierCapabilities, carrierExceptions, carrierOrders, carriers, carrierUsers, operators } from "../../db/schema";
import { seedDemoOperator } from "../../db/seed";
import { hashPassword } from "../../app/lib/password.server";
import { createCarrierUser } from "../../app/lib/carrier-auth.server";
import { cutBatch } from "../../app/lib/carrier-batches.server";
import { planCarrierOrders } from "../../app/lib/carrier-orders.server";
import { uploadResults } from "../../app/lib/carrier-results.server";
import { createCarrierTestServices, resultsCsv, verifiedApplication } from "../support/carrier-fixtures";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";
import { signedInBrowser } from "../support/ops-session";
import { carrierSignIn as signInWithCode } from "../support/carrier-session";
import type { TestServices } from "../support/services";

const PASSWORD = "correct-horse-battery";
let services: TestServices;
let server: TestServer;

beforeAll(async () => {
  services = await createCarrierTestServices();
  await seedDemoOperator(services.db, await hashPassword(PASSWORD));
  await services.db.insert(operators).values({ username: "plain-operator", displayName: "一般", role: "operator", passwordHash: await hashPassword(PASSWORD) });
  await createCarrierUser(services, { carrierCode: "kddi", username: "kddi-staff", displayName: "KDDI 担当", password: PASSWORD, createdBy: null });
  await createCarrierUser(services, { carrierCode: "softbank", username: "sb-staff", displayName: "SB 担当", password: PASSWORD, createdBy: null });
  server = await startTestServer(services);
});
afterAll(async () => {
  await server.close();
  await services.close();
});

async function carrierSignIn(username: string) {
  const browser = new TestBrowser(server.url);
  // Password, then the authenticator code (issue 12).
  const response = await signInWithCode(browser, services, username, PASSWORD, "/carrier");
  expect(response.status).toBe(302);
  expect(response.headers.get("Location")).toBe("/carrier");
  return browser;
}

/** A back-office browser: "demo" is an admin, "plain-operator" an operator (signed in as ops tests do). */
async function opsSignIn(username: "demo" | "plain-operator" = "demo") {
  const { browser } = await signedInBrowser(server, services, username === "demo" ? "admin" : "operator");
  return browser;
}

async function batchFor(choice: "kddi" | "softbank") {
  const app = await verifiedApplication(services, { choice, scopes: ["incoming"] });
  await planCarrierOrders(services);
  const cut = await cutBatch(services, choice);
  const [order] = await services.db.select().from(carrierOrders).where(eq(carrierOrders.applicationId, app.applicationId));
  return { app, cut: cut!, order: order! };
}

/** A multipart form post (file upload) as a browser sends it. */
async function postFile(browser: TestBrowser, path: string, fields: Record<string, string>, file: { name: string; type: string; content: string }) {
  const page = await browser.get(path);
  const form = new FormData();
  form.set("csrf", browser.csrfFrom(page.html));
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set("file", new Blob([file.content], { type: file.type }), file.name);
  return browser.request(path, { method: "POST", body: form, headers: { Origin: server.url } });
}

describe("carrier pages", () => {
  it("asks for a carrier login, separate from the back office", async () => {
    const anonymous = await new TestBrowser(server.url).request("/carrier");
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toBe("/carrier/login?redirectTo=%2Fcarrier");
    const wrong = await new TestBrowser(server.url).submit("/carrier/login", { username: "kddi-staff", password: "not-the-password" });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain("ユーザー名かパスワードが違います");
    // An operator account is not a carrier account.
    const operator = await new TestBrowser(server.url).submit("/carrier/login", { username: "demo", password: PASSWORD });
    expect(operator.status).toBe(401);
    // A carrier session does not open the back office.
    const browser = await carrierSignIn("kddi-staff");
    expect((await browser.request("/ops")).status).toBe(302);
  });

  it("lists only the carrier's own batches, downloads the stored bytes, acknowledges and takes results", async () => {
    const { cut, order, app } = await batchFor("kddi");
    const { cut: other } = await batchFor("softbank");
    const browser = await carrierSignIn("kddi-staff");
    const list = await browser.get("/carrier");
    expect(list.status).toBe(200);
    expect(list.html).toContain(`/carrier/batches/${cut.batchId}`);
    expect(list.html).not.toContain(other.batchId);
    expect(list.html).toContain("BEGIN PUBLIC KEY");
    expect((await browser.request(`/carrier/batches/${other.batchId}`)).status).toBe(404);
    expect((await browser.request(`/carrier/batches/${other.batchId}/file?format=csv`)).status).toBe(404);

    const download = await fetch(`${server.url}/carrier/batches/${cut.batchId}/file?format=json`, { headers: { Cookie: browser.cookieHeader() } });
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(download.headers.get("X-Kokusai-Content-SHA256"));
    const downloads = await services.db.select().from(auditLog).where(and(eq(auditLog.action, "carrier_batch.download"), eq(auditLog.subjectId, cut.batchId)));
    expect(downloads.length).toBeGreaterThan(0);

    const detailPath = `/carrier/batches/${cut.batchId}`;
    const ack = await browser.submit(detailPath, { intent: "ack" }, detailPath);
    expect(ack.status).toBe(200);
    expect(ack.html).toContain("受領確認を送りました");

    const bad = await postFile(browser, detailPath, { intent: "results" }, { name: "results.csv", type: "text/csv", content: resultsCsv([{ id: order.id, result: "DONE", date: "someday" }]) });
    expect(bad.status).toBe(422);
    expect(bad.html).toContain("どの結果も登録していません");
    expect(bad.html).toContain("effective_date");
    const good = await postFile(browser, detailPath, { intent: "results" }, { name: "results.csv", type: "text/csv", content: resultsCsv([{ id: order.id, result: "DONE", date: "2026-11-21" }]) });
    expect(good.status).toBe(200);
    expect(good.html).toContain("新しく登録した結果は1件");
    const [row] = await services.db.select().from(applications).where(eq(applications.id, app.applicationId));
    expect(row!.status).toBe("completed");

    // Without the CSRF token the upload is refused.
    const form = new FormData();
    form.set("intent", "ack");
    expect((await browser.request(detailPath, { method: "POST", body: form, headers: { Origin: server.url } })).status).toBe(403);

    const logout = await browser.submit("/carrier", {}, "/carrier/logout");
    expect(logout.status).toBe(302);
    expect((await browser.request("/carrier")).status).toBe(302);
  });
});

describe("back office: carrier registry", () => {
  it("is for admins only", async () => {
    const browser = await opsSignIn("plain-operator");
    expect((await browser.request("/ops/carriers")).status).toBe(403);
    expect((await browser.request("/ops/carriers/kddi")).status).toBe(403);
  });

  it("edits a carrier's settings and capability table, and audits the change", async () => {
    const browser = await opsSignIn();
    const list = await browser.get("/ops/carriers");
    expect(list.status).toBe(200);
    expect(list.html).toContain("NTT東日本");
    const page = await browser.get("/ops/carriers/softbank");
    expect(page.html).toContain("BEGIN PUBLIC KEY");

    const invalid = await browser.post("/ops/carriers/softbank", {
      csrf: browser.csrfFrom(page.html),
      intent: "settings",
      nameJa: "",
      deliveryMode: "push",
      pushUrl: "ftp://example",
      schedule: "hourly",
      fileFormat: "csv-utf8",
      batchMaxSize: "0",
      active: "on",
    });
    expect(invalid.status).toBe(400);
    expect(invalid.html).toContain("電話会社の名前を入力してください。");
    expect(invalid.html).toContain("https:// で始まるURL");
    expect(invalid.html).toContain("1以上");

    const saved = await browser.post("/ops/carriers/softbank", {
      csrf: browser.csrfFrom(page.html),
      intent: "settings",
      nameJa: "ソフトバンク",
      nameEn: "SoftBank",
      regions: [],
      acceptIncoming: "on",
      noteOutgoing: "ソフトバンクに直接お申し込みください。",
      deliveryMode: "pull",
      pushUrl: "",
      schedule: "daily-1700",
      fileFormat: "csv-sjis",
      batchMaxSize: "2000",
      contact: "運用窓口",
      active: "on",
    });
    expect(saved.status).toBe(200);
    expect(saved.html).toContain("設定を保存しました");
    const [carrier] = await services.db.select().from(carriers).where(eq(carriers.code, "softbank"));
    expect(carrier).toMatchObject({ nameEn: "SoftBank", schedule: "daily-1700", fileFormat: "csv-sjis", batchMaxSize: 2000, contact: "運用窓口" });
    const [outgoing] = await services.db
      .select()
      .from(carrierCapabilities)
      .where(and(eq(carrierCapabilities.carrierCode, "softbank"), eq(carrierCapabilities.scope, "outgoing")));
    expect(outgoing).toMatchObject({ acceptedViaCentre: false, noteJa: "ソフトバンクに直接お申し込みください。" });
    const [audit] = await services.db.select().from(auditLog).where(eq(auditLog.action, "carrier.update"));
    expect(JSON.stringify(audit!.detail)).toContain("capability.outgoing");
    // Put it back for the other tests.
    await services.db.update(carrierCapabilities).set({ acceptedViaCentre: true, noteJa: null }).where(and(eq(carrierCapabilities.carrierCode, "softbank"), eq(carrierCapabilities.scope, "outgoing")));
    await services.db.update(carriers).set({ fileFormat: "csv-utf8", schedule: "hourly", batchMaxSize: 5000 }).where(eq(carriers.code, "softbank"));
  });

  it("creates an API key shown once (hashed at rest), which then works, and revokes it", async () => {
    const browser = await opsSignIn();
    const created = await browser.submit("/ops/carriers/kddi", { intent: "create-key", label: "本番システム" }, "/ops/carriers/kddi");
    expect(created.status).toBe(200);
    expect(created.headers.get("Cache-Control")).toBe("no-store");
    const key = created.html.match(/kfk_[A-Za-z0-9_-]{43}/)?.[0];
    expect(key).toBeDefined();
    const rows = await services.db.select().from(carrierApiKeys).where(eq(carrierApiKeys.label, "本番システム"));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.keyHash).not.toContain(key!.slice(4));
    expect((await fetch(`${server.url}/api/carrier/v1/batches`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);
    // Shown once: the page afterwards has only the prefix.
    const later = await browser.get("/ops/carriers/kddi");
    expect(later.html).not.toContain(key!);
    expect(later.html).toContain(rows[0]!.keyPrefix);

    const revoked = await browser.submit("/ops/carriers/kddi", { intent: "revoke-key", keyId: rows[0]!.id }, "/ops/carriers/kddi");
    expect(revoked.status).toBe(200);
    expect((await fetch(`${server.url}/api/carrier/v1/batches`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(401);
  });

  it("creates a carrier user (argon2id) and a push secret", async () => {
    const browser = await opsSignIn();
    const short = await browser.submit("/ops/carriers/ntt-east", { intent: "create-user", username: "east-ops", displayName: "東 担当", password: "short" }, "/ops/carriers/ntt-east");
    expect(short.status).toBe(400);
    expect(short.html).toContain("12文字以上");
    expect(short.html).toContain('value="east-ops"');
    const created = await browser.submit("/ops/carriers/ntt-east", { intent: "create-user", username: "east-ops", displayName: "東 担当", password: PASSWORD }, "/ops/carriers/ntt-east");
    expect(created.status).toBe(200);
    const [user] = await services.db.select().from(carrierUsers).where(eq(carrierUsers.username, "east-ops"));
    expect(user!.passwordHash.startsWith("$argon2id$")).toBe(true);
    expect(user!.carrierCode).toBe("ntt-east");
    await carrierSignIn("east-ops");

    const secret = await browser.submit("/ops/carriers/ntt-east", { intent: "rotate-push-secret" }, "/ops/carriers/ntt-east");
    expect(secret.html).toMatch(/whsec_[A-Za-z0-9_-]{43}/);
    const [carrier] = await services.db.select().from(carriers).where(eq(carriers.code, "ntt-east"));
    expect(carrier!.pushSecretEnc).not.toContain("whsec_");
  });
});

describe("back office: exceptions and SLA", () => {
  it("shows a rejection as an exception and sends it to the carrier the operator chooses", async () => {
    const { cut, order, app } = await batchFor("kddi");
    await uploadResults(services, { carrierCode: "kddi", batchId: cut.batchId, bytes: Buffer.from(resultsCsv([{ id: order.id, result: "REJECTED", reason: "NAME_MISMATCH" }])), contentType: "text/csv", actor: "test" });
    const [exception] = await services.db.select().from(carrierExceptions).where(eq(carrierExceptions.applicationId, app.applicationId));
    const browser = await opsSignIn("plain-operator");
    const page = await browser.get("/ops/carriers/exceptions");
    expect(page.status).toBe(200);
    expect(page.html).toContain("電話会社が手続きできなかった");
    expect(page.html).toContain("契約者名が一致しない");

    const missing = await browser.post("/ops/carriers/exceptions", { csrf: browser.csrfFrom(page.html), id: exception!.id, intent: "close", note: "" });
    expect(missing.status).toBe(400);
    expect(missing.html).toContain("対応の内容をメモに書いてください。");

    const resent = await browser.post("/ops/carriers/exceptions", { csrf: browser.csrfFrom(page.html), id: exception!.id, intent: "resend", carrierCode: "softbank", note: "契約者に確認済み" });
    expect(resent.status).toBe(200);
    expect(resent.html).toContain("送り直します");
    const orders = await services.db.select().from(carrierOrders).where(eq(carrierOrders.applicationId, app.applicationId));
    expect(orders.filter((o) => o.status === "pending").map((o) => [o.carrierCode, o.action])).toEqual([["softbank", "SUSPEND"]]);
    const [row] = await services.db.select().from(applications).where(eq(applications.id, app.applicationId));
    expect(row!.status).toBe("queued");
    const [resolved] = await services.db.select().from(carrierExceptions).where(eq(carrierExceptions.id, exception!.id));
    expect(resolved).toMatchObject({ resolution: "resent" });
  });

  it("shows batches not acknowledged and orders not done in time", async () => {
    const { cut } = await batchFor("kddi");
    services.clock.advance(25 * 3600_000);
    const page = await (await opsSignIn("plain-operator")).get("/ops/sla");
    expect(page.status).toBe(200);
    expect(page.html).toContain("受領確認のないバッチ");
    expect(page.html).toContain(`第${cut.sequence}号`);
    services.clock.advance(100 * 3600_000);
    const later = await (await opsSignIn("plain-operator")).get("/ops/sla");
    expect(later.html).toMatch(/結果のない指示（\d+件）/);
    expect(later.html).not.toContain("結果のない指示（0件）");
  });
});
