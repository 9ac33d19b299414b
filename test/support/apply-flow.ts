/** Drives the web apply journey over HTTP like a browser without JavaScript. */
import { and, desc, eq } from "drizzle-orm";
import { outbox } from "../../db/schema";
import type { CallContent } from "../../app/lib/comms.server";
import type { Services } from "../../app/lib/services.server";
import type { TestBrowser, Page } from "./http";

export async function step(browser: TestBrowser, path: string, fields: Record<string, string | string[]>): Promise<Page> {
  const response = await browser.submit(path, fields);
  if (response.status !== 303) throw new Error(`POST ${path} answered ${response.status}:\n${response.html.slice(0, 500)}`);
  return browser.get(response.headers.get("Location")!);
}

/** The most recent verification call to a line, as the outbox holds it. */
export async function lastCallTo(services: Services, e164: string): Promise<{ id: string; verificationId: string | null; content: CallContent }> {
  const rows = await services.db.select().from(outbox).where(and(eq(outbox.channel, "call"))).orderBy(desc(outbox.createdAt));
  for (const row of rows) {
    if (services.pii.open(row.toEnc) === e164) {
      return { id: row.id, verificationId: row.verificationId, content: JSON.parse(services.pii.open(row.bodyEnc)) as CallContent };
    }
  }
  throw new Error(`no call to ${e164}`);
}

/** The 4 digits a "say" call reads out (「確認番号は、1、2、3、4、です」). */
export function codeFromSpeech(text: string): string {
  const match = text.match(/確認番号は、((?:\d、){4})/);
  if (!match) throw new Error(`no code in: ${text}`);
  return match[1]!.replace(/、/g, "");
}

export const SELF_ANSWERS = {
  number: { number: "03-1234-5678" } as { number: string; previousNumber?: string },
  applicant: { relation: "self", contactPhone: "" },
  name: { kanji: "山田 花子", kana: "やまだ はなこ" },
  address: { postalCode: "1000001", address: "東京都千代田区千代田1-1", intent: "save" },
  carrier: { choice: "kddi" },
  scope: { scopes: ["incoming", "outgoing"] },
};

/** From the start page to the check page, as 本人, verifying by call-back. Returns the check page. */
export async function applyUntilCheck(
  browser: TestBrowser,
  services: Services,
  overrides: Partial<typeof SELF_ANSWERS> & { e164?: string } = {},
): Promise<Page> {
  const answers = { ...SELF_ANSWERS, ...overrides };
  const e164 = overrides.e164 ?? "+81312345678";
  await step(browser, "/apply", {});
  await step(browser, "/apply/number", answers.number);
  await step(browser, "/apply/applicant", answers.applicant);
  await step(browser, "/apply/verify", { method: "callback" });
  const call = await lastCallTo(services, e164);
  if (call.content.kind !== "say") throw new Error("expected a call that reads the code");
  await step(browser, "/apply/code", { intent: "check", code: codeFromSpeech(call.content.text) });
  await step(browser, "/apply/name", answers.name);
  await step(browser, "/apply/address", answers.address);
  await step(browser, "/apply/carrier", answers.carrier);
  return step(browser, "/apply/scope", answers.scope);
}
