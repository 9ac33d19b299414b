/**
 * Issue 15 in Chromium, with JavaScript on and off:
 * - from / to /forms; both blank forms are downloaded as the browser saves them, printed to an image
 *   by MuPDF (the real PDF, not the layout), filled in by hand on that image, and the product's own
 *   OCR reads them back into the right values (point 1, point 5);
 * - a prefilled form asked for by mail puts a letter in the print queue and gives a request number
 *   whose page says how far it has gone; printing it at home downloads the prefilled PDF (point 2);
 * - the home page, /forms and /status show the centre's configured phone, FAX, address and hours
 *   (point 3);
 * - axe (WCAG 2.1 A/AA) finds nothing on the new pages, with and without JavaScript.
 *
 * The server runs in this process on the test database, so the test reads the print queue.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { eq } from "drizzle-orm";
import { outbox } from "../../db/schema";
import { createFormReader, type FormReader } from "../../app/lib/ocr/read-form.server";
import { startTestServer, type TestServer } from "../support/http";
import { createTestServices, type TestClock, type TestServices } from "../support/services";
import { EXAMPLE_APPLICATION, EXAMPLE_CANCELLATION } from "../fixtures/forms/examples";
import { fillPrintedForm, pdfText, rasterisePdf } from "../fixtures/forms/fill-pdf";
import type { PageTruth } from "../fixtures/forms/truth";
import { expectNoAxeViolations, launchBrowser, newPage, waitForHydration } from "./support/browser";
import { REPO_ROOT } from "./support/server";
import * as mupdf from "mupdf";

const SCREENSHOT_DIR = join(REPO_ROOT, "test-results", "e2e");
const STEP_TIMEOUT_MS = 20_000;
const realClock: TestClock = { now: () => new Date(), set: () => {}, advance: () => {} };

/** Not the defaults: the pages must show what is configured. */
const CENTRE = {
  centrePhoneNumber: "+81570012345",
  centreFaxNumber: "+81312349876",
  centrePostalAddress: "〒105-0011 東京都港区芝公園4-2-8（テスト）",
  centreOperatorHours: "平日 8時半〜18時",
};
const PHONE = "0570-012-345";
const FAX = "03-1234-9876";

let services: TestServices;
let server: TestServer;
let browser: Browser;
const downloaded: Partial<Record<"application" | "cancellation", Buffer>> = {};
/** The prefilled form printed at home (js run): its QR code and printed number are read back below. */
let prefilledPdf: Buffer | undefined;

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  services = await createTestServices({ clock: realClock, config: CENTRE });
  server = await startTestServer(services);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await services?.close();
});

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`uncaught: ${err.stack ?? err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console.error: ${msg.text()} (${msg.location().url})`);
  });
  return errors;
}

const flat = (s: string) => s.replace(/\s+/g, "");

