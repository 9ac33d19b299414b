/**
 * Every page in the back-office menu, for every role, in Chromium (issue 16, points 4 and 5 and the
 * crawl of its "Done when"):
 *  - with JavaScript on, each menu link is followed by clicking it (client-side navigation, as a
 *    person does): the page's heading appears, and no uncaught error or console error is logged —
 *    /ops/cancellations/stats used to throw while hydrating (it read a `.server` module in the
 *    browser), so its menu link did nothing;
 *  - every page keeps the menu and a link home (a way back), and shows no English status word;
 *  - with JavaScript off, the same links work as plain links, and the paper/FAX upload page is
 *    in the menu of every role that works paper.
 *
 * The server runs in this process on the test database; sessions are started through the auth
 * service (the sign-in steps have their own tests).
 */
import type { Browser, Page } from "playwright-core";
import { startSession } from "../../app/lib/auth.server";
import { hashPassword } from "../../app/lib/password.server";
import { ROLES, type Role, can } from "../../app/lib/roles";
import { operators } from "../../db/schema";
import { startTestServer, type TestServer } from "../support/http";
import { apply } from "../support/ops-scenario";
import { createTestServices, loadContext, type TestClock, type TestServices } from "../support/services";
import { launchBrowser, newPage, waitForHydration } from "./support/browser";

const STEP_TIMEOUT_MS = 20_000;
const realClock: TestClock = { now: () => new Date(), set: () => {}, advance: () => {} };

/** Internal codes that must never reach a person's screen (statuses, events, actions). */
const ENGLISH_WORDS =
  /\b(received|verified|needs_review|queued|sent|acknowledged|completed|rejected|withdrawn|resumed|pending|flagged|approved|declined|refused|call_placed|cancellation_confirmation|[a-z]+_[a-z_]+)\b/;

let services: TestServices;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  services = await createTestServices({ clock: realClock });
  server = await startTestServer(services);
  browser = await launchBrowser();
  // Something in the lists, so the pages show rows and not only their empty states.
  await apply(services, { lineE164: "+81312349001" });
  await apply(services, { lineE164: "+81662349002", subscriberName: "佐藤 一郎", subscriberKana: "サトウ イチロウ" });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await services?.close();
});

let signedIn = 0;
async function signedInPage(role: Role, javaScriptEnabled: boolean): Promise<{ page: Page; errors: string[] }> {
  signedIn++;
  const [row] = await services.db
    .insert(operators)
    .values({ username: `crawl-${role}-${signedIn}`, displayName: `巡回 ${role}`, role, passwordHash: await hashPassword("crawl-password-1234") })
    .returning({ id: operators.id });
  const cookie = await startSession(loadContext(services), row!.id);
  const [pair] = cookie.split(";");
  const page = await newPage(browser, { javaScriptEnabled });
  await page.context().addCookies([{ name: pair!.slice(0, pair!.indexOf("=")), value: pair!.slice(pair!.indexOf("=") + 1), url: server.url }]);
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`uncaught on ${page.url()}: ${err.stack ?? err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console.error on ${page.url()}: ${msg.text()} (${msg.location().url})`);
  });
  return { page, errors };
}

async function menuLinks(page: Page): Promise<{ href: string; label: string }[]> {
  const nav = page.getByRole("navigation", { name: "業務メニュー" });
  await nav.waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
  return nav.locator("a").evaluateAll((as) => as.map((a) => ({ href: a.getAttribute("href")!, label: (a.textContent ?? "").trim() })));
}

async function checkPage(page: Page, href: string) {
  const h1 = page.getByRole("heading", { level: 1 });
  await h1.first().waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
  expect(await page.getByRole("navigation", { name: "業務メニュー" }).count(), `${href}: the menu (a way back)`).toBe(1);
  expect(await page.locator('header a[href="/ops"]').count(), `${href}: a link home`).toBeGreaterThan(0);
  // The audit log's raw record column (marked data-technical) is the one place codes are the content.
  const main = await page.getByRole("main").evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    copy.querySelectorAll("[data-technical]").forEach((node) => node.remove());
    return copy.textContent ?? "";
  });
  expect(main.match(ENGLISH_WORDS)?.[0], `${href}: an English word on the page`).toBeUndefined();
}

describe.each(ROLES)("the back-office menu of the %s", (role) => {
  it("opens every page with JavaScript on, by clicking, without errors", async () => {
    const { page, errors } = await signedInPage(role, true);
    try {
      await page.goto(`${server.url}/ops`, { waitUntil: "load" });
      await waitForHydration(page);
      const links = await menuLinks(page);
      expect(links.length).toBeGreaterThan(1);
      expect(links.some((l) => l.href === "/ops/paper")).toBe(can(role, "paper", "view"));
      expect(links.some((l) => l.href === "/ops/cancellations/stats")).toBe(can(role, "cancellations", "view"));
      for (const link of links) {
        await page.getByRole("navigation", { name: "業務メニュー" }).getByRole("link", { name: link.label, exact: true }).click();
        await page.waitForURL((url) => url.pathname === link.href, { timeout: STEP_TIMEOUT_MS });
        // The link is current once the client-side navigation has finished rendering the new page.
        await page
          .getByRole("navigation", { name: "業務メニュー" })
          .locator(`a[href="${link.href}"][aria-current="page"]`)
          .waitFor({ state: "attached", timeout: STEP_TIMEOUT_MS });
        await checkPage(page, link.href);
        expect(errors, `after opening ${link.href}`).toEqual([]);
      }
    } finally {
      await page.context().close();
    }
  });

  it("opens every page with JavaScript off", async () => {
    const { page, errors } = await signedInPage(role, false);
    try {
      await page.goto(`${server.url}/ops`, { waitUntil: "load" });
      const links = await menuLinks(page);
      expect(links.some((l) => l.href === "/ops/paper")).toBe(can(role, "paper", "view"));
      for (const link of links) {
        await page.goto(`${server.url}/ops`, { waitUntil: "load" });
        await page.getByRole("navigation", { name: "業務メニュー" }).getByRole("link", { name: link.label, exact: true }).click();
        await page.waitForURL((url) => url.pathname === link.href, { timeout: STEP_TIMEOUT_MS });
        await page.waitForLoadState("load");
        await checkPage(page, link.href);
      }
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});

describe("the paper/FAX upload page", () => {
  it("is reached from the menu and shows its upload form", async () => {
    const { page, errors } = await signedInPage("operator", true);
    try {
      await page.goto(`${server.url}/ops`, { waitUntil: "load" });
      await waitForHydration(page);
      await page.getByRole("navigation", { name: "業務メニュー" }).getByRole("link", { name: /郵送・FAXの受付/ }).click();
      await page.waitForURL((url) => url.pathname === "/ops/paper", { timeout: STEP_TIMEOUT_MS });
      await page.locator('input[type="file"]').first().waitFor({ state: "attached", timeout: STEP_TIMEOUT_MS });
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
