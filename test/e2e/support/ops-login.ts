/**
 * Signing in to the back office in the browser, playing the authenticator app: on the first login
 * the enrolment page shows the TOTP secret (for people whose phone cannot scan the QR code), and the
 * test computes the code from it, as the app would; later logins reuse the remembered secret.
 */
import type { Page } from "playwright-core";
import { totpCode } from "../../../app/lib/totp.server";

/** username → TOTP secret learnt from the enrolment page, and the last code's time. */
const secrets = new Map<string, { secret: string; lastUsed: number }>();

/** A code the server has not seen yet: a code is accepted once, so after one in this 30 s step, use the next step's. */
function freshCode(username: string): string {
  const known = secrets.get(username)!;
  const now = Date.now();
  const sameStep = Math.floor(known.lastUsed / 30_000) >= Math.floor(now / 30_000);
  const at = sameStep ? Math.max(now, known.lastUsed) + 30_000 : now;
  known.lastUsed = at;
  return totpCode(known.secret, new Date(at));
}

export function rememberSecret(username: string, secret: string): void {
  secrets.set(username, { secret, lastUsed: 0 });
}

export type LoginStepCheck = (page: Page, step: "password" | "new_password" | "enrol" | "totp") => Promise<void>;

/**
 * From the login page to the page after the second factor. `check` runs on each step's page (e.g.
 * axe), and `newPassword` answers the one-time password step when it comes.
 */
export async function loginWithTotp(
  page: Page,
  baseUrl: string,
  username: string,
  password: string,
  options: { check?: LoginStepCheck; newPassword?: string } = {},
): Promise<void> {
  await page.goto(`${baseUrl}/ops/login`, { waitUntil: "load" });
  await options.check?.(page, "password");
  await page.getByLabel("ユーザー名").fill(username);
  await page.getByLabel("パスワード", { exact: false }).and(page.locator('[name="password"]')).fill(password);
  await page.getByRole("button", { name: "ログイン" }).click();
  await page.waitForURL((url) => url.pathname !== "/ops/login", { timeout: 15_000 });

  if (new URL(page.url()).pathname === "/ops/login/password") {
    if (!options.newPassword) throw new Error(`${username} has a one-time password: pass newPassword`);
    await options.check?.(page, "new_password");
    await page.locator('[name="password"]').fill(options.newPassword);
    await page.locator('[name="confirm"]').fill(options.newPassword);
    await page.getByRole("button", { name: "パスワードを設定する" }).click();
    await page.waitForURL((url) => url.pathname !== "/ops/login/password", { timeout: 15_000 });
  }

  const path = new URL(page.url()).pathname;
  if (path === "/ops/totp/enrol") {
    await options.check?.(page, "enrol");
    const secret = (await page.locator("[data-totp-secret]").innerText()).replace(/\s/g, "");
    rememberSecret(username, secret);
    await page.getByLabel("確認コード（6けた）").fill(freshCode(username));
    await page.getByRole("button", { name: "登録してログイン" }).click();
  } else if (path === "/ops/totp") {
    await options.check?.(page, "totp");
    if (!secrets.has(username)) throw new Error(`no TOTP secret known for ${username}`);
    await page.getByLabel("確認コード（6けた）").fill(freshCode(username));
    await page.getByRole("button", { name: "ログイン" }).click();
  } else {
    throw new Error(`unexpected page after the password: ${page.url()}`);
  }
  await page.waitForURL((url) => !url.pathname.startsWith("/ops/totp") && !url.pathname.startsWith("/ops/login"), { timeout: 15_000 });
}
