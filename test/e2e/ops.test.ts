/**
 * The back office end to end, in headless Chromium: the demo operator signs in with a password and
 * enrols a TOTP authenticator, works one item from each queue that has items (a form request's name
 * and address to check — a phone application's heard name is no task —, a cancellation to review, a
 * carrier exception, the letters to print; the paper queue is filled by the OCR worker and is left empty here), enters an application
 * for a caller and verifies it with the call-back code, searches, reads a line's timeline, creates an
 * auditor, and the auditor checks the audit chain. axe (WCAG 2.1 A/AA) runs on every page visited.
 *
 * The server runs in this process on a copy of the test database, so the scenario is seeded through
 * the services (IVR calls go through the signed Twilio webhooks with the call simulator).
 * Screenshots go to test-results/e2e/ops-*.png.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { eq } from "drizzle-orm";
import { applications, carrierExceptions } from "../../db/schema";
import { seedDemoOperator } from "../../db/seed";
import { openException } from "../../app/lib/carrier-orders.server";
import { requestCancellation } from "../../app/lib/cancellations.server";
import { hashPassword } from "../../app/lib/password.server";
import { createTestServices, type TestClock, type TestServices } from "../support/services";
import { startTestServer, type TestServer } from "../support/http";
import { apply, ivrApplication, ivrFormRequest } from "../support/ops-scenario";
import { expectNoAxeViolations, launchBrowser, newPage, waitForHydration } from "./support/browser";
import { loginWithTotp } from "./support/ops-login";
import { REPO_ROOT } from "./support/server";

const SCREENSHOT_DIR = join(REPO_ROOT, "test-results", "e2e");
const DEMO_PASSWORD = "e2e-demo-pass-1234";

/** The real clock: TOTP codes are computed in the test from the time, as an app does. */
const realClock: TestClock = { now: () => new Date(), set: () => {}, advance: () => {} };

