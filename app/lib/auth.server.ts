/**
 * Back-office authentication: argon2id passwords, lock-out after repeated failures, and server-side
 * sessions (only a hash of the token is stored) that can be revoked at once and expire when idle.
 */
import { createHash, randomBytes } from "node:crypto";
import { redirect, type AppLoadContext } from "@remix-run/node";
import { and, eq, isNull, sql } from "drizzle-orm";
import { operators, sessions } from "../../db/schema";
import { verifyPassword } from "./password.server";

export const ROLES = ["operator", "supervisor", "admin", "auditor"] as const;
export type Role = (typeof ROLES)[number];

export const SESSION_COOKIE = "ops_session";
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
export const MAX_FAILED_LOGINS = 5;
export const LOCK_DURATION_MS = 15 * 60 * 1000;
/** last_seen_at is written at most this often, so browsing is not a write per request. */
const TOUCH_INTERVAL_MS = 60 * 1000;

export type SignedInOperator = { id: string; username: string; displayName: string; role: Role; sessionId: string };

const tokenHash = (token: string) => createHash("sha256").update(token).digest("base64url");

function cookieValue(request: Request): string | undefined {
  const header = request.headers.get("Cookie") ?? "";
  const match = header.match(new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([A-Za-z0-9_-]+)`));
  return match?.[1];
}

function sessionCookie(context: AppLoadContext, token: string, maxAgeSeconds: number): string {
  const secure = context.services.config.publicBaseUrl.startsWith("https://") ? "; Secure" : "";
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

export type LoginResult = { ok: true; operatorId: string } | { ok: false; reason: "invalid" | "locked" };

/** Checks a username and password, counting failures; a locked account says so only after the lock. */
export async function checkPassword(context: AppLoadContext, username: string, password: string): Promise<LoginResult> {
  const { db, now } = context.services;
  const [operator] = await db.select().from(operators).where(eq(operators.username, username.trim()));
  if (!operator || operator.disabledAt) {
    // Spend the same time as a real check, so response time does not reveal which usernames exist.
    await verifyPassword("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0000000000000000000000000000000000000000000", password);
    return { ok: false, reason: "invalid" };
  }
  if (operator.lockedUntil && operator.lockedUntil > now()) return { ok: false, reason: "locked" };
  if (!(await verifyPassword(operator.passwordHash, password))) {
    const failures = operator.failedLogins + 1;
    await db
      .update(operators)
      .set({
        failedLogins: failures >= MAX_FAILED_LOGINS ? 0 : failures,
        lockedUntil: failures >= MAX_FAILED_LOGINS ? new Date(now().getTime() + LOCK_DURATION_MS) : operator.lockedUntil,
      })
      .where(eq(operators.id, operator.id));
    return { ok: false, reason: failures >= MAX_FAILED_LOGINS ? "locked" : "invalid" };
  }
  await db.update(operators).set({ failedLogins: 0, lockedUntil: null }).where(eq(operators.id, operator.id));
  return { ok: true, operatorId: operator.id };
}

/** Starts a session and returns its Set-Cookie header. */
export async function startSession(context: AppLoadContext, operatorId: string): Promise<string> {
  const { db, now, pii } = context.services;
  const token = randomBytes(32).toString("base64url");
  const started = now();
  await db.insert(sessions).values({
    tokenHash: tokenHash(token),
    operatorId,
    createdAt: started,
    lastSeenAt: started,
    expiresAt: new Date(started.getTime() + ABSOLUTE_TIMEOUT_MS),
    ipHash: pii.searchHash(`ip:${context.clientIp}`),
  });
  return sessionCookie(context, token, ABSOLUTE_TIMEOUT_MS / 1000);
}

export async function getOperator(request: Request, context: AppLoadContext): Promise<SignedInOperator | null> {
  const token = cookieValue(request);
  if (!token) return null;
  const { db, now } = context.services;
  const [row] = await db
    .select({ session: sessions, operator: operators })
    .from(sessions)
    .innerJoin(operators, eq(operators.id, sessions.operatorId))
    .where(and(eq(sessions.tokenHash, tokenHash(token)), isNull(sessions.revokedAt)));
  if (!row) return null;
  const current = now();
  if (row.session.expiresAt <= current || current.getTime() - row.session.lastSeenAt.getTime() > IDLE_TIMEOUT_MS) return null;
  if (row.operator.disabledAt) return null;
  if (current.getTime() - row.session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await db.update(sessions).set({ lastSeenAt: current }).where(eq(sessions.id, row.session.id));
  }
  return {
    id: row.operator.id,
    username: row.operator.username,
    displayName: row.operator.displayName,
    role: row.operator.role as Role,
    sessionId: row.session.id,
  };
}

/** For loaders and actions under /ops: a signed-in operator with one of the roles, or a redirect/403. */
export async function requireOperator(
  request: Request,
  context: AppLoadContext,
  roles: readonly Role[] = ROLES,
): Promise<SignedInOperator> {
  const operator = await getOperator(request, context);
  if (!operator) {
    const url = new URL(request.url);
    throw redirect(`/ops/login?redirectTo=${encodeURIComponent(url.pathname)}`);
  }
  if (!roles.includes(operator.role)) {
    throw new Response("この画面を使う権限がありません。", { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  return operator;
}

export async function revokeSession(context: AppLoadContext, sessionId: string): Promise<void> {
  await context.services.db
    .update(sessions)
    .set({ revokedAt: context.services.now() })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/** Revokes every session of an operator (an admin's "sign out everywhere"). */
export async function revokeAllSessions(context: AppLoadContext, operatorId: string): Promise<number> {
  const revoked = await context.services.db
    .update(sessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(sessions.operatorId, operatorId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return revoked.length;
}

export function clearSessionCookie(context: AppLoadContext): string {
  return sessionCookie(context, "", 0);
}

/** Only same-site paths, so a login link cannot send an operator to another site afterwards. */
export function safeRedirectPath(target: FormDataEntryValue | string | null | undefined, fallback = "/ops"): string {
  if (typeof target !== "string" || !target.startsWith("/") || target.startsWith("//") || target.startsWith("/\\")) return fallback;
  return target;
}
