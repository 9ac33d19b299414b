/**
 * Browser helpers for the end-to-end tests: Debian's Chromium driven by playwright-core, and an
 * axe-core accessibility check that fails with a readable list of violations.
 *
 * `npx playwright install` cannot download browsers on these machines, so we always launch the
 * system Chromium (`apt-get install -y chromium`). The flags stop it from calling home on the
 * closed network, where it would otherwise stall.
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

const require = createRequire(import.meta.url);

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
] as const;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [...CHROMIUM_ARGS],
  });
}

export interface NewPageOptions {
  /** Defaults to true. With false the page is what a no-JS visitor sees (no hydration). */
  javaScriptEnabled?: boolean;
  /** Defaults to true, so that the app's Content-Security-Policy cannot block the axe injection. */
  bypassCSP?: boolean;
}

/**
 * A page in a fresh context (own cookies). Close it with `page.context().close()`.
 * CSP is bypassed by default: the app's policy may forbid inline scripts, and axe is injected as one.
 */
export async function newPage(browser: Browser, options: NewPageOptions = {}): Promise<Page> {
  const context: BrowserContext = await browser.newContext({
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    bypassCSP: options.bypassCSP ?? true,
    locale: "ja-JP",
    timezoneId: "Asia/Tokyo",
    viewport: { width: 1280, height: 900 },
  });
  return context.newPage();
}

let axeSourceCache: string | undefined;
function axeSource(): string {
  if (axeSourceCache === undefined) {
    axeSourceCache = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  }
  return axeSourceCache;
}

export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] as const;

interface AxeNodeResult {
  target: unknown[];
  failureSummary?: string;
  html?: string;
}
interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNodeResult[];
}

/** Makes `window.axe` available on the current document. */
async function injectAxe(page: Page): Promise<void> {
  const hasAxe = () => page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === "object");
  if (await hasAxe()) return;
  const content = axeSource();
  try {
    // A <script> element: what the brief asks for, and what works with JavaScript enabled.
    await page.addScriptTag({ content });
  } catch {
    // CSP (when not bypassed) or a page without a <head> yet: fall through to evaluate.
  }
  if (!(await hasAxe())) {
    // With javaScriptEnabled: false a <script> element never runs, but DevTools evaluation does.
    await page.evaluate(`${content}\n;true`);
  }
  if (!(await hasAxe())) throw new Error("axe-core could not be injected into the page");
}

export function formatViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => {
          const target = n.target.map((t) => (Array.isArray(t) ? t.join(" >>> ") : String(t))).join(", ");
          const summary = n.failureSummary ? `\n        ${n.failureSummary.replace(/\n/g, "\n        ")}` : "";
          const html = n.html ? `\n        html: ${n.html.slice(0, 200)}` : "";
          return `    - ${target}${html}${summary}`;
        })
        .join("\n");
      return `  [${v.impact ?? "unknown"}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join("\n");
}

/**
 * Runs axe (WCAG 2.0/2.1 A and AA) on the page as it is now and throws if anything is reported.
 */
export async function expectNoAxeViolations(page: Page, label: string): Promise<void> {
  await injectAxe(page);
  const violations = (await page.evaluate(async (tags) => {
    const axe = (window as unknown as {
      axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: unknown[] }> };
    }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
    // Only plain data crosses back to Node.
    return JSON.parse(JSON.stringify(result.violations)) as unknown[];
  }, [...AXE_TAGS])) as AxeViolation[];
  if (violations.length > 0) {
    throw new Error(
      `axe found ${violations.length} accessibility violation(s) on ${label} (${page.url()}):\n` +
        formatViolations(violations),
    );
  }
}