describe.each([
  { mode: "js", javaScriptEnabled: true },
  { mode: "nojs", javaScriptEnabled: false },
] as const)("paper forms on the web ($mode)", ({ mode, javaScriptEnabled }) => {
  let page: Page;
  let errors: string[];

  async function check(step: string) {
    await page.waitForLoadState("load");
    await page.screenshot({ path: join(SCREENSHOT_DIR, `forms-${mode}-${step}.png`), fullPage: true });
    await expectNoAxeViolations(page, `${step} (${mode})`);
  }
  async function open(path: string) {
    const response = await page.goto(`${server.url}${path}`, { waitUntil: "load" });
    expect(response?.status(), `GET ${path}`).toBe(200);
    if (javaScriptEnabled) await waitForHydration(page);
  }
  async function arrive(path: string | RegExp) {
    await page.waitForURL((url) => (typeof path === "string" ? url.pathname === path : path.test(url.pathname)), { timeout: STEP_TIMEOUT_MS });
    await page.getByRole("heading", { level: 1 }).first().waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
    if (javaScriptEnabled) await waitForHydration(page);
  }
  async function download(click: () => Promise<void>): Promise<{ bytes: Buffer; name: string }> {
    const [file] = await Promise.all([page.waitForEvent("download", { timeout: STEP_TIMEOUT_MS }), click()]);
    const path = await file.path();
    return { bytes: readFileSync(path), name: file.suggestedFilename() };
  }

  beforeAll(async () => {
    page = await newPage(browser, { javaScriptEnabled });
    errors = watchErrors(page);
  });
  afterAll(async () => {
    await page?.context().close();
  });
  afterEach(() => {
    expect(errors, "uncaught errors or console errors in the page").toEqual([]);
  });

  it("from the home page (configured phone, FAX, address) to /forms, and both A4 forms download", async () => {
    await open("/");
    const home = flat(await page.locator("main").innerText());
    expect(home).toContain(PHONE);
    expect(home).toContain(FAX);
    expect(home).toContain(flat(CENTRE.centrePostalAddress));
    expect(home).toContain(flat(CENTRE.centreOperatorHours));
    await check("home");
    await page.getByRole("link", { name: "申込書を印刷する・取り寄せる" }).click();
    await arrive("/forms");
    const forms = flat(await page.locator("main").innerText());
    expect(forms).toContain(FAX);
    expect(forms).toContain(flat(CENTRE.centrePostalAddress));
    // The filled example is a real picture with a text alternative.
    const example = page.getByRole("img", { name: /記入の例/ });
    expect(await example.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 500)).toBe(true);
    await check("index");

    const application = await download(() => page.getByRole("link", { name: /申込書をダウンロードする/ }).first().click());
    const cancellation = await download(() => page.getByRole("link", { name: /解除・取り下げの申込書をダウンロードする/ }).click());
    for (const [form, file] of [["application", application], ["cancellation", cancellation]] as const) {
      expect(file.name).toMatch(/\.pdf$/);
      expect(file.bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
      const doc = mupdf.Document.openDocument(file.bytes, "application/pdf");
      expect(doc.countPages(), `${form}: one page`).toBe(1);
      const [x0, y0, x1, y1] = doc.loadPage(0).getBounds();
      // A4 in points (210 × 297 mm), to print at 100%.
      expect(Math.round(x1 - x0)).toBe(595);
      expect(Math.round(y1 - y0)).toBe(842);
      doc.destroy();
      // Fonts embedded (a subset of Noto Sans JP), vector text that a PDF reader can extract.
      expect(file.bytes.includes(Buffer.from("/FontFile2")), `${form}: embedded font`).toBe(true);
      const text = flat(pdfText(file.bytes));
      expect(text).toContain(flat(`FAX ${FAX}`));
      expect(text).toContain(flat(CENTRE.centrePostalAddress));
      expect(text).toContain(PHONE);
      downloaded[form] = file.bytes;
    }
  });

  it("/status shows the configured phone number", async () => {
    await open("/status");
    const status = flat(await page.locator("main").innerText());
    expect(status).toContain(PHONE);
    expect(status).toContain(FAX);
    await check("status");
  });

  it("the starts of /apply and /cancel link to /forms", async () => {
    for (const start of ["/apply", "/cancel"]) {
      await open(start);
      await page.getByRole("link", { name: "申込書の印刷・取り寄せ" }).click();
      await arrive("/forms");
    }
  });

  it("a prefilled form by mail: refused without an address, then a letter in the print queue and a request number", async () => {
    await open("/forms");
    await page.getByRole("link", { name: "名前を印刷した申込書を作る・郵便で受け取る" }).click();
    await arrive("/forms/request");
    await check("request");
    await page.getByLabel(/^止めたい固定電話の番号/).fill("03-5555-0199");
    await page.getByLabel(/^電話の契約者のお名前/).fill("東京 一郎");
    await page.getByRole("radio", { name: /郵便で送ってもらう/ }).check();
    await page.getByRole("button", { name: "申込書を作る" }).click();
    await page.locator(".error-summary").filter({ hasText: "郵便で受け取るときは、郵便番号を入力してください。" }).waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
    expect(new URL(page.url()).pathname).toBe("/forms/request");
    await expect.poll(() => page.getByLabel(/^電話の契約者のお名前/).inputValue()).toBe("東京 一郎");
    await check("request-error");

    const name = `東京 ${mode === "js" ? "一郎" : "二郎"}`;
    await page.getByLabel(/^電話の契約者のお名前/).fill(name);
    await page.getByLabel(/^フリガナ/).fill("とうきょう いちろう");
    await page.getByLabel(/^郵便番号/).fill("1050011");
    await page.getByLabel(/^住所/).fill("東京都港区芝公園1-1");
    await page.getByRole("radio", { name: /郵便で送ってもらう/ }).check();
    await page.getByRole("button", { name: "申込書を作る" }).click();
    await arrive(/^\/forms\/request\/W/);
    const requestNumber = (await page.getByTestId("request-number").innerText()).trim();
    expect(requestNumber).toMatch(/^W[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(await page.getByTestId("request-status").innerText()).toContain("印刷を待っています");
    await check("request-done");

    // The request number finds the page again from /forms (typed in lower case, without the hyphen);
    // a wrong one is refused under the field, keeping what was typed.
    await open("/forms");
    await page.getByLabel(/^ご請求番号/).fill("W0000-0000");
    await page.getByRole("button", { name: "状況を確かめる" }).click();
    await page.locator(".error-summary").filter({ hasText: "このご請求番号は見つかりません。" }).waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
    expect(await page.getByLabel(/^ご請求番号/).inputValue()).toBe("W0000-0000");
    expect(await page.title()).toMatch(/^エラー：/);
    await check("lookup-error");
    await page.getByLabel(/^ご請求番号/).fill(requestNumber.replace("-", "").toLowerCase());
    await page.getByRole("button", { name: "状況を確かめる" }).click();
    await arrive(`/forms/request/${requestNumber}`);
    expect(await page.getByTestId("request-status").innerText()).toContain("印刷を待っています");

    // In the same print queue as phone menu 3: a queued letter, the prefilled-form template.
    const [letter] = await services.db.select().from(outbox).where(eq(outbox.idempotencyKey, `web-form:${requestNumber}`));
    expect(letter).toMatchObject({ channel: "letter", status: "queued", template: "application-form-prefilled", purpose: "form_request" });
    const data = JSON.parse(services.comms.readBody(letter!)) as Record<string, unknown>;
    expect(data).toMatchObject({ requestId: requestNumber, number: "+81355550199", name, kana: "トウキョウ イチロウ", postalCode: "1050011" });
  });

  it("a prefilled form to print at home downloads at once, with the request number in its QR code", async () => {
    await open("/forms/request");
    await page.getByLabel(/^止めたい固定電話の番号/).fill("06-6123-0001");
    await page.getByLabel(/^電話の契約者のお名前/).fill("大阪 花子");
    await page.getByRole("radio", { name: /自分で印刷する/ }).check();
    const file = await download(() => page.getByRole("button", { name: "申込書を作る" }).click());
    expect(file.bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const text = pdfText(file.bytes);
    expect(text).toContain("大阪 花子");
    expect(flat(text)).toContain(flat(FAX));
    prefilledPdf ??= file.bytes;
  });
});

describe("the downloaded forms, printed and filled by hand, are read back by the product's OCR (points 1 and 5)", () => {
  let reader: FormReader;
  beforeAll(async () => {
    reader = await createFormReader({ poolSize: 1 });
  });
  afterAll(async () => {
    await reader?.close();
  });

  it("the prefilled form printed at home: the QR code carries its request number, the printed line is read", async () => {
    expect(prefilledPdf, "downloaded by the browser test above").toBeDefined();
    const truth: PageTruth = { formType: "application", version: "1", prefilled: ["phone", "name"], fields: { ...EXAMPLE_APPLICATION.fields, phone: "0661230001", name: "大阪 花子" } };
    const [page] = await reader.readFile(await fillPrintedForm(prefilledPdf!, truth, { dpi: 200 }));
    const result = page!.result;
    if (!result.ok) throw new Error(`not read: ${result.reason} ${result.message}`);
    expect(result.requestId).toMatch(/^W[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(result.fields.find((f) => f.name === "phone")?.value).toBe("0661230001");
  }, 120_000);

  const cases: [keyof typeof downloaded, PageTruth][] = [
    ["application", EXAMPLE_APPLICATION],
    ["cancellation", EXAMPLE_CANCELLATION],
  ];
  it.each(cases)("%s", async (form, truth) => {
    const pdf = downloaded[form];
    expect(pdf, "downloaded by the browser test above").toBeDefined();
    // Printed at 200 dpi (the real PDF through MuPDF), then written on.
    expect(rasterisePdf(pdf!, 200).width).toBe(Math.round((595.28 * 200) / 72));
    const scan = await fillPrintedForm(pdf!, truth, { dpi: 200 });
    const [page] = await reader.readFile(scan);
    const result = page!.result;
    if (!result.ok) throw new Error(`not read: ${result.reason} ${result.message}`);
    expect(result.formType).toBe(form);
    const read = Object.fromEntries(result.fields.map((f) => [f.name, f.value]));
    for (const [name, value] of Object.entries(truth.fields)) {
      if (name === "signature") continue;
      const got = read[name];
      if (typeof value === "boolean") expect(got, name).toBe(value);
      else expect(String(got ?? "").replace(/\s+/g, ""), name).toBe(value.replace(/\s+/g, ""));
    }
  }, 120_000);
});
