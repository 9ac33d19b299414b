/**
 * The web apply journey end to end, in headless Chromium, with JavaScript on and with it off.
 *
 * A person goes from /apply to /apply/done the way they would with a mouse and keyboard (labels and
 * button names, no form posts by hand), makes a mistake on every question page first and reads the
 * error, and gets the call-back code the way the demo does: the demo operator logs in to /ops in
 * another browser context (with the authenticator app's code, played by the test, when asked) and
 * reads the call text in /ops/outbox. axe-core (WCAG 2.0/2.1 A and AA) runs on every page and every
 * error state. Screenshots: test-results/e2e/apply-{js,nojs}-<step>.png.
 *
 * /apply/verify has no error state a person can reach (one of its two choices is always selected),
 * so it is checked only as shown.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import type { Browser, Locator, Page } from "playwright-core";
import { STATUS_LABELS } from "../../app/domain/application-state";
import { expectNoAxeViolations, launchBrowser, newPage, waitForHydration } from "./support/browser";
import { DEFAULT_DEMO_OPERATOR_PASSWORD, REPO_ROOT, startServer, type RunningServer } from "./support/server";

const SCREENSHOT_DIR = join(REPO_ROOT, "test-results", "e2e");
const STEP_TIMEOUT_MS = 15_000;

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await operator?.page.context().close();
  await browser?.close();
  await server?.stop();
});

interface Run {
  mode: "js" | "nojs";
  javaScriptEnabled: boolean;
  /** The landline, as typed and as the outbox shows it. */
  number: string;
  /** The same number typed another way, for the status look-up. */
  numberDigits: string;
  postalCode: string;
  /** What the postal code lookup fills in (the person then adds the block number). */
  lookedUpAddress: string;
  carrierLabel: string;
  scopeLabels: string[];
}

const RUNS: Run[] = [
  {
    mode: "js",
    javaScriptEnabled: true,
    number: "03-1234-5678",
    numberDigits: "0312345678",
    postalCode: "1000001",
    lookedUpAddress: "東京都千代田区千代田",
    carrierLabel: "KDDI",
    scopeLabels: ["発信休止", "着信休止"],
  },
  {
    mode: "nojs",
    javaScriptEnabled: false,
    number: "06-6123-4567",
    numberDigits: "0661234567",
    postalCode: "5300001",
    lookedUpAddress: "大阪府大阪市北区梅田",
    carrierLabel: "NTT（東日本か西日本かは、わからない）",
    scopeLabels: ["着信休止"],
  },
];

/**
 * The demo operator's browser (JavaScript on), logged in once for the whole file: a second login
 * within the same 30 s could not use a fresh authenticator code.
 */
let operator: { page: Page; errors: string[] } | undefined;

/** The 6 digits an authenticator app shows now for a base32 secret (SHA-1, 30 s, 6 digits). */
function authenticatorCode(secretBase32: string): string {
  return new TOTP({ algorithm: "SHA1", digits: 6, period: 30, secret: Secret.fromBase32(secretBase32) }).generate();
}

/**
 * Logs the demo operator in at /ops/login (username "demo", the password the harness gave the
 * server) and lands on /ops/outbox. When the login asks for an authenticator app, the test plays the
 * app: it reads the secret the enrolment page shows for typing by hand.
 */
async function operatorPage(): Promise<Page> {
  if (operator) return operator.page;
  const page = await newPage(browser, { javaScriptEnabled: true });
  operator = { page, errors: collectPageErrors(page) };
  await page.goto(`${server.url}/ops/login?redirectTo=${encodeURIComponent("/ops/outbox")}`, { waitUntil: "load" });
  await waitForHydration(page);
  await page.getByLabel("ユーザー名").fill("demo");
  await page.getByLabel("パスワード").fill(server.env.DEMO_OPERATOR_PASSWORD ?? DEFAULT_DEMO_OPERATOR_PASSWORD);
  await page.getByRole("button", { name: "ログイン" }).click();
  await page.waitForURL((url) => url.pathname !== "/ops/login", { timeout: STEP_TIMEOUT_MS });
  if (new URL(page.url()).pathname.startsWith("/ops/totp")) {
    // waitForURL resolves when the navigation commits; on a busy machine the page may not be there yet.
    // With JavaScript the URL changes before React has rendered the new page: wait for the secret itself.
    await page.waitForLoadState("load", { timeout: STEP_TIMEOUT_MS });
    const secret = page.locator("[data-totp-secret]");
    await secret
      .waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS })
      .catch(() => undefined);
    expect(await secret.count(), `the demo operator is asked for an authenticator code the test cannot know (${page.url()})`).toBe(1);
    await page.getByLabel(/確認コード/).fill(authenticatorCode((await secret.innerText()).replace(/\s/g, "")));
    await page.getByRole("button", { name: /ログイン/ }).click();
  }
  await page.waitForURL((url) => url.pathname === "/ops/outbox", { timeout: STEP_TIMEOUT_MS });
  return page;
}

