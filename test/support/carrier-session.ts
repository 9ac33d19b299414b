/** Carrier sign-in through the pages, password then the authenticator code (issue 12), as ops.ts does for operators. */
import { eq } from "drizzle-orm";
import { carrierUsers } from "../../db/schema";
import { TOTP_PERIOD_SECONDS, totpCode, totpStep } from "../../app/lib/totp.server";
import type { TestBrowser, Page } from "./http";
import type { TestServices } from "./services";

/** The code the carrier user's authenticator shows now, for a step the server has not accepted yet. */
export async function nextCarrierCode(services: TestServices, userId: string): Promise<string> {
  const [row] = await services.db.select().from(carrierUsers).where(eq(carrierUsers.id, userId));
  if (!row?.totpSecretEnc) throw new Error("carrier user has no TOTP secret");
  const last = row.totpLastStep;
  if (last !== null && last >= totpStep(services.now())) services.clock.advance((last - totpStep(services.now()) + 1) * TOTP_PERIOD_SECONDS * 1000);
  return totpCode(services.pii.open(row.totpSecretEnc), services.now());
}

/**
 * Password, then (first time) the enrolment page's secret, or the code page. Returns the last
 * response: a 302 to `redirectTo` on success.
 */
export async function carrierSignIn(browser: TestBrowser, services: TestServices, username: string, password: string, redirectTo = "/carrier"): Promise<Page> {
  const first = await browser.submit("/carrier/login", { username, password, redirectTo });
  if (first.status !== 302) return first;
  const next = first.headers.get("Location")!;
  if (next !== "/carrier/totp" && next !== "/carrier/totp/enrol") return first;
  const page = await browser.get(next);
  if (next === "/carrier/totp/enrol" && !page.html.includes("data-totp-secret")) throw new Error("enrolment page shows no secret");
  const [row] = await services.db.select().from(carrierUsers).where(eq(carrierUsers.username, username));
  return browser.post(next, { csrf: browser.csrfFrom(page.html), code: await nextCarrierCode(services, row!.id) });
}
