/**
 * Back-office authentication: argon2id passwords, a TOTP second factor, lock-out after repeated
 * failures of either factor, and server-side sessions (only a hash of the token is stored) that can be
 * revoked at once and expire when idle.
 *
 * Signing in is a few steps; between them the browser holds only a short-lived signed "pending login"
 * cookie naming the operator, never a session:
 *   password → (new password, when an admin gave a one-time one) → (TOTP enrolment, the first time)
 *   → TOTP code → session.
 * The failure counter is reset only when the whole login succeeds, so a known password does not buy
 * unlimited guesses at the code.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { redirect, type AppLoadContext } from "@remix-run/node";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { operators, sessions } from "../../db/schema";
import type { Services } from "./services.server";
import { hashPassword, verifyPassword } from "./password.server";
import { MIN_PASSWORD_LENGTH } from "./ops-labels";
import { AREAS, ROLES, type AccessKind, type Area, type Role } from "./roles";
import { checkTotp, newTotpSecret, totpQrDataUrl, totpUri } from "./totp.server";
import { checkedRedirectPath } from "./redirects.server";

export { ROLES, type Role };

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

/** The same request context, with the services' db replaced by a transaction (so helpers write in it). */
function withTx(context: AppLoadContext, tx: DbOrTx): AppLoadContext {
  return { ...context, services: { ...context.services, db: tx as Services["db"] } };
}

/**
 * Checks a username and password, counting failures; a locked account says so only after the lock.
 * The count and the audit row ('operator.password_ok', '…login_failed', '…login_locked') are written
 * in one transaction (issue 12).
 */
export async function checkPassword(context: AppLoadContext, username: string, password: string): Promise<LoginResult> {
  return context.services.db.transaction(async (tx) => {
    const result = await passwordResult(withTx(context, tx), username, password);
    await context.services.audit.record(
      {
        actor: result.ok ? `operator:${result.operatorId}` : "anonymous",
        // The login is complete only after the second factor (operator.login is written then).
        action: result.ok ? "operator.password_ok" : result.reason === "locked" ? "operator.login_locked" : "operator.login_failed",
        subjectType: "operator",
        subjectId: result.ok ? result.operatorId : null,
        ip: context.clientIp,
      },
      tx,
    );
    return result;
  });
}

async function passwordResult(context: AppLoadContext, username: string, password: string): Promise<LoginResult> {
  const { db, now } = context.services;
  const [operator] = await db.select().from(operators).where(eq(operators.username, username.trim()));
  if (!operator || operator.disabledAt) {
    // Spend the same time as a real check, so response time does not reveal which usernames exist.
    await verifyPassword("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0000000000000000000000000000000000000000000", password);
    return { ok: false, reason: "invalid" };
  }
  if (operator.lockedUntil && operator.lockedUntil > now()) return { ok: false, reason: "locked" };
  if (!(await verifyPassword(operator.passwordHash, password))) {
    return { ok: false, reason: (await recordFailure(context, operator.id)) ? "locked" : "invalid" };
  }
  // The counter is not reset here: only a complete login (second factor included) resets it.
  return { ok: true, operatorId: operator.id };
}

/** Counts one failed attempt (password or code); returns true when the account is now locked. */
async function recordFailure(context: AppLoadContext, operatorId: string): Promise<boolean> {
  const { db, now } = context.services;
  const lockUntil = new Date(now().getTime() + LOCK_DURATION_MS);
  // One statement, so two wrong codes sent at once both count.
  const [row] = await db
    .update(operators)
    .set({
      failedLogins: sql`case when ${operators.failedLogins} + 1 >= ${MAX_FAILED_LOGINS} then 0 else ${operators.failedLogins} + 1 end`,
      lockedUntil: sql`case when ${operators.failedLogins} + 1 >= ${MAX_FAILED_LOGINS} then ${lockUntil.toISOString()}::timestamptz else ${operators.lockedUntil} end`,
    })
    .where(eq(operators.id, operatorId))
    .returning({ lockedUntil: operators.lockedUntil });
  return Boolean(row?.lockedUntil && row.lockedUntil > now());
}

// ————— the steps between the password and the session —————

export const PENDING_LOGIN_COOKIE = "ops_login";
export const PENDING_LOGIN_TTL_MS = 10 * 60 * 1000;

export type PendingLogin = { operatorId: string; redirectTo: string; expiresAt: number };

function pendingSignature(context: AppLoadContext, payload: string): string {
  return createHmac("sha256", context.services.config.secrets.sessionSecret).update(`ops-login:${payload}`).digest("base64url");
}

function cookieNamed(request: Request, name: string): string | undefined {
  const header = request.headers.get("Cookie") ?? "";
  const match = header.match(new RegExp(`(?:^|;\\s*)${name}=([A-Za-z0-9_.-]+)`));
  return match?.[1];
}

