/**
 * Issue 16 on the web journey, in Chromium, with JavaScript on and off (points 1, 2, 3 and 11):
 *  1. the old number (moving) equal to the number to stop is refused on the number page, under the
 *     field, saying how to fix it; nothing is filed;
 *  2. 「確認の電話に進む」 posted twice (a double click, and two requests at once as a slow network
 *     resends) places one call with one code, and that code is accepted;
 *  3. a booth (/apply?assisted=1, one address, one device) serves more than ten applicants in an
 *     hour; a device at its limit gets a notice with a way forward, not 「入力内容を確認してください」;
 * 11. kana typed without JavaScript (and with it) is stored byte for byte, also after the name page
 *     is drawn again from the saved answer and posted back (where NULs used to come in).
 *
 * The server runs in this process on the test database (so the test reads the outbox and the
 * applications), on the real clock.
 */
import type { Browser, Page } from "playwright-core";
import { and, eq } from "drizzle-orm";
import { applications, lines, outbox, verifications } from "../../db/schema";
import { MAX_STARTS_PER_CLIENT_PER_HOUR } from "../../app/lib/verification.server";
import { DEVICE_COOKIE } from "../../app/lib/verification-limits.server";
import { ja } from "../../app/locales/ja";
import { codeFromSpeech } from "../support/apply-flow";
import { startTestServer, type TestServer } from "../support/http";
import { createTestServices, type TestClock, type TestServices } from "../support/services";
import { launchBrowser, newPage, waitForHydration } from "./support/browser";

const STEP_TIMEOUT_MS = 20_000;
const realClock: TestClock = { now: () => new Date(), set: () => {}, advance: () => {} };

let services: TestServices;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  services = await createTestServices({ clock: realClock });
  server = await startTestServer(services);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await services?.close();
});

const MODES = [
  { mode: "js", javaScriptEnabled: true },
  { mode: "nojs", javaScriptEnabled: false },
] as const;

let lineCounter = 0;
/** A fresh landline per journey: 03-5xxx-xxxx (Tokyo). */
function freshNumber(): { display: string; e164: string } {
  lineCounter++;
  const tail = String(10_000_000 + lineCounter * 7919 + (Date.now() % 1000) * 101).slice(-8);
  return { display: `03-${tail.slice(0, 4)}-${tail.slice(4)}`, e164: `+813${tail}` };
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`uncaught: ${err.stack ?? err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console.error: ${msg.text()} (${msg.location().url})`);
  });
  return errors;
}

async function arrive(page: Page, path: string) {
  await page.waitForURL((url) => url.pathname === path, { timeout: STEP_TIMEOUT_MS });
  await page.getByRole("heading", { level: 1 }).first().waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
}

async function open(page: Page, path: string, javaScriptEnabled: boolean) {
  await page.goto(`${server.url}${path}`, { waitUntil: "load" });
  if (javaScriptEnabled) await waitForHydration(page);
}

/** /apply → the verify page, as 本人, for `number`. */
async function untilVerify(page: Page, javaScriptEnabled: boolean, number: string, start = "/apply") {
  await open(page, start, javaScriptEnabled);
  await page.getByRole("button", { name: "はじめる" }).click();
  await arrive(page, "/apply/number");
  if (javaScriptEnabled) await waitForHydration(page);
  await page.getByLabel(/^止めたい電話番号/).fill(number);
  await page.getByRole("button", { name: "次へ" }).click();
  await arrive(page, "/apply/applicant");
  await page.getByRole("radio", { name: "契約者ご本人" }).check();
  await page.getByRole("button", { name: "次へ" }).click();
  await arrive(page, "/apply/verify");
}

async function callsTo(e164: string) {
  const rows = await services.db.select().from(outbox).where(eq(outbox.channel, "call"));
  return rows.filter((row) => services.pii.open(row.toEnc) === e164).map((row) => JSON.parse(services.pii.open(row.bodyEnc)) as { kind: string; text: string });
}

async function verificationsOf(e164: string) {
  return services.db
    .select({ id: verifications.id })
    .from(verifications)
    .innerJoin(lines, eq(lines.id, verifications.lineId))
    .where(eq(lines.e164, e164));
}

