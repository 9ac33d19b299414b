/**
 * Carrier authentication, kept apart from the centre's operators:
 *  - API keys for /api/carrier/v1 ("Authorization: Bearer <key>"): 32 random bytes, shown once; only
 *    their SHA-256 is stored (a key is high-entropy, so a fast hash is enough). Several per carrier,
 *    each revocable. A key only ever sees its own carrier's batches.
 *  - carrier users for the /carrier pages: argon2id passwords, lock-out after failures, and server-side
 *    sessions in their own table under their own cookie (carrier_session, Path=/carrier).
 */
import { createHash, randomBytes } from "node:crypto";
import { redirect, type AppLoadContext } from "@remix-run/node";
import { and, eq, isNull } from "drizzle-orm";
import { carrierApiKeys, carriers, carrierSessions, carrierUsers } from "../../db/schema";
import { hashPassword, verifyPassword } from "./password.server";
import type { Services } from "./services.server";
import { checkedRedirectPath } from "./redirects.server";

export const API_KEY_PREFIX = "kfk_";
export const CARRIER_SESSION_COOKIE = "carrier_session";
export const CARRIER_IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const CARRIER_ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
export const CARRIER_MAX_FAILED_LOGINS = 5;
export const CARRIER_LOCK_DURATION_MS = 15 * 60 * 1000;
const TOUCH_INTERVAL_MS = 60 * 1000;

const sha256 = (value: string) => createHash("sha256").update(value).digest("base64url");

// ---------------------------------------------------------------------------------------------
// API keys
// ---------------------------------------------------------------------------------------------

export type NewApiKey = { id: string; key: string; keyPrefix: string };

export async function createApiKey(services: Pick<Services, "db" | "now">, input: { carrierCode: string; label: string; createdBy: string | null }): Promise<NewApiKey> {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const keyPrefix = key.slice(0, 12);
  const [row] = await services.db
    .insert(carrierApiKeys)
    .values({ carrierCode: input.carrierCode, label: input.label, keyPrefix, keyHash: sha256(key), createdAt: services.now(), createdBy: input.createdBy })
    .returning({ id: carrierApiKeys.id });
  return { id: row!.id, key, keyPrefix };
}

export async function revokeApiKey(services: Pick<Services, "db" | "now">, input: { carrierCode: string; keyId: string; revokedBy: string | null }): Promise<boolean> {
  const revoked = await services.db
    .update(carrierApiKeys)
    .set({ revokedAt: services.now(), revokedBy: input.revokedBy })
    .where(and(eq(carrierApiKeys.id, input.keyId), eq(carrierApiKeys.carrierCode, input.carrierCode), isNull(carrierApiKeys.revokedAt)))
    .returning({ id: carrierApiKeys.id });
  return revoked.length > 0;
}

export type ApiCaller = { carrierCode: string; keyId: string; actor: string };

export function bearerToken(request: Request): string | null {
  const header = request.headers.get("Authorization") ?? "";
  const match = header.match(/^Bearer\s+(\S+)$/i);
  return match?.[1] ?? null;
}

/** The carrier behind a request's API key, or null (unknown, revoked, or the carrier is inactive). */
export async function authenticateApiKey(services: Pick<Services, "db" | "now">, request: Request): Promise<ApiCaller | null> {
  const token = bearerToken(request);
  if (!token || !token.startsWith(API_KEY_PREFIX) || token.length > 200) return null;
  const [row] = await services.db
    .select({ id: carrierApiKeys.id, carrierCode: carrierApiKeys.carrierCode, lastUsedAt: carrierApiKeys.lastUsedAt, active: carriers.active })
    .from(carrierApiKeys)
    .innerJoin(carriers, eq(carriers.code, carrierApiKeys.carrierCode))
    .where(and(eq(carrierApiKeys.keyHash, sha256(token)), isNull(carrierApiKeys.revokedAt)));
  if (!row || !row.active) return null;
  const now = services.now();
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
    await services.db.update(carrierApiKeys).set({ lastUsedAt: now }).where(eq(carrierApiKeys.id, row.id));
  }
  return { carrierCode: row.carrierCode, keyId: row.id, actor: `carrier:${row.carrierCode}:api-key:${row.id}` };
}

// ---------------------------------------------------------------------------------------------
// Carrier users and sessions
// ---------------------------------------------------------------------------------------------

export type SignedInCarrierUser = { id: string; carrierCode: string; username: string; displayName: string; sessionId: string; actor: string };

export async function createCarrierUser(
  services: Pick<Services, "db" | "now">,
  input: { carrierCode: string; username: string; displayName: string; password: string; createdBy: string | null },
): Promise<{ ok: true; id: string } | { ok: false; reason: "username_taken" }> {
  const passwordHash = await hashPassword(input.password);
  const inserted = await services.db
    .insert(carrierUsers)
    .values({
      carrierCode: input.carrierCode,
      username: input.username.trim(),
      displayName: input.displayName.trim(),
      passwordHash,
      createdAt: services.now(),
      createdBy: input.createdBy,
    })
    .onConflictDoNothing({ target: carrierUsers.username })
    .returning({ id: carrierUsers.id });
  return inserted[0] ? { ok: true, id: inserted[0].id } : { ok: false, reason: "username_taken" };
}

export async function setCarrierUserDisabled(
  services: Pick<Services, "db" | "now">,
  input: { carrierCode: string; userId: string; disabled: boolean },
): Promise<boolean> {
  const updated = await services.db
    .update(carrierUsers)
    .set({ disabledAt: input.disabled ? services.now() : null, failedLogins: 0, lockedUntil: null })
    .where(and(eq(carrierUsers.id, input.userId), eq(carrierUsers.carrierCode, input.carrierCode)))
    .returning({ id: carrierUsers.id });
  if (input.disabled) {
    await services.db.update(carrierSessions).set({ revokedAt: services.now() }).where(and(eq(carrierSessions.carrierUserId, input.userId), isNull(carrierSessions.revokedAt)));
  }
  return updated.length > 0;
}