/** Uncaught page errors and console errors (CSP refusals, React hydration warnings) fail the run. */
function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`uncaught: ${err.stack ?? err.message}`));
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    errors.push(`console.error: ${msg.text()} (${msg.location().url})`);
  });
  return errors;
}

/** The error summary at the top of the page, once it says `text`. */
function errorSummary(page: Page, text: string | RegExp): Locator {
  return page.locator(".error-summary").and(page.getByRole("alert")).filter({ hasText: text });
}

function h1(page: Page): Locator {
  return page.getByRole("heading", { level: 1 });
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, "");
}

describe.each(RUNS)("the apply journey ($mode)", (run) => {
  const { mode, javaScriptEnabled } = run;
  let page: Page;
  let pageErrors: string[];
  let reference = "";

  const shot = (step: string) => page.screenshot({ path: join(SCREENSHOT_DIR, `apply-${mode}-${step}.png`), fullPage: true });

  /** Axe on the page as it is, and a screenshot for a person to look at. */
  async function check(step: string): Promise<void> {
    await page.waitForLoadState("load");
    await shot(step);
    await expectNoAxeViolations(page, `${step} (${mode})`);
  }

  async function open(path: string): Promise<void> {
    const response = await page.goto(`${server.url}${path}`, { waitUntil: "load" });
    expect(response?.status(), `GET ${path}`).toBe(200);
    if (javaScriptEnabled) await waitForHydration(page);
  }

  /** After a click that moves on: the new path and its heading. */
  async function arrive(path: string, heading: string | RegExp): Promise<void> {
    await page.waitForURL((url) => url.pathname === path, { timeout: STEP_TIMEOUT_MS });
    await h1(page).filter({ hasText: heading }).waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
    expect(await page.title(), `title of ${path}`).not.toMatch(/^エラー：/);
  }

  /** After a click that is refused: still on `path`, the summary says `message`, the title starts with エラー：. */
  async function refused(path: string, message: string | RegExp, step: string): Promise<void> {
    const summary = errorSummary(page, message);
    await summary.waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
    await page.waitForLoadState("load");
    expect(new URL(page.url()).pathname).toBe(path);
    await expect.poll(() => page.title()).toMatch(/^エラー：/);
    if (javaScriptEnabled) {
      // The summary takes focus, so a screen reader reads it out at once.
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.closest(".error-summary") ? "the summary" : document.activeElement?.outerHTML.slice(0, 120)), {
          message: `focus after the refused submit (${step})`,
        })
        .toBe("the summary");
    }
    await check(step);
  }

  /** The call-back code, read by the demo operator in /ops/outbox (their own browser context). */
  async function codeFromOutbox(): Promise<string> {
    const ops = await operatorPage();
    let text = "";
    await expect
      .poll(
        async () => {
          await ops.goto(`${server.url}/ops/outbox`, { waitUntil: "load" });
          const row = ops
            .getByRole("row")
            .filter({ has: ops.getByRole("cell", { name: run.number, exact: true }) })
            .filter({ hasText: "確認番号は" })
            .first();
          text = (await row.count()) > 0 ? await row.innerText() : "";
          return text;
        },
        { timeout: STEP_TIMEOUT_MS, message: `a call to ${run.number} in the outbox` },
      )
      .toContain("確認番号は");
    await waitForHydration(ops);
    await ops.screenshot({ path: join(SCREENSHOT_DIR, `apply-${mode}-ops-outbox.png`), fullPage: true });
    await expectNoAxeViolations(ops, `/ops/outbox (${mode})`);
    const match = text.match(/確認番号は、(\d)、(\d)、(\d)、(\d)、です/);
    expect(match, `the code in: ${text}`).not.toBeNull();
    expect(operator?.errors, "errors in the operator's page").toEqual([]);
    return match!.slice(1).join("");
  }

  beforeAll(async () => {
    page = await newPage(browser, { javaScriptEnabled });
    pageErrors = collectPageErrors(page);
  });

  afterAll(async () => {
    await page?.context().close();
  });

  afterEach(() => {
    expect(pageErrors, "uncaught errors, CSP refusals or console errors in the page").toEqual([]);
  });

  test("from /apply to the reference number, verified by a call-back", async () => {
    // Start
    await open("/apply");
    expect(await page.locator("html").getAttribute("lang")).toBe("ja");
    await h1(page).filter({ hasText: "ウェブで国際電話の休止を申し込む" }).waitFor();
    await check("start");
    await page.getByRole("button", { name: "はじめる" }).click();

    // 1. The number: nothing typed, then a mobile number, then the landline.
    await arrive("/apply/number", "固定電話の番号を入力してください");
    await check("number");
    const number = page.getByLabel(/^止めたい電話番号/);
    await page.getByRole("button", { name: "次へ" }).click();
    await refused("/apply/number", "止めたい固定電話の番号を入力してください。", "number-empty");
    await number.fill("090-1234-5678");
    await page.getByRole("button", { name: "次へ" }).click();
    await refused("/apply/number", /携帯電話/, "number-mobile");
    await expect.poll(() => number.inputValue()).toBe("090-1234-5678");
    expect(await number.getAttribute("aria-invalid")).toBe("true");
    await number.fill(run.number);
    await page.getByRole("button", { name: "次へ" }).click();

    // 2. Who is applying: no choice and a contact number that is too short, then 本人.
    await arrive("/apply/applicant", "お申し込みをする方について");
    await check("applicant");
    const contact = page.getByLabel("ご連絡先の電話番号");
    await contact.fill("12345");
    await page.getByRole("button", { name: "次へ" }).click();
    await refused("/apply/applicant", "お申し込みをする方を、1つ選んでください。", "applicant-error");
    await errorSummary(page, "連絡先の電話番号は").waitFor();
    expect(await contact.inputValue()).toBe("12345");
    await page.getByRole("radio", { name: "契約者ご本人" }).check();
    await contact.fill("090-1111-2222");
    await page.getByRole("button", { name: "次へ" }).click();

    // 3. Line verification by call-back (the default choice).
    await arrive("/apply/verify", "この電話番号で、お申し込みを確認します");
    expect(await page.locator("main").innerText()).toContain(run.number);
    const callback = page.getByRole("radio", { name: "センターから電話をかけてもらう（おすすめ）" });
    expect(await callback.isChecked()).toBe(true);
    await check("verify");
    await callback.check();
    await page.getByRole("button", { name: "確認の電話に進む" }).click();

    // 4. The code: nothing typed, then a wrong code, then the code the call read out.
    await arrive("/apply/code", "電話で聞いた4けたの番号を入力してください");
    await check("code");
    const code = page.getByLabel("確認番号（4けた）");
    await page.getByRole("button", { name: "確認する" }).click();
    await refused("/apply/code", "電話で聞いた4けたの番号を入力してください。", "code-empty");
    const right = await codeFromOutbox();
    expect(right).toMatch(/^\d{4}$/);
    const wrong = right === "0000" ? "1111" : "0000";
    await code.fill(wrong);
    await page.getByRole("button", { name: "確認する" }).click();
    await refused("/apply/code", "確認番号が違います", "code-wrong");
    await expect.poll(() => code.inputValue()).toBe(wrong);
    await code.fill(right);
    await page.getByRole("button", { name: "確認する" }).click();

    // 5. The subscriber's name: kana in Latin letters, then in hiragana.
    await arrive("/apply/name", "電話の契約者のお名前を入力してください");
    await check("name");
    const kanji = page.getByLabel(/^お名前/);
    const kana = page.getByLabel("フリガナ");
    await kanji.fill("山田 花子");
    await kana.fill("abc");
    await page.getByRole("button", { name: "次へ" }).click();
    await refused("/apply/name", "フリガナは、カタカナかひらがなで入力してください。", "name-kana");
    await expect.poll(() => kanji.inputValue()).toBe("山田 花子");
    expect(await kana.inputValue()).toBe("abc");
    await kana.fill("やまだ はなこ");
    await page.getByRole("button", { name: "次へ" }).click();

    // 6. The address: a postal code that does not exist, then the lookup fills in the address.
    await arrive("/apply/address", "契約者のご住所を入力してください");
    await check("address");
    const lookup = page.getByRole("button", { name: "郵便番号から住所を入れる" });
    await page.getByLabel("郵便番号").fill("0000000");
    await lookup.click();
    await refused("/apply/address", "この郵便番号の住所が見つかりません", "address-not-found");
    await expect.poll(() => page.getByLabel("郵便番号").inputValue()).toBe("0000000");
    await page.getByLabel("郵便番号").fill(run.postalCode);
    await lookup.click();
    await page.getByRole("status").filter({ hasText: "住所を入れました" }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.waitForLoadState("load");
    // The fields are drawn anew with the lookup's answer: find them again.
    await expect.poll(() => page.getByLabel(/^住所/).inputValue()).toBe(run.lookedUpAddress);
    expect(await page.getByLabel("郵便番号").inputValue()).toBe(run.postalCode);
    expect(await errorSummary(page, /./).count()).toBe(0);
    await check("address-looked-up");
    await page.getByLabel(/^住所/).fill(`${run.lookedUpAddress}1-1`);
    await page.getByRole("button", { name: "次へ" }).click();

    // 7. The carrier: no choice, then one.
    await arrive("/apply/carrier", "ご契約の電話会社を選んでください");
    await check("carrier");
    await page.getByRole("button", { name: "次へ" }).click();
    await refused("/apply/carrier", "電話会社を1つ選んでください。", "carrier-empty");
    await page.getByRole("radio", { name: run.carrierLabel, exact: true }).check();
    await page.getByRole("button", { name: "次へ" }).click();

    // 8. The scope: both boxes cleared, then the ones wanted.
    await arrive("/apply/scope", "止めたい電話を選んでください");
    await check("scope");
    for (const label of ["発信休止", "着信休止"]) await page.getByRole("checkbox", { name: label }).uncheck();
    await page.getByRole("button", { name: "次へ" }).click();
    await refused("/apply/scope", "止めたい電話を1つ以上選んでください。", "scope-empty");
    for (const label of run.scopeLabels) await page.getByRole("checkbox", { name: label }).check();
    await page.getByRole("button", { name: "次へ" }).click();

    // 9. Check the answers.
    await arrive("/apply/check", "お申し込み内容を確かめてください");
    const summary = await page.locator("main").innerText();
    for (const expected of [run.number, "契約者ご本人", "山田 花子", "ヤマダ ハナコ", `${run.lookedUpAddress}1-1`, run.carrierLabel]) {
      expect(summary, `the check page shows ${expected}`).toContain(expected);
    }
    expect(await page.getByRole("link", { name: /変更/ }).count()).toBeGreaterThan(0);
    await check("check");
    await page.getByRole("button", { name: "この内容で申し込む" }).click();

    // 10. Done: the reference number, and the PDF receipt in the same session.
    await arrive("/apply/done", "お申し込みを受け付けました");
    const shown = await page.locator(".reference").innerText();
    expect(shown).toMatch(/^\d{4} - \d{4} - \d{3}$/);
    reference = digitsOf(shown);
    expect(await page.locator("main").innerText()).toContain(run.number);
    await check("done");
    const receiptLink = page.getByRole("link", { name: /控えを印刷する（PDF）/ });
    expect(await receiptLink.getAttribute("href")).toBe("/apply/receipt");
    const receipt = await page.context().request.get(`${server.url}/apply/receipt`);
    expect(receipt.status()).toBe(200);
    expect(receipt.headers()["content-type"]).toBe("application/pdf");
    expect((await receipt.body()).subarray(0, 4).toString("latin1")).toBe("%PDF");
  });

  test("/status shows the application from its reference number and phone number", async () => {
    expect(reference, "the journey above gave a reference number").toMatch(/^\d{11}$/);
    await open("/status");
    await h1(page).filter({ hasText: "お申し込みの状況を確かめる" }).waitFor();
    await check("status");
    await page.getByRole("button", { name: "状況を確かめる" }).click();
    await refused("/status", "受付番号を入力してください。", "status-empty");
    await page.getByLabel("受付番号（11けた）").fill(`${reference.slice(0, 4)}-${reference.slice(4, 8)}-${reference.slice(8)}`);
    await page.getByLabel("お申し込みをした電話番号").fill(run.numberDigits);
    await page.getByRole("button", { name: "状況を確かめる" }).click();
    const result = page.getByRole("region", { name: /の状況$/ });
    await result.waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
    const text = await result.innerText();
    expect(text).toContain(`受付番号 ${reference.slice(0, 4)}-${reference.slice(4, 8)}-${reference.slice(8)} の状況`);
    const labels = Object.values(STATUS_LABELS).map((s) => s.label);
    expect(labels.some((label) => text.includes(label)), `a status in plain words in:\n${text}`).toBe(true);
    expect(text).toContain(STATUS_LABELS.received.label);
    // Nothing personal beyond what the person typed.
    expect(await page.locator("main").innerText()).not.toContain("山田");
    expect(await errorSummary(page, /./).count()).toBe(0);
    await check("status-found");
  });
});