/** Set-Cookie for the pending login after a correct password (10 minutes to finish the next steps). */
export function pendingLoginCookie(context: AppLoadContext, operatorId: string, redirectTo: string): string {
  const expiresAt = context.services.now().getTime() + PENDING_LOGIN_TTL_MS;
  const payload = Buffer.from(JSON.stringify({ o: operatorId, r: safeRedirectPath(redirectTo), e: expiresAt })).toString("base64url");
  const secure = context.services.config.publicBaseUrl.startsWith("https://") ? "; Secure" : "";
  return `${PENDING_LOGIN_COOKIE}=${payload}.${pendingSignature(context, payload)}; Path=/ops; HttpOnly; SameSite=Lax; Max-Age=${PENDING_LOGIN_TTL_MS / 1000}${secure}`;
}

export function clearPendingLoginCookie(context: AppLoadContext): string {
  const secure = context.services.config.publicBaseUrl.startsWith("https://") ? "; Secure" : "";
  return `${PENDING_LOGIN_COOKIE}=; Path=/ops; HttpOnly; SameSite=Lax; Max-Age=0${secure}`;
}

export function readPendingLogin(request: Request, context: AppLoadContext): PendingLogin | null {
  const value = cookieNamed(request, PENDING_LOGIN_COOKIE);
  if (!value) return null;
  const [payload, signature] = value.split(".");
  if (!payload || !signature) return null;
  const expected = Buffer.from(pendingSignature(context, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const data = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { o?: unknown; r?: unknown; e?: unknown };
    if (typeof data.o !== "string" || typeof data.e !== "number" || data.e <= context.services.now().getTime()) return null;
    return { operatorId: data.o, redirectTo: safeRedirectPath(typeof data.r === "string" ? data.r : "/ops"), expiresAt: data.e };
  } catch {
    return null;
  }
}

export type LoginStep = "change_password" | "enrol_totp" | "totp";

export const LOGIN_STEP_PATHS: Readonly<Record<LoginStep, string>> = {
  change_password: "/ops/login/password",
  enrol_totp: "/ops/totp/enrol",
  totp: "/ops/totp",
};

type OperatorRow = typeof operators.$inferSelect;

function stepOf(operator: OperatorRow): LoginStep {
  return operator.passwordMustChange ? "change_password" : operator.totpEnrolledAt ? "totp" : "enrol_totp";
}

/** Where an operator who has just given the right password goes next. */
export async function nextLoginStep(context: AppLoadContext, operatorId: string): Promise<LoginStep> {
  const [operator] = await context.services.db.select().from(operators).where(eq(operators.id, operatorId));
  return operator ? stepOf(operator) : "totp";
}

/**
 * The pending login's operator and the step they are at, or null when the pending login is missing,
 * expired, or the account was disabled or locked meanwhile (start again at the password).
 */
export async function pendingLoginState(
  request: Request,
  context: AppLoadContext,
): Promise<{ pending: PendingLogin; operator: OperatorRow; step: LoginStep; locked: boolean } | null> {
  const pending = readPendingLogin(request, context);
  if (!pending) return null;
  const [operator] = await context.services.db.select().from(operators).where(eq(operators.id, pending.operatorId));
  if (!operator || operator.disabledAt) return null;
  const step = stepOf(operator);
  const locked = Boolean(operator.lockedUntil && operator.lockedUntil > context.services.now());
  return { pending, operator, step, locked };
}

export type SecondFactorResult = { ok: true; cookie: string } | { ok: false; reason: "format" | "wrong" | "replayed" | "locked" | "not_enrolled" };

/**
 * The code step, with its audit rows and (on success) the session, in one transaction (issue 12):
 * a refused code is counted and audited together; an accepted one stores its step, records
 * enrolment, writes 'operator.login' and starts the session — and returns its Set-Cookie.
 */
export async function checkSecondFactor(context: AppLoadContext, operatorId: string, code: string, mode: "login" | "enrol"): Promise<SecondFactorResult> {
  return context.services.db.transaction(async (tx) => {
    const txContext = withTx(context, tx);
    const result = await secondFactorResult(txContext, operatorId, code, mode);
    const actor = `operator:${operatorId}`;
    const audit = (action: string, detail?: Record<string, unknown>) =>
      context.services.audit.record({ actor, action, subjectType: "operator", subjectId: operatorId, ip: context.clientIp, ...(detail ? { detail } : {}) }, tx);
    if (!result.ok) {
      if (result.reason !== "format") {
        await audit(result.reason === "locked" && mode === "login" ? "operator.login_locked" : "operator.totp_failed", { reason: result.reason, ...(mode === "enrol" ? { enrolment: true } : {}) });
      }
      return result;
    }
    if (mode === "enrol") await audit("operator.totp_enrolled");
    await audit("operator.login", { factors: ["password", "totp"] });
    return { ok: true, cookie: await startSession(txContext, operatorId) };
  });
}

/**
 * Checks a TOTP code at the login (or at enrolment, against the new secret). Wrong codes count towards
 * the lock-out like wrong passwords. On success the step is stored, so the same code cannot be used
 * again, and the failure counter is reset.
 */
async function secondFactorResult(context: AppLoadContext, operatorId: string, code: string, mode: "login" | "enrol"): Promise<{ ok: true } | Exclude<SecondFactorResult, { ok: true }>> {
  const { db, now, pii } = context.services;
  const [operator] = await db.select().from(operators).where(eq(operators.id, operatorId));
  if (!operator || operator.disabledAt) return { ok: false, reason: "wrong" };
  const current = now();
  if (operator.lockedUntil && operator.lockedUntil > current) return { ok: false, reason: "locked" };
  if (!operator.totpSecretEnc || (mode === "login" && !operator.totpEnrolledAt) || (mode === "enrol" && operator.totpEnrolledAt)) {
    return { ok: false, reason: "not_enrolled" };
  }
  const result = checkTotp(pii.open(operator.totpSecretEnc), code, current, operator.totpLastStep);
  if (!result.ok) {
    if (result.reason === "format") return { ok: false, reason: "format" };
    return { ok: false, reason: (await recordFailure(context, operatorId)) ? "locked" : result.reason };
  }
  // Conditional on the last step, so the same code sent twice at once is accepted once.
  const accepted = await db
    .update(operators)
    .set({
      totpLastStep: result.step,
      failedLogins: 0,
      lockedUntil: null,
      lastLoginAt: current,
      ...(mode === "enrol" ? { totpEnrolledAt: current } : {}),
    })
    .where(and(eq(operators.id, operatorId), or(isNull(operators.totpLastStep), lt(operators.totpLastStep, result.step))))
    .returning({ id: operators.id });
  if (accepted.length === 0) return { ok: false, reason: "replayed" };
  return { ok: true };
}

/**
 * The secret to enrol: made (and kept sealed, not yet enrolled) on the first visit, and the same one
 * on a reload, so the QR code already scanned stays valid. Null when the operator is enrolled.
 */
export async function totpEnrolment(context: AppLoadContext, operatorId: string): Promise<{ secret: string; uri: string; qrDataUrl: string } | null> {
  const { db, pii } = context.services;
  const [operator] = await db.select().from(operators).where(eq(operators.id, operatorId));
  if (!operator || operator.totpEnrolledAt) return null;
  let secret = operator.totpSecretEnc ? pii.open(operator.totpSecretEnc) : null;
  if (!secret) {
    secret = newTotpSecret();
    const stored = await db
      .update(operators)
      .set({ totpSecretEnc: pii.seal(secret), totpLastStep: null })
      .where(and(eq(operators.id, operatorId), isNull(operators.totpSecretEnc), isNull(operators.totpEnrolledAt)))
      .returning({ id: operators.id });
    // Another tab made one first: show that one.
    if (stored.length === 0) return totpEnrolment(context, operatorId);
  }
  const uri = totpUri(secret, operator.username);
  return { secret, uri, qrDataUrl: await totpQrDataUrl(uri) };
}

export { MIN_PASSWORD_LENGTH };

/**
 * Replaces a one-time password with the operator's own (argon2id), and clears the must-change flag;
 * 'operator.password_changed' is audited in the same transaction (issue 12).
 */
export async function setOwnPassword(context: AppLoadContext, operatorId: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  await context.services.db.transaction(async (tx) => {
    await tx.update(operators).set({ passwordHash, passwordMustChange: false }).where(eq(operators.id, operatorId));
    await context.services.audit.record(
      { actor: `operator:${operatorId}`, action: "operator.password_changed", subjectType: "operator", subjectId: operatorId, ip: context.clientIp },
      tx,
    );
  });
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

/** requireOperator with the roles of an area in the policy (app/lib/roles.ts). */
export function requireAccess(request: Request, context: AppLoadContext, area: Area, kind: AccessKind = "view"): Promise<SignedInOperator> {
  return requireOperator(request, context, AREAS[area][kind]);
}

export async function revokeSession(context: AppLoadContext, sessionId: string): Promise<void> {
  await context.services.db
    .update(sessions)
    .set({ revokedAt: context.services.now() })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/** Signs out: the session revoked and 'operator.logout' audited in one transaction (issue 12). */
export async function signOut(context: AppLoadContext, operator: Pick<SignedInOperator, "id" | "sessionId">): Promise<void> {
  await context.services.db.transaction(async (tx) => {
    await revokeSession(withTx(context, tx), operator.sessionId);
    await context.services.audit.record({ actor: `operator:${operator.id}`, action: "operator.logout", subjectType: "operator", subjectId: operator.id, ip: context.clientIp }, tx);
  });
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

/**
 * Only back-office paths on this site, checked after URL resolution (redirects.server.ts), so a login
 * link cannot send an operator to another site afterwards.
 */
export function safeRedirectPath(target: FormDataEntryValue | string | null | undefined, fallback = "/ops"): string {
  return checkedRedirectPath(target, { prefix: "/ops", fallback });
}
