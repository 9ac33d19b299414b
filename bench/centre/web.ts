/**
 * People on the web, as browsers without JavaScript (test/support/http.ts TestBrowser): the apply
 * journey, the /cancel journey and the objection page. Each browser has its own client address (the
 * server trusts one proxy hop, as behind the production load balancer), so per-client rate limits
 * apply per person, as they would.
 *
 * The journeys read the page they land on and answer it, so a step added or removed in the product does
 * not derail them; a page that comes back with an error is recorded as a failed journey.
 */
import { TestBrowser, type Page } from "../../test/support/http";
import type { CancellationPlan, Persona, Submission } from "./plan";

export class Browser extends TestBrowser {
  constructor(
    base: string,
    private readonly clientIp: string,
  ) {
    super(base);
  }

  override request(pathname: string, init: RequestInit = {}): Promise<Page> {
    return super.request(pathname, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), "X-Forwarded-For": this.clientIp } });
  }
}

export class JourneyError extends Error {
  constructor(
    readonly at: string,
    message: string,
  ) {
    super(`${at}: ${message}`);
  }
}

const stripTags = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");

/** The error messages on a page (error summary, else the page title), for the failure report. */
function errorText(page: Page): string {
  const summary = page.html.match(/class="error-summary"[^>]*>([\s\S]*?)<\/ul>/)?.[1];
  const text = page.html.match(/class="error-text"[^>]*>([\s\S]*?)<\/p>/)?.[1];
  const title = page.html.match(/<title>([^<]*)<\/title>/)?.[1];
  return stripTags(summary ?? text ?? title ?? "").trim().slice(0, 200) || `status ${page.status}`;
}

type Fields = Record<string, string | string[]>;

/** Loads the page, posts its form like a browser, and follows the redirect. */
async function step(browser: Browser, path: string, fields: Record<string, string | string[]>): Promise<Page> {
  const response = await browser.submit(path, fields);
  if (response.status !== 303 && response.status !== 302) throw new JourneyError(path, `POST answered ${response.status}: ${errorText(response)}`);
  return browser.get(response.headers.get("Location")!);
}

function pathOf(page: Page): string {
  return new URL(page.url, "http://x").pathname;
}

/** Walks a journey: answers whatever page comes next until `done` (or a page repeats with an error). */
async function walk(browser: Browser, first: string, done: readonly string[], answer: (path: string) => Record<string, string | string[]> | null): Promise<Page> {
  let path = first;
  let page: Page | null = null;
  const seen = new Map<string, number>();
  for (let hops = 0; hops < 20; hops++) {
    const fields = answer(path);
    if (fields === null) {
      if (page) return page;
      throw new JourneyError(path, "no answer for this page");
    }
    page = await step(browser, path, fields);
    const next = pathOf(page);
    if (done.includes(next)) return page;
    const times = (seen.get(next) ?? 0) + 1;
    seen.set(next, times);
    if (next === path || times > 2) throw new JourneyError(next, errorText(page));
    path = next;
  }
  throw new JourneyError(path, "too many steps");
}

/** The reference printed on a done page (aria-label="受付番号 1234、5678、901"). */
export function referenceOn(page: Page): string | null {
  const label = page.html.match(/aria-label="受付番号 ([\d、]+)"/)?.[1];
  return label ? label.replace(/\D/g, "") : null;
}

export type WebApplication = { browser: Browser; submission: Submission; startedAt: Date };

function applicantFields(sub: Submission): Record<string, string> {
  if (sub.relation === "self") return { relation: "self", contactPhone: sub.applicantContact ?? "" };
  return { relation: sub.relation, relationDetail: sub.relationDetail ?? "", applicantName: sub.applicantName ?? "", contactPhone: sub.applicantContact ?? "" };
}

/** From the start page until the centre calls the line back (the code page). */
export async function startWebApplication(base: string, sub: Submission, startedAt: Date): Promise<WebApplication> {
  const browser = new Browser(base, sub.ip);
  const start = await browser.get("/apply");
  if (start.status !== 200) throw new JourneyError("/apply", `GET answered ${start.status}`);
  await walk(browser, "/apply", ["/apply/code"], (path): Fields | null => {
    switch (path) {
      case "/apply":
        return {};
      case "/apply/number":
        return { number: sub.typedNumber };
      case "/apply/applicant":
        return applicantFields(sub);
      case "/apply/verify":
        return { method: "callback" };
      default:
        return null;
    }
  });
  return { browser, submission: sub, startedAt };
}

/** With the code heard on the call: the rest of the questions, the check page and the done page. */
export async function finishWebApplication(journey: WebApplication, persona: Persona, code: string): Promise<{ outcome: "done" | "covered"; reference: string | null }> {
  const sub = journey.submission;
  const page = await walk(journey.browser, "/apply/code", ["/apply/done", "/apply/covered"], (path): Fields | null => {
    switch (path) {
      case "/apply/code":
        return { intent: "check", code };
      case "/apply/name":
        return { kanji: sub.nameGiven, kana: sub.kanaGiven };
      case "/apply/address":
        return { postalCode: persona.postalCode, address: persona.addressLines.filter(Boolean).join(" "), intent: "save" };
      case "/apply/carrier":
        return { choice: sub.carrier };
      case "/apply/scope":
        return { scopes: sub.scopes };
      case "/apply/check":
        return {};
      default:
        return null;
    }
  });
  const outcome = pathOf(page) === "/apply/covered" ? "covered" : "done";
  return { outcome, reference: referenceOn(page) };
}

/** The /cancel journey. Returns the request's reference, or throws with what the page said. */
export async function webCancellation(base: string, plan: CancellationPlan, persona: Persona): Promise<string | null> {
  const browser = new Browser(base, plan.ip);
  const page = await walk(browser, "/cancel", ["/cancel/done"], (path): Fields | null => {
    switch (path) {
      case "/cancel":
        return {};
      case "/cancel/number":
        return { number: persona.national };
      case "/cancel/requester":
        return plan.relation === "self" ? { relation: "self" } : { relation: "family", requesterName: plan.requesterName ?? "", relationDetail: plan.relationDetail ?? "" };
      case "/cancel/contact":
        return { phone: plan.contact };
      case "/cancel/reason":
        return { code: plan.reason };
      case "/cancel/check":
        return {};
      default:
        return null;
    }
  });
  return referenceOn(page);
}

/** The original applicant objects with the reference and code of the notice. */
export async function objectOnWeb(base: string, ip: string, reference: string, code: string): Promise<boolean> {
  const browser = new Browser(base, ip);
  const response = await browser.submit("/cancel/object", { reference, code });
  if (response.status !== 303 && response.status !== 302) return false;
  const page = await browser.get(response.headers.get("Location")!);
  return page.html.includes("反対のお申し出を受け付けました");
}
