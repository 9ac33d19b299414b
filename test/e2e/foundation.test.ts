/**
 * Foundation end-to-end check: the production server starts, the public top page and the operator
 * login work with and without JavaScript, and axe (WCAG 2.1 A/AA) reports nothing on any of them.
 *
 * Screenshots go to test-results/e2e/*.png for a person to look at.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { expectNoAxeViolations, launchBrowser, newPage, waitForHydration } from "./support/browser";
import { loginWithTotp } from "./support/ops-login";
import { REPO_ROOT, startServer, type RunningServer } from "./support/server";

const SCREENSHOT_DIR = join(REPO_ROOT, "test-results", "e2e");
const DEMO_PASSWORD = "e2e-demo-pass-1234";

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  server = await startServer({ DEMO_OPERATOR_PASSWORD: DEMO_PASSWORD });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/**
 * Uncaught page errors and Content-Security-Policy refusals are collected, so that a broken
 * hydration or a script/style the app's own policy blocks shows up as a test failure.
 */
function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`uncaught: ${err.stack ?? err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" && /Content Security Policy/i.test(msg.text())) {
      errors.push(`CSP: ${msg.text()} (${msg.location().url})`);
    }
  });
  return errors;
}

/** Opens a path; with JavaScript, also waits for hydration. */
async function open(page: Page, path: string, javaScriptEnabled: boolean) {
  const response = await page.goto(`${server.url}${path}`, { waitUntil: "load" });
  if (javaScriptEnabled) await waitForHydration(page);
  return response;
}

function loginFields(page: Page) {
  return {
    username: page.getByLabel("ユーザー名").and(page.locator('[name="username"]')),
    password: page.getByLabel("パスワード").and(page.locator('[name="password"]')),
    submit: page.getByRole("button", { name: "ログイン" }),
  };
}

/** The error summary shown after a failed login: an alert, or an element marked as the summary. */
function errorSummary(page: Page) {
  return page
    .getByRole("alert")
    .or(page.locator("[data-error-summary], .error-summary, #error-summary"))
    .filter({ hasText: /\S/ })
    .first();
}

function expectUrlUnderOps(url: string): void {
  const { pathname } = new URL(url);
  expect(pathname === "/ops" || pathname.startsWith("/ops/"), `landed on ${url}`).toBe(true);
  expect(pathname.startsWith("/ops/login"), `still on the login page: ${url}`).toBe(false);
}

describe.each([
  { javaScriptEnabled: true, mode: "js" },
  { javaScriptEnabled: false, mode: "nojs" },
])("foundation ($mode)", ({ javaScriptEnabled, mode }) => {
  let page: Page;
  let pageErrors: string[];

  beforeEach(async () => {
    page = await newPage(browser, { javaScriptEnabled });
    pageErrors = collectPageErrors(page);
  });

  afterEach(async () => {
    await page?.context().close();
    expect(pageErrors, "uncaught errors or CSP refusals in the page").toEqual([]);
  });

  test("GET / is Japanese, titled 国際電話, and has no axe violations", async () => {
    const response = await open(page, "/", javaScriptEnabled);
    expect(response?.status()).toBe(200);
    expect(await page.locator("html").getAttribute("lang")).toBe("ja");
    const h1 = page.locator("h1");
    await expect.poll(() => h1.count()).toBeGreaterThan(0);
    expect(await h1.first().innerText()).toContain("国際電話");
    await screenshot(page, `${mode}-home`);
    await expectNoAxeViolations(page, `/ (${mode})`);
  });

  test("/ops/login has labelled fields and no axe violations", async () => {
    const response = await open(page, "/ops/login", javaScriptEnabled);
    expect(response?.status()).toBe(200);
    expect(await page.locator("html").getAttribute("lang")).toBe("ja");
    const { username, password, submit } = loginFields(page);
    await username.waitFor({ state: "visible" });
    await password.waitFor({ state: "visible" });
    await submit.waitFor({ state: "visible" });
    expect(await password.getAttribute("type")).toBe("password");
    await screenshot(page, `${mode}-login`);
    await expectNoAxeViolations(page, `/ops/login (${mode})`);
  });

  test("a wrong password shows an error summary, still without axe violations", async () => {
    await open(page, "/ops/login", javaScriptEnabled);
    const { username, password, submit } = loginFields(page);
    await username.fill("demo");
    await password.fill("definitely-not-the-password");
    await submit.click();
    const summary = errorSummary(page);
    await summary.waitFor({ state: "visible", timeout: 15_000 });
    expect(new URL(page.url()).pathname).toBe("/ops/login");
    if (javaScriptEnabled) {
      // The summary takes focus when it appears, so a screen reader user hears it at once.
      await expect
        .poll(() => summary.evaluate((el) => el === document.activeElement || el.contains(document.activeElement)))
        .toBe(true);
    }
    await screenshot(page, `${mode}-login-failed`);
    await expectNoAxeViolations(page, `/ops/login after a failed login (${mode})`);
    // Nobody is logged in: the operator area must not show the dashboard.
    await open(page, "/ops", javaScriptEnabled);
    expect(await page.getByRole("heading", { level: 1, name: "ダッシュボード" }).count()).toBe(0);
  });

  test("demo / DEMO_OPERATOR_PASSWORD and a TOTP code log in to the ダッシュボード", async () => {
    // The first run enrols the demo operator's authenticator (the page shows the secret); the second
    // run signs in with a code from the same secret.
    await loginWithTotp(page, server.url, "demo", DEMO_PASSWORD, {
      check: async (p, step) => {
        if (javaScriptEnabled) await waitForHydration(p);
        await expectNoAxeViolations(p, `${step} step of the login (${mode})`);
      },
    });
    expectUrlUnderOps(page.url());
    // With JavaScript the enrolment page's heading stays on screen until the client navigation ends:
    // wait for the dashboard's own heading rather than reading whichever heading is there first.
    const h1 = page.getByRole("heading", { level: 1, name: /ダッシュボード/ });
    await h1.first().waitFor({ state: "visible" });
    expect(await h1.first().innerText()).toContain("ダッシュボード");
    await screenshot(page, `${mode}-dashboard`);
    await expectNoAxeViolations(page, `${new URL(page.url()).pathname} after login (${mode})`);
  });
});
