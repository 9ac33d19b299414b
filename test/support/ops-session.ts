/**
 * A browser already signed in to the back office as a new operator of the given role, for tests of
 * pages other than sign-in itself (the sign-in steps — password, TOTP — have their own tests).
 */
import { randomBytes } from "node:crypto";
import { operators } from "../../db/schema";
import { startSession } from "../../app/lib/auth.server";
import { hashPassword } from "../../app/lib/password.server";
import type { Services } from "../../app/lib/services.server";
import { TestBrowser, type TestServer } from "./http";
import { loadContext } from "./services";

export async function signedInBrowser(
  server: TestServer,
  services: Services,
  role: "operator" | "supervisor" | "admin" | "auditor" = "operator",
): Promise<{ browser: TestBrowser; operatorId: string }> {
  const username = `${role}-${randomBytes(4).toString("hex")}`;
  const [row] = await services.db
    .insert(operators)
    .values({ username, displayName: `試験 ${role}`, role, passwordHash: await hashPassword(randomBytes(12).toString("hex")) })
    .returning({ id: operators.id });
  const cookie = await startSession(loadContext(services), row!.id);
  const browser = new TestBrowser(server.url);
  browser.setCookie(cookie);
  return { browser, operatorId: row!.id };
}
