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
  /**
   * Defaults to false: the page runs under the app's real Content-Security-Policy, so a script or
   * style the policy blocks in production is blocked here too (and shows up in the test). axe is
   * injected by DevTools evaluation, which the policy does not govern, so bypassing is not needed
   * for it; pass true only to look at a page with its policy switched off.
   */
  bypassCSP?: boolean;
}

/** A page in a fresh context (own cookies). Close it with `page.context().close()`. */
export async function newPage(browser: Browser, options: NewPageOptions = {}): Promise<Page> {
  const javaScriptEnabled = options.javaScriptEnabled ?? true;
  const context: BrowserContext = await browser.newContext({
    javaScriptEnabled,
    bypassCSP: options.bypassCSP ?? false,
    locale: "ja-JP",
    timezoneId: "Asia/Tokyo",
    viewport: { width: 1280, height: 900 },
  });
  scriptingByContext.set(context, javaScriptEnabled);
  return context.newPage();
}

/** javaScriptEnabled of the contexts made by newPage(); Playwright has no public getter for it. */
const scriptingByContext = new WeakMap<BrowserContext, boolean>();

/**
 * Whether timers run in the page. In a context with javaScriptEnabled: false, DevTools evaluation
 * still works, and so do promise reactions, but setTimeout, queueMicrotask and MutationObserver
 * callbacks never fire.
 */
async function timersRun(page: Page): Promise<boolean> {
  const known = scriptingByContext.get(page.context());
  if (known !== undefined) return known;
  let timer: NodeJS.Timeout | undefined;
  const probe = page.evaluate(() => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 0)));
  probe.catch(() => undefined);
  const result = await Promise.race([
    probe,
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), 1_000);
    }),
  ]);
  clearTimeout(timer);
  return result;
}

let axeSourceCache: string | undefined;
function axeSource(): string {
  if (axeSourceCache === undefined) {
    axeSourceCache = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  }
  return axeSourceCache;
}

const AXE_TIMEOUT_MS = 60_000;

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

/**
 * Makes `window.axe` available on the current document. The source is evaluated through DevTools,
 * not added as a <script> tag: a tag would be refused by the app's Content-Security-Policy (and the
 * refusal logged as a console error) and never runs with javaScriptEnabled: false. DevTools
 * evaluation is governed by neither, and runs in the page's main world just the same.
 */
async function injectAxe(page: Page): Promise<void> {
  const hasAxe = () => page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === "object");
  if (await hasAxe()) return;
  await page.evaluate(`${axeSource()}\n;true`);
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
  const scripting = await timersRun(page);
  await injectAxe(page);
  const run = page.evaluate(
    async ({ tags, scripting }) => {
      const w = window as unknown as {
        axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: unknown[] }> };
        setTimeout: typeof setTimeout;
        clearTimeout: typeof clearTimeout;
      };
      const realSetTimeout = w.setTimeout;
      const realClearTimeout = w.clearTimeout;
      if (!scripting) {
        // Scripts are disabled, so timers never fire, and axe defers each rule's result with
        // setTimeout(…, 0). Run zero-delay timers as promise jobs while axe runs; longer ones (frame and
        // preload time-outs) keep never firing, as they would anyway on this page.
        const cancelled = new Set<number>();
        let next = 1;
        w.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
          const id = next++;
          if ((ms ?? 0) <= 1) {
            // Not queueMicrotask: like timers, its callbacks are suppressed here; promise jobs are not.
            void Promise.resolve().then(() => {
              if (!cancelled.has(id)) fn(...args);
            });
          }
          return id;
        }) as unknown as typeof setTimeout;
        w.clearTimeout = ((id: number) => {
          cancelled.add(id);
        }) as unknown as typeof clearTimeout;
      }
      try {
        const result = await w.axe.run(document, {
          runOnly: { type: "tag", values: tags },
          // Preloading stylesheets and media waits on load events, which never fire without
          // scripting; it only feeds the experimental css-orientation-lock rule and media checks.
          ...(scripting ? {} : { preload: false }),
        });
        // Only plain data crosses back to Node.
        return JSON.parse(JSON.stringify(result.violations)) as unknown[];
      } finally {
        w.setTimeout = realSetTimeout;
        w.clearTimeout = realClearTimeout;
      }
    },
    { tags: [...AXE_TAGS], scripting },
  );
  run.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const violations = (await Promise.race([
    run,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`axe did not finish within ${AXE_TIMEOUT_MS / 1000} s on ${label} (${page.url()})`)),
        AXE_TIMEOUT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer))) as AxeViolation[];
  if (violations.length > 0) {
    throw new Error(
      `axe found ${violations.length} accessibility violation(s) on ${label} (${page.url()}):\n` +
        formatViolations(violations),
    );
  }
}

/**
 * With JavaScript enabled: waits until Remix has started its router and React has hydrated the
 * document (React marks each hydrated element with a `__reactFiber$…` property), so that what the
 * test does next goes through the client-side code rather than a plain HTML form post.
 */
export async function waitForHydration(page: Page, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const w = window as unknown as { __remixRouter?: unknown };
      return (
        w.__remixRouter !== undefined && Object.keys(document.body).some((key) => key.startsWith("__reactFiber$"))
      );
    },
    undefined,
    { timeout },
  );
}
