/**
 * A one-time, sealed cookie for pages without a draft (the status page): post → redirect → get,
 * so the page with errors or results has its own title and a refresh never re-posts. Sealed with
 * the personal-data key because it holds what the person typed.
 */
import type { AppLoadContext } from "@remix-run/node";

export function flashCookie(context: AppLoadContext, name: string, value: unknown): string {
  const sealed = context.services.pii.seal(JSON.stringify(value));
  const secure = context.services.config.publicBaseUrl.startsWith("https://") ? "; Secure" : "";
  return `${name}=${sealed}; Path=/; HttpOnly; SameSite=Lax; Max-Age=120${secure}`;
}

export function readFlashCookie<T>(request: Request, context: AppLoadContext, name: string): { value: T | null; clear: string } {
  const raw = (request.headers.get("Cookie") ?? "").match(new RegExp(`(?:^|;\\s*)${name}=([A-Za-z0-9._-]+)`))?.[1];
  let value: T | null = null;
  try {
    value = raw ? (JSON.parse(context.services.pii.open(raw)) as T) : null;
  } catch {
    value = null;
  }
  return { value, clear: `${name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` };
}
