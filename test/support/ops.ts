/**
 * Back-office sign-in for tests: operators of any role with a known TOTP secret, and a sign-in that
 * plays the authenticator app (enrolling first when the operator has none yet, as the demo operator).
 */
import { eq } from "drizzle-orm";
import { operators } from "../../db/schema";
import { hashPassword } from "../../app/lib/password.server";
import type { Role } from "../../app/lib/roles";
import { newTotpSecret, totpCode, totpStep, TOTP_PERIOD_SECONDS } from "../../app/lib/totp.server";
import type { TestServices } from "./services";
import type { Page, TestBrowser } from "./http";

export const TEST_PASSWORD = "correct-horse-battery";

let passwordHash: Promise<string> | undefined;

/** An operator with a password and an enrolled authenticator. */
export async function createOperator(
  services: TestServices,
  input: { username: string; role: Role; displayName?: string; password?: string; enrolled?: boolean },
): Promise<{ id: string; username: string; password: string; secret: string | null }> {
  const password = input.password ?? TEST_PASSWORD;
  const hash = input.password ? await hashPassword(password) : await (passwordHash ??= hashPassword(TEST_PASSWORD));
  const secret = input.enrolled === false ? null : newTotpSecret();
  const [row] = await services.db
    .insert(operators)
    .values({
      username: input.username,
      displayName: input.displayName ?? `${input.role} ${input.username}`,
      role: input.role,
      passwordHash: hash,
      totpSecretEnc: secret ? services.pii.seal(secret) : null,
      totpEnrolledAt: secret ? services.now() : null,
    })
    .returning({ id: operators.id });
  return { id: row!.id, username: input.username, password, secret };
}

/**
 * The code an authenticator shows now, for a step the server has not accepted yet: when the last
 * accepted step is the current one, the test clock moves on to the next step (as a person waits).
 */
export async function nextCode(services: TestServices, operatorId: string): Promise<string> {
  const [row] = await services.db.select().from(operators).where(eq(operators.id, operatorId));
  if (!row?.totpSecretEnc) throw new Error("operator has no TOTP secret");
  const now = services.now();
  const last = row.totpLastStep;
  if (last !== null && last >= totpStep(now)) services.clock.advance((last - totpStep(now) + 1) * TOTP_PERIOD_SECONDS * 1000);
  return totpCode(services.pii.open(row.totpSecretEnc), services.now());
}

/**
 * Signs in through the pages like a browser without JavaScript: password, then (first time) the
 * enrolment page's secret, or the TOTP page. Returns the last response (302 to `redirectTo` on success).
 */
export async function signIn(browser: TestBrowser, services: TestServices, username: string, password = TEST_PASSWORD, redirectTo = "/ops"): Promise<Page> {
  const first = await browser.submit("/ops/login", { username, password, redirectTo });
  if (first.status !== 302) return first;
  const next = first.headers.get("Location")!;
  if (next !== "/ops/totp" && next !== "/ops/totp/enrol") return first;
  const [row] = await services.db.select().from(operators).where(eq(operators.username, username));
  const page = await browser.get(next);
  if (next === "/ops/totp/enrol" && !page.html.includes("data-totp-secret")) throw new Error("enrolment page shows no secret");
  return browser.post(next, { csrf: browser.csrfFrom(page.html), code: await nextCode(services, row!.id) });
}

/**
 * Posts a form of a signed-in page to the page itself (TestBrowser.submit would take the header's
 * sign-out form, the first form on every back-office page).
 */
export async function postForm(browser: TestBrowser, pathname: string, fields: Record<string, string | string[]>, action = pathname): Promise<Page> {
  const page = await browser.get(pathname);
  return browser.post(action, { csrf: browser.csrfFrom(page.html), ...fields });
}