let services: TestServices;
let server: TestServer;
let browser: Browser;
let page: Page;
const visited: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const file of readdirSync(SCREENSHOT_DIR)) if (/^ops-\d+-.*\.png$/.test(file)) rmSync(join(SCREENSHOT_DIR, file));
  services = await createTestServices({ clock: realClock });
  await seedDemoOperator(services.db, await hashPassword(DEMO_PASSWORD));
  server = await startTestServer(services);
  browser = await launchBrowser();
  page = await newPage(browser);
  page.on("pageerror", (err) => pageErrors.push(`uncaught: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" && /Content Security Policy/i.test(msg.text())) pageErrors.push(`CSP: ${msg.text()}`);
  });
});

afterAll(async () => {
  await page?.context().close();
  await browser?.close();
  await server?.close();
  await services?.close();
});

afterEach(() => {
  expect(pageErrors, "uncaught errors or CSP refusals in the page").toEqual([]);
});

/** After each navigation: wait for hydration, screenshot, and run axe. */
async function check(label: string) {
  await page.waitForLoadState("load");
  await waitForHydration(page);
  visited.push(new URL(page.url()).pathname);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `ops-${visited.length.toString().padStart(2, "0")}-${label}.png`), fullPage: true });
  await expectNoAxeViolations(page, label);
}

async function go(path: string, label: string) {
  const response = await page.goto(`${server.url}${path}`, { waitUntil: "load" });
  expect(response?.status(), `${path}`).toBeLessThan(400);
  await check(label);
}

async function clickAndWait(name: string | RegExp, pathPredicate: (path: string) => boolean, scope: Page | ReturnType<Page["locator"]> = page) {
  await scope.getByRole("button", { name }).first().click();
  await page.waitForURL((url) => pathPredicate(url.pathname), { timeout: 15_000 });
}

describe("the back office", () => {
  let ivrApplyCallId: string;
  let ivrFormCallId: string;
  let exceptionId: string;
  let cancellationId: string;

  test("seeds a day's work", async () => {
    ivrApplyCallId = (await ivrApplication(server, services, "+81312345001", "山田 はなこ")).id;
    ivrFormCallId = (await ivrFormRequest(server, services, "+81312345002", "すずき じろう", "とうきょうと ちよだく ちよだ いちのいち")).id;
    const app = await apply(services, { lineE164: "+81312345003", subscriberName: "佐藤 一郎", subscriberKana: "サトウ イチロウ" });
    await services.db.transaction((tx) => openException(tx, { dedupeKey: "e2e-exception", kind: "rejected", applicationId: app.applicationId, carrierCode: "kddi", reasonCode: "NOT_OUR_SUBSCRIBER" }, new Date()));
    exceptionId = (await services.db.select().from(carrierExceptions).where(eq(carrierExceptions.dedupeKey, "e2e-exception")))[0]!.id;
    // A family member asks on paper to release a suspension, from a contact number already used for
    // another line's cancellation (a high finding): flagged for review.
    await apply(services, { lineE164: "+81312345007" });
    await requestCancellation(services, {
      channel: "paper",
      idempotencyKey: "e2e-cancellation-other-line",
      actor: "paper:e2e",
      lineE164: "+81312345007",
      requesterRelation: "family",
      requesterName: "鈴木 次子",
      requesterContact: "09066660001",
      reasonCode: "other",
      lineVerification: "none",
    });
    await apply(services, { lineE164: "+81312345006" });
    const cancellation = await requestCancellation(services, {
      channel: "paper",
      idempotencyKey: "e2e-cancellation",
      actor: "paper:e2e",
      lineE164: "+81312345006",
      requesterRelation: "family",
      requesterRelationDetail: "次女",
      requesterName: "鈴木 次子",
      requesterContact: "09066660001",
      reasonCode: "other",
      reasonText: "施設に入るため",
      lineVerification: "none",
    });
    if (cancellation.kind !== "created") throw new Error(`cancellation not created: ${cancellation.kind}`);
    expect(cancellation.status).toBe("flagged");
    cancellationId = cancellation.cancellationId;
    await services.comms.queueLetter({
      purpose: "notice",
      idempotencyKey: "e2e-letter",
      to: "〒1000001 東京都千代田区千代田1-1 佐藤 一郎 様",
      template: "cancellation-cooling-off",
      applicationId: app.applicationId,
      data: { reference: app.reference, number: "+81312345003", until: new Date(Date.now() + 72 * 3600_000).toISOString(), text: "国際電話の休止を解除するお申し出がありました。" },
    });
  });

  test("the demo operator signs in with a password and enrols TOTP, then sees the dashboard", async () => {
    await loginWithTotp(page, server.url, "demo", DEMO_PASSWORD, {
      check: async (p, step) => {
        expect(p).toBe(page);
        await check(`login-${step}`);
      },
    });
    expect(new URL(page.url()).pathname).toBe("/ops");
    await check("dashboard");
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText()).toBe("ダッシュボード");
    expect(await page.locator("svg[role=img]").count()).toBeGreaterThanOrEqual(2);
  });

  test("lists only forms to mail in the IVR queue: a phone application's heard name is not a task", async () => {
    await go("/ops/queue", "queues");
    await page.getByRole("main").getByRole("link", { name: "電話（自動音声）で聞き取ったお名前" }).click();
    await page.waitForURL((url) => url.pathname === "/ops/queue/ivr");
    await check("queue-ivr");
    expect(await page.locator("tr", { hasText: "電話での申し込み：お名前の確認" }).count()).toBe(0);
    expect(await page.locator(`a[href="/ops/queue/ivr/${ivrApplyCallId}"]`).count()).toBe(0);
    expect(await page.locator("tr", { hasText: "申込書の郵送：宛名の確認" }).count()).toBe(1);
  });

  test("checks a form request's address so the letter can be printed", async () => {
    await go("/ops/queue/ivr", "queue-ivr-again");
    await page.locator("tr", { hasText: "申込書の郵送：宛名の確認" }).getByRole("button", { name: /担当する/ }).click();
    await page.waitForURL((url) => url.pathname === `/ops/queue/ivr/${ivrFormCallId}`);
    await check("queue-ivr-form-item");
    await page.getByLabel("お名前（漢字）").fill("鈴木 次郎");
    await page.getByLabel("郵便番号").fill("1000001");
    await page.getByLabel("ご住所").fill("東京都千代田区千代田1-1");
    await clickAndWait("確認して保存する", (p) => p === "/ops/queue/ivr");
    await check("queue-ivr-empty");
    expect(await page.getByText("待っている項目はありません。").count()).toBe(1);
  });

  test("takes a cancellation request into review and asks for the subscriber's call-back", async () => {
    await go("/ops/queue/cancellation", "queue-cancellation");
    await page.getByRole("button", { name: /担当する/ }).first().click();
    await page.waitForURL((url) => url.pathname === `/ops/cancellations/${cancellationId}`);
    await check("cancellation-item");
    await page.getByRole("button", { name: "折り返し電話で確認" }).click();
    await expect.poll(() => page.getByText(/「折り返し電話で確認」を記録しました/).count()).toBe(1);
    await check("cancellation-called-back");
  });

  test("resolves a carrier exception", async () => {
    await go("/ops/queue/carrier", "queue-carrier");
    await page.getByRole("button", { name: /担当する/ }).first().click();
    await page.waitForURL((url) => url.pathname === `/ops/queue/carrier/${exceptionId}`);
    await check("queue-carrier-item");
    await page.getByLabel("対応済みにする（申し込んだ方に連絡した、など）").check();
    await page.getByLabel("メモ").fill("申込者に電話で、電話会社への直接の申し込みを案内した");
    await clickAndWait("この内容で対応する", (p) => p === "/ops/queue/carrier");
    const [resolved] = await services.db.select().from(carrierExceptions).where(eq(carrierExceptions.id, exceptionId));
    expect(resolved!.resolution).toBe("closed");
  });

  test("prints the letters as one PDF and marks them mailed", async () => {
    await go("/ops/letters", "letters");
    await expect.poll(() => page.getByRole("heading", { name: /印刷を待っている手紙（2通）/ }).count()).toBe(1);
    await clickAndWait(/印刷用のPDFを作る/, (p) => /^\/ops\/letters\/[0-9a-f-]{36}$/.test(p));
    await check("letters-batch");
    const pdfHref = await page.getByRole("link", { name: "印刷用のPDFを開く" }).getAttribute("href");
    const pdf = await page.request.get(`${server.url}${pdfHref}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");
    await page.getByRole("button", { name: "この便を発送済みにする" }).click();
    await expect.poll(() => page.getByText("2通を発送済みにしました。").count()).toBe(1);
    await check("letters-mailed");
  });

  test("enters an application for a caller and verifies it with the call-back code", async () => {
    await go("/ops/entry", "entry");
    await page.getByLabel("止めたい固定電話の番号").fill("03-1234-5004");
    await page.getByLabel("契約者ご本人").check();
    await page.getByLabel("契約者のお名前").fill("高橋 三郎");
    await page.getByLabel("フリガナ").fill("たかはし さぶろう");
    await page.getByLabel("郵便番号").fill("1000001");
    await page.getByLabel("住所", { exact: false }).and(page.locator('[name="address"]')).fill("東京都千代田区千代田1-1");
    await page.getByLabel("KDDI").check();
    await page.getByLabel("着信休止").check();
    await clickAndWait("入力を終えて、確認の電話をかける", (p) => /^\/ops\/entry\/[0-9a-f-]{36}$/.test(p));
    await check("entry-callback");
    const entryUrl = page.url();

    // Offline, the call-back waits in the outbox, where its text (and the code) can be read.
    await go("/ops/outbox", "outbox");
    const callText = await page.locator("tr", { hasText: "03-1234-5004" }).first().innerText();
    const code = callText.match(/確認番号は、((?:\d、){4})/)![1]!.replace(/、/g, "");

    await page.goto(entryUrl, { waitUntil: "load" });
    await waitForHydration(page);
    await page.getByLabel("確認の電話で読み上げた番号（4けた）").fill(code);
    await page.getByRole("button", { name: "確認する" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText()).toBe("お申し込みを受け付けました");
    await check("entry-verified");
    const app = (await services.db.select().from(applications)).find((a) => a.channel === "operator");
    expect(app).toMatchObject({ status: "verified", verificationMethod: "callback" });
  });

  test("takes a FAX in on the paper page, reads it, and confirms it on the verification screen", async () => {
    const { asFile, render, truthFor } = await import("../ocr/helpers");
    const { createFormReader } = await import("../../app/lib/ocr/read-form.server");
    const { readScan } = await import("../../app/lib/paper-ocr.server");
    const { scans } = await import("../../db/schema");
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const truth = truthFor("application", 21, { phone: "0312348888", "relation.self": true, "relation.family": false, "relation.other": false, signature: true });
    const file = join(mkdtempSync(join(tmpdir(), "fax-")), "fax-21.png");
    // Sent with the line's number left blank: no line to confirm on, so the page is a person's work
    // (line_not_read), which is what this keys.
    writeFileSync(file, asFile(render({ ...truth, fields: { ...truth.fields, phone: "" } }, { mode: "scan-300" }), "png"));

    await go("/ops/paper", "paper-intake");
    await page.getByLabel("スキャンした申込書・FAX").setInputFiles(file);
    await page.getByRole("button", { name: "アップロードする" }).click();
    await page.getByText("1ページを受け付けました").waitFor();
    await check("paper-uploaded");

    // The OCR worker's job, run here (the e2e server has no worker process).
    const [scan] = await services.db.select().from(scans).where(eq(scans.status, "pending"));
    const reader = await createFormReader({ poolSize: 1 });
    try {
      await readScan(services, reader, scan!.id);
    } finally {
      await reader.close();
    }
    expect((await services.db.select().from(scans).where(eq(scans.id, scan!.id)))[0]).toMatchObject({ status: "needs_review", exceptionReason: "line_not_read" });
    await go(`/ops/paper/${scan!.id}`, "paper-verify");
    // The verification form (the page also has the 「申し込みにできない」 form, with its own address fields).
    const review = page.locator("form.paper-review");
    await review.getByLabel("止める電話番号").fill("0312348888");
    await review.getByLabel(/^お名前/).fill(String(truth.fields.name));
    await review.getByLabel("フリガナ").fill(String(truth.fields.kana));
    await review.getByLabel("郵便番号").fill(String(truth.fields.postalCode));
    await review.getByLabel(/^住所/).fill(String(truth.fields.address).replace(/\n/g, " "));
    await review.getByLabel("連絡先").fill("");
    await review.getByLabel("署名欄に記入がある").check();
    await page.getByRole("button", { name: "確認して登録する" }).click();
    await page.waitForURL(/\/ops\/paper\?confirmed=/);
    await check("paper-confirmed");
    const [done] = await services.db.select().from(scans).where(eq(scans.id, scan!.id));
    expect(done!.status).toBe("verified");
  });

  test("searches by phone number and by kana name, and reads a line's timeline", async () => {
    await go("/ops/search", "search");
    await page.getByLabel("電話番号・受付番号・フリガナ").fill("０３－１２３４－５００１");
    await page.getByRole("button", { name: "検索する" }).click();
    await expect.poll(() => page.getByRole("heading", { name: /電話番号で検索：1件/ }).count()).toBe(1);
    await check("search-results");
    await page.getByLabel("電話番号・受付番号・フリガナ").fill("たかはし さぶろう");
    await page.getByRole("button", { name: "検索する" }).click();
    await expect.poll(() => page.getByRole("heading", { name: /フリガナで検索：1件/ }).count()).toBe(1);
    await page.getByRole("link", { name: "03-1234-5004" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/ops/lines/"));
    await check("line-timeline");
    const timeline = await page.locator("ol.timeline").innerText();
    expect(timeline).toContain("受け付けました");
    expect(timeline).toContain("確認できました");
    expect(timeline).toContain("回線の確認");
    expect(await page.getByText("高橋 三郎").count()).toBeGreaterThan(0);
  });

  test("shows the statistics", async () => {
    await go("/ops/stats", "stats");
    const csv = await page.request.get(`${server.url}${await page.getByRole("link", { name: /CSVをダウンロード/ }).getAttribute("href")}`);
    expect(csv.status()).toBe(200);
    expect([...(await csv.body()).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  test("the other back-office pages pass axe too (empty queues, a staff member's page, the calls)", async () => {
    await go("/ops/queue/paper", "queue-paper");
    await go("/ops/calls", "calls");
    await go("/ops/admin", "admin-list");
    await page.getByRole("link", { name: "demo", exact: true }).click();
    await page.waitForURL((url) => /^\/ops\/admin\/[0-9a-f-]{36}$/.test(url.pathname));
    await check("admin-operator");
  });

  test("an admin creates an auditor, who signs in and checks the audit chain", async () => {
    await go("/ops/admin", "admin");
    await page.getByRole("link", { name: "職員を追加する" }).click();
    await page.waitForURL((url) => url.pathname === "/ops/admin/new");
    await check("admin-new");
    await page.getByLabel("ユーザー名").fill("kansa");
    await page.getByLabel("名前（画面に表示）").fill("監査 花子");
    await page.getByLabel("監査担当").check();
    await page.getByRole("button", { name: "追加する" }).click();
    const oneTime = await page.locator("[data-one-time-password]").innerText();
    await check("admin-created");
    await page.getByRole("button", { name: "ログアウト" }).click();
    await page.waitForURL((url) => url.pathname === "/ops/login");

    await loginWithTotp(page, server.url, "kansa", oneTime, { newPassword: "kansa-no-atarashii-pass", check: async (_p, step) => check(`auditor-${step}`) });
    await go("/ops/audit", "audit");
    await page.getByRole("button", { name: "鎖を検査する" }).click();
    await expect.poll(() => page.getByText("改ざんは見つかりませんでした").count()).toBe(1);
    await check("audit-verified");
    await page.locator('[name="action"]').fill("line.view");
    await page.getByRole("button", { name: "絞り込む" }).click();
    await page.waitForURL((url) => url.search.includes("action=line.view"));
    await check("audit-filtered");
    expect(await page.locator("tbody tr").count()).toBeGreaterThan(0);
    await page.getByRole("button", { name: "ログアウト" }).click();
    await page.waitForURL((url) => url.pathname === "/ops/login");
  });

  test("the demo operator signs in again with a code (no enrolment the second time)", async () => {
    await loginWithTotp(page, server.url, "demo", DEMO_PASSWORD, { check: async (_p, step) => check(`relogin-${step}`) });
    expect(new URL(page.url()).pathname).toBe("/ops");
    expect(visited).toContain("/ops/totp");
  });
});
