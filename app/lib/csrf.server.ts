/**
 * CSRF protection for every form post, in two layers:
 *  1. the server refuses unsafe requests whose Origin / Sec-Fetch-Site says they come from another
 *     site (server.ts, for every route);
 *  2. signed double-submit: a random value in a cookie, and in each form its HMAC under the session
 *     secret. An attacker can plant a cookie but cannot compute the HMAC. `readForm` checks it, and
 *     every action reads its form through `readForm`.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { AppLoadContext } from "@remix-run/node";
import { readLimitedForm } from "./body-limit.server";

export const CSRF_FIELD = "csrf";
const COOKIE = "csrf";

function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index > 0) out.set(part.slice(0, index).trim(), decodeURIComponent(part.slice(index + 1).trim()));
  }
  return out;
}

/** The form token for a cookie value (exported for tools that post forms, e.g. the benchmark). */
export function sign(secret: string, value: string): string {
  return createHmac("sha256", secret).update(`csrf:${value}`).digest("base64url");
}

/** The token for this client's forms, and a Set-Cookie header when the client has no cookie yet. */
export function csrfTokenFor(request: Request, context: AppLoadContext): { token: string; setCookie: string | null } {
  const { config } = context.services;
  const existing = parseCookies(request.headers.get("Cookie")).get(COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) {
    return { token: sign(config.secrets.sessionSecret, existing), setCookie: null };
  }
  const value = randomBytes(32).toString("base64url");
  const secure = config.publicBaseUrl.startsWith("https://") ? "; Secure" : "";
  return {
    token: sign(config.secrets.sessionSecret, value),
    setCookie: `${COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax${secure}`,
  };
}

export function isValidCsrf(request: Request, context: AppLoadContext, submitted: unknown): boolean {
  const value = parseCookies(request.headers.get("Cookie")).get(COOKIE);
  if (!value || typeof submitted !== "string") return false;
  const expected = Buffer.from(sign(context.services.config.secrets.sessionSecret, value));
  const given = Buffer.from(submitted);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Reads the posted form, at most this route's body limit (413 beyond it, see body-limit.server.ts),
 * and refuses it (403, plain Japanese) unless its CSRF token is valid.
 */
export async function readForm(request: Request, context: AppLoadContext): Promise<FormData> {
  const form = await readLimitedForm(request);
  if (!isValidCsrf(request, context, form.get(CSRF_FIELD))) {
    throw new Response(
      "画面の有効期限が切れたか、別のサイトから送信されました。お手数ですが、前の画面に戻って、もう一度お試しください。",
      { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } },
    );
  }
  return form;
}