describe.each(MODES)("point 1: the old number equal to the number to stop ($mode)", ({ javaScriptEnabled }) => {
  it("is refused under the old number's field, saying how to fix it, and the typed numbers stay", async () => {
    const page = await newPage(browser, { javaScriptEnabled });
    const errors = watchErrors(page);
    try {
      const n = freshNumber();
      await open(page, "/apply", javaScriptEnabled);
      await page.getByRole("button", { name: "はじめる" }).click();
      await arrive(page, "/apply/number");
      if (javaScriptEnabled) await waitForHydration(page);
      await page.getByLabel(/^止めたい電話番号/).fill(n.display);
      // The same number typed another way (digits only, full width) is still the same line.
      const sameTypedOtherwise = n.display.replace(/-/g, "").replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
      await page.getByLabel(/前の電話番号/).fill(sameTypedOtherwise);
      await page.getByRole("button", { name: "次へ" }).click();
      const message = ja.apply.previousNumberSameAsNumber;
      await page.locator(".error-summary").filter({ hasText: message }).waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
      expect(new URL(page.url()).pathname).toBe("/apply/number");
      const previous = page.getByLabel(/前の電話番号/);
      await expect.poll(() => previous.getAttribute("aria-invalid")).toBe("true");
      expect(await previous.inputValue()).toBe(sameTypedOtherwise);
      expect(await page.getByLabel(/^止めたい電話番号/).inputValue()).toBe(n.display);
      // Emptying the old number goes on.
      await previous.fill("");
      await page.getByRole("button", { name: "次へ" }).click();
      await arrive(page, "/apply/applicant");
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});

describe.each(MODES)("point 2: 「確認の電話に進む」 posted twice ($mode)", ({ javaScriptEnabled }) => {
  it("places one call with one code, and that code is accepted", async () => {
    const page = await newPage(browser, { javaScriptEnabled });
    const errors = watchErrors(page);
    try {
      const n = freshNumber();
      await untilVerify(page, javaScriptEnabled, n.display);
      if (javaScriptEnabled) await waitForHydration(page);
      // Two requests at once, as a network that resends does, with this browser's cookies…
      const csrf = await page.locator('input[name="csrf"]').first().inputValue();
      const post = () =>
        page.context().request.post(`${server.url}/apply/verify`, {
          form: { csrf, method: "callback" },
          headers: { Origin: server.url },
          maxRedirects: 0,
        });
      const answers = await Promise.all([post(), post()]);
      expect(answers.map((r) => r.status())).toEqual([303, 303]);
      expect(answers.map((r) => r.headers()["location"])).toEqual(["/apply/code", "/apply/code"]);
      // …and a double click on the button itself.
      await page.getByRole("button", { name: "確認の電話に進む" }).dblclick();
      await arrive(page, "/apply/code");
      const calls = await callsTo(n.e164);
      expect(calls, "calls placed to the line").toHaveLength(1);
      expect(await verificationsOf(n.e164)).toHaveLength(1);
      if (javaScriptEnabled) await waitForHydration(page);
      await page.getByLabel("確認番号（4けた）").fill(codeFromSpeech(calls[0]!.text));
      await page.getByRole("button", { name: "確認する" }).click();
      await arrive(page, "/apply/name");
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});

describe("point 3: limits per booth and per device, not per address", () => {
  it(`a booth (assisted mode, one device, one address) checks more than ${MAX_STARTS_PER_CLIENT_PER_HOUR} applicants' lines in an hour (JavaScript off)`, async () => {
    const page = await newPage(browser, { javaScriptEnabled: false });
    const errors = watchErrors(page);
    try {
      for (let i = 0; i < MAX_STARTS_PER_CLIENT_PER_HOUR + 2; i++) {
        const n = freshNumber();
        await untilVerify(page, false, n.display, "/apply?assisted=1");
        await page.getByRole("button", { name: "確認の電話に進む" }).click();
        await arrive(page, "/apply/code");
        expect(await callsTo(n.e164), `applicant ${i + 1}`).toHaveLength(1);
      }
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it("a device at its limit is told why and how to go on, not to check its input (JavaScript on)", async () => {
    const page = await newPage(browser, { javaScriptEnabled: true });
    const errors = watchErrors(page);
    try {
      // This browser has already started the hour's checks (other lines, other drafts).
      const device = "e2e-device-at-its-limit-000000";
      await page.context().addCookies([{ name: DEVICE_COOKIE, value: device, url: `${server.url}/apply` }]);
      const other = freshNumber();
      const [line] = await services.db.insert(lines).values({ e164: other.e164 }).returning({ id: lines.id });
      const clientHash = services.pii.searchHash(`client:device:${device}`);
      for (let i = 0; i < MAX_STARTS_PER_CLIENT_PER_HOUR; i++) {
        await services.db.insert(verifications).values({ lineId: line!.id, method: "call_in", purpose: "apply", clientHash, expiresAt: new Date(Date.now() + 600_000), createdAt: new Date() });
      }
      const n = freshNumber();
      await untilVerify(page, true, n.display);
      await waitForHydration(page);
      await page.getByRole("button", { name: "確認の電話に進む" }).click();
      const notice = page.locator(".notice").filter({ hasText: ja.verification.limitedTitle });
      await notice.waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
      const text = await notice.innerText();
      expect(text).toMatch(/分ほどたってから/);
      expect(text).toMatch(/止めたい電話から .* にお電話ください/);
      expect(await page.getByText("入力内容を確認してください").count()).toBe(0);
      expect(await page.title()).not.toMatch(/^エラー：/);
      expect(await callsTo(n.e164)).toHaveLength(0);
      // Another device at the same address is not affected.
      const other2 = await newPage(browser, { javaScriptEnabled: true });
      try {
        const m = freshNumber();
        await untilVerify(other2, true, m.display);
        await waitForHydration(other2);
        await other2.getByRole("button", { name: "確認の電話に進む" }).click();
        await arrive(other2, "/apply/code");
        expect(await callsTo(m.e164)).toHaveLength(1);
      } finally {
        await other2.context().close();
      }
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});

const KANA = ["ヤマダハナコ", "ヴィクトル ハナコ", "ヤマダ　ハナコ"] as const;
const STORED = { "ヤマダハナコ": "ヤマダハナコ", "ヴィクトル ハナコ": "ヴィクトル ハナコ", "ヤマダ　ハナコ": "ヤマダ ハナコ" } as const;

describe.each(MODES)("point 11: kana survives every transport byte for byte ($mode)", ({ javaScriptEnabled }) => {
  it.each(KANA)("%s", async (kana) => {
    const page = await newPage(browser, { javaScriptEnabled });
    const errors = watchErrors(page);
    try {
      const n = freshNumber();
      await untilVerify(page, javaScriptEnabled, n.display);
      if (javaScriptEnabled) await waitForHydration(page);
      await page.getByRole("button", { name: "確認の電話に進む" }).click();
      await arrive(page, "/apply/code");
      if (javaScriptEnabled) await waitForHydration(page);
      const [call] = await callsTo(n.e164);
      await page.getByLabel("確認番号（4けた）").fill(codeFromSpeech(call!.text));
      await page.getByRole("button", { name: "確認する" }).click();
      await arrive(page, "/apply/name");
      if (javaScriptEnabled) await waitForHydration(page);
      await page.getByLabel(/^お名前/).fill("山田 花子");
      await page.getByLabel("フリガナ").fill(kana);
      await page.getByRole("button", { name: "次へ" }).click();
      await arrive(page, "/apply/address");
      // The name page drawn again from the saved answer, and posted back unchanged.
      await open(page, "/apply/name", javaScriptEnabled);
      const field = page.getByLabel("フリガナ");
      expect(await field.inputValue()).toBe(STORED[kana]);
      await page.getByRole("button", { name: "次へ" }).click();
      await arrive(page, "/apply/address");
      if (javaScriptEnabled) await waitForHydration(page);
      await page.getByLabel("郵便番号").fill("1000001");
      await page.getByLabel(/^住所/).fill("東京都千代田区千代田1-1");
      await page.getByRole("button", { name: "次へ" }).click();
      await arrive(page, "/apply/carrier");
      await page.getByRole("radio", { name: "KDDI", exact: true }).check();
      await page.getByRole("button", { name: "次へ" }).click();
      await arrive(page, "/apply/scope");
      await page.getByRole("checkbox", { name: "着信休止" }).check();
      await page.getByRole("button", { name: "次へ" }).click();
      await arrive(page, "/apply/check");
      expect(await page.getByRole("main").innerText()).toContain(`（${STORED[kana]}）`);
      await page.getByRole("button", { name: "この内容で申し込む" }).click();
      await arrive(page, "/apply/done");
      const [row] = await services.db
        .select({ kana: applications.subscriberKanaEnc })
        .from(applications)
        .innerJoin(lines, eq(lines.id, applications.lineId))
        .where(and(eq(lines.e164, n.e164)));
      const stored = services.pii.open(row!.kana!);
      expect([...stored].map((c) => c.codePointAt(0)!.toString(16))).toEqual([...STORED[kana]].map((c) => c.codePointAt(0)!.toString(16)));
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