export type CarrierLoginResult = { ok: true; userId: string; carrierCode: string } | { ok: false; reason: "invalid" | "locked" };

const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0000000000000000000000000000000000000000000";

export async function checkCarrierPassword(services: Pick<Services, "db" | "now">, username: string, password: string): Promise<CarrierLoginResult> {
  const { db, now } = services;
  const [row] = await db
    .select({ user: carrierUsers, active: carriers.active })
    .from(carrierUsers)
    .innerJoin(carriers, eq(carriers.code, carrierUsers.carrierCode))
    .where(eq(carrierUsers.username, username.trim()));
  if (!row || row.user.disabledAt || !row.active) {
    await verifyPassword(DUMMY_HASH, password);
    return { ok: false, reason: "invalid" };
  }
  const user = row.user;
  if (user.lockedUntil && user.lockedUntil > now()) return { ok: false, reason: "locked" };
  if (!(await verifyPassword(user.passwordHash, password))) {
    const failures = user.failedLogins + 1;
    const lock = failures >= CARRIER_MAX_FAILED_LOGINS;
    await db
      .update(carrierUsers)
      .set({ failedLogins: lock ? 0 : failures, lockedUntil: lock ? new Date(now().getTime() + CARRIER_LOCK_DURATION_MS) : user.lockedUntil })
      .where(eq(carrierUsers.id, user.id));
    return { ok: false, reason: lock ? "locked" : "invalid" };
  }
  await db.update(carrierUsers).set({ failedLogins: 0, lockedUntil: null }).where(eq(carrierUsers.id, user.id));
  return { ok: true, userId: user.id, carrierCode: user.carrierCode };
}

function cookieValue(request: Request): string | undefined {
  const header = request.headers.get("Cookie") ?? "";
  return header.match(new RegExp(`(?:^|;\\s*)${CARRIER_SESSION_COOKIE}=([A-Za-z0-9_-]+)`))?.[1];
}

function sessionCookie(context: AppLoadContext, token: string, maxAgeSeconds: number): string {
  const secure = context.services.config.publicBaseUrl.startsWith("https://") ? "; Secure" : "";
  return `${CARRIER_SESSION_COOKIE}=${token}; Path=/carrier; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

export async function startCarrierSession(context: AppLoadContext, userId: string): Promise<string> {
  const { db, now, pii } = context.services;
  const token = randomBytes(32).toString("base64url");
  const started = now();
  await db.insert(carrierSessions).values({
    tokenHash: sha256(token),
    carrierUserId: userId,
    createdAt: started,
    lastSeenAt: started,
    expiresAt: new Date(started.getTime() + CARRIER_ABSOLUTE_TIMEOUT_MS),
    ipHash: pii.searchHash(`ip:${context.clientIp}`),
  });
  return sessionCookie(context, token, CARRIER_ABSOLUTE_TIMEOUT_MS / 1000);
}

export function clearCarrierSessionCookie(context: AppLoadContext): string {
  return sessionCookie(context, "", 0);
}

export async function getCarrierUser(request: Request, context: AppLoadContext): Promise<SignedInCarrierUser | null> {
  const token = cookieValue(request);
  if (!token) return null;
  const { db, now } = context.services;
  const [row] = await db
    .select({ session: carrierSessions, user: carrierUsers, active: carriers.active })
    .from(carrierSessions)
    .innerJoin(carrierUsers, eq(carrierUsers.id, carrierSessions.carrierUserId))
    .innerJoin(carriers, eq(carriers.code, carrierUsers.carrierCode))
    .where(and(eq(carrierSessions.tokenHash, sha256(token)), isNull(carrierSessions.revokedAt)));
  if (!row || row.user.disabledAt || !row.active) return null;
  const current = now();
  if (row.session.expiresAt <= current || current.getTime() - row.session.lastSeenAt.getTime() > CARRIER_IDLE_TIMEOUT_MS) return null;
  if (current.getTime() - row.session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await db.update(carrierSessions).set({ lastSeenAt: current }).where(eq(carrierSessions.id, row.session.id));
  }
  return {
    id: row.user.id,
    carrierCode: row.user.carrierCode,
    username: row.user.username,
    displayName: row.user.displayName,
    sessionId: row.session.id,
    actor: `carrier:${row.user.carrierCode}:user:${row.user.id}`,
  };
}

/** For loaders and actions under /carrier: a signed-in carrier user, or a redirect to the login page. */
export async function requireCarrierUser(request: Request, context: AppLoadContext): Promise<SignedInCarrierUser> {
  const user = await getCarrierUser(request, context);
  if (!user) {
    const url = new URL(request.url);
    throw redirect(`/carrier/login?redirectTo=${encodeURIComponent(url.pathname)}`);
  }
  return user;
}

export async function revokeCarrierSession(context: AppLoadContext, sessionId: string): Promise<void> {
  await context.services.db
    .update(carrierSessions)
    .set({ revokedAt: context.services.now() })
    .where(and(eq(carrierSessions.id, sessionId), isNull(carrierSessions.revokedAt)));
}

/** Only paths under /carrier on this site, checked after URL resolution (redirects.server.ts). */
export function safeCarrierRedirect(target: FormDataEntryValue | string | null | undefined): string {
  return checkedRedirectPath(target, { prefix: "/carrier", fallback: "/carrier" });
}
