/**
 * Carrier authentication, kept apart from the centre's operators:
 *  - API keys for /api/carrier/v1 ("Authorization: Bearer <key>"): 32 random bytes, shown once; only
 *    their SHA-256 is stored (a key is high-entropy, so a fast hash is enough). Several per carrier,
 *    each revocable. A key only ever sees its own carrier's batches.
 *  - carrier users for the /carrier pages: argon2id passwords, lock-out after failures, and server-side
 *    sessions in their own table under their own cookie (carrier_session, Path=/carrier).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { redirect, type AppLoadContext } from "@remix-run/node";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { carrierApiKeys, carriers, carrierSessions, carrierUsers } from "../../db/schema";
import { hashPassword, verifyPassword } from "./password.server";
import { checkTotp, newTotpSecret, totpQrDataUrl, totpUri } from "./totp.server";
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

export async function startCarrierSession(context: AppLoadContext, userId: string, tx?: DbOrTx): Promise<string> {
  const { now, pii } = context.services;
  const db = tx ?? context.services.db;
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

/** Signs out: the session revoked and 'carrier_user.logout' audited in one transaction (issue 12). */
export async function carrierSignOut(context: AppLoadContext, user: Pick<SignedInCarrierUser, "id" | "sessionId" | "actor">): Promise<void> {
  await context.services.db.transaction(async (tx) => {
    await tx.update(carrierSessions).set({ revokedAt: context.services.now() }).where(and(eq(carrierSessions.id, user.sessionId), isNull(carrierSessions.revokedAt)));
    await context.services.audit.record({ actor: user.actor, action: "carrier_user.logout", subjectType: "carrier_user", subjectId: user.id, ip: context.clientIp }, tx);
  });
}

/** Only paths under /carrier on this site, checked after URL resolution (redirects.server.ts). */
export function safeCarrierRedirect(target: FormDataEntryValue | string | null | undefined): string {
  return checkedRedirectPath(target, { prefix: "/carrier", fallback: "/carrier" });
}

// ---------------------------------------------------------------------------------------------
// Second factor for carrier users (issue 12): they download subscribers' names and numbers, so a
// password alone is not enough. The same TOTP as the operators' (app/lib/totp.server.ts): after the
// password, a signed pending-login cookie (10 minutes) leads to /carrier/totp, or on the first login
// to /carrier/totp/enrol; only a correct code starts the session. Wrong codes count towards the same
// lock-out as wrong passwords; a code is good once. Each step's audit row is written in the same
// transaction as the change it records.
// ---------------------------------------------------------------------------------------------

export const CARRIER_PENDING_LOGIN_COOKIE = "carrier_login";
export const CARRIER_PENDING_LOGIN_TTL_MS = 10 * 60 * 1000;

export type CarrierLoginStep = "enrol_totp" | "totp";
export const CARRIER_LOGIN_STEP_PATHS: Readonly<Record<CarrierLoginStep, string>> = { enrol_totp: "/carrier/totp/enrol", totp: "/carrier/totp" };

type CarrierUserRow = typeof carrierUsers.$inferSelect;
export type CarrierPendingLogin = { userId: string; redirectTo: string; expiresAt: number };

function carrierPendingSignature(context: AppLoadContext, payload: string): string {
  return createHmac("sha256", context.services.config.secrets.sessionSecret).update(`carrier-login:${payload}`).digest("base64url");
}

function secureFlag(context: AppLoadContext): string {
  return context.services.config.publicBaseUrl.startsWith("https://") ? "; Secure" : "";
}

function carrierPendingLoginCookie(context: AppLoadContext, userId: string, redirectTo: string): string {
  const expiresAt = context.services.now().getTime() + CARRIER_PENDING_LOGIN_TTL_MS;
  const payload = Buffer.from(JSON.stringify({ u: userId, r: safeCarrierRedirect(redirectTo), e: expiresAt })).toString("base64url");
  return `${CARRIER_PENDING_LOGIN_COOKIE}=${payload}.${carrierPendingSignature(context, payload)}; Path=/carrier; HttpOnly; SameSite=Lax; Max-Age=${CARRIER_PENDING_LOGIN_TTL_MS / 1000}${secureFlag(context)}`;
}

export function clearCarrierPendingLoginCookie(context: AppLoadContext): string {
  return `${CARRIER_PENDING_LOGIN_COOKIE}=; Path=/carrier; HttpOnly; SameSite=Lax; Max-Age=0${secureFlag(context)}`;
}

function readCarrierPendingLogin(request: Request, context: AppLoadContext): CarrierPendingLogin | null {
  const header = request.headers.get("Cookie") ?? "";
  const value = header.match(new RegExp(`(?:^|;\\s*)${CARRIER_PENDING_LOGIN_COOKIE}=([A-Za-z0-9_.-]+)`))?.[1];
  if (!value) return null;
  const [payload, signature] = value.split(".");
  if (!payload || !signature) return null;
  const expected = Buffer.from(carrierPendingSignature(context, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const data = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { u?: unknown; r?: unknown; e?: unknown };
    if (typeof data.u !== "string" || typeof data.e !== "number" || data.e <= context.services.now().getTime()) return null;
    return { userId: data.u, redirectTo: safeCarrierRedirect(typeof data.r === "string" ? data.r : "/carrier"), expiresAt: data.e };
  } catch {
    return null;
  }
}

const carrierStepOf = (user: CarrierUserRow): CarrierLoginStep => (user.totpEnrolledAt ? "totp" : "enrol_totp");

/**
 * The password step: checks it (counting failures) and writes its audit row in the same transaction.
 * On success returns the pending-login cookie and the next step's path; no session yet.
 */
export async function carrierPasswordStep(
  context: AppLoadContext,
  input: { username: string; password: string; redirectTo: FormDataEntryValue | string | null | undefined },
): Promise<{ ok: true; next: string; cookie: string } | { ok: false; reason: "invalid" | "locked" }> {
  const { services } = context;
  const { result, user } = await services.db.transaction(async (tx) => {
    const result = await checkCarrierPassword({ db: tx as never, now: services.now }, input.username, input.password);
    const [user] = result.ok ? await tx.select().from(carrierUsers).where(eq(carrierUsers.id, result.userId)) : [];
    await services.audit.record(
      {
        actor: result.ok ? `carrier:${result.carrierCode}:user:${result.userId}` : "anonymous",
        // The login is complete only after the second factor (carrier_user.login is written then).
        action: result.ok ? "carrier_user.password_ok" : result.reason === "locked" ? "carrier_user.login_locked" : "carrier_user.login_failed",
        subjectType: "carrier_user",
        subjectId: result.ok ? result.userId : null,
        ip: context.clientIp,
      },
      tx,
    );
    return { result, user };
  });
  if (!result.ok || !user) return { ok: false, reason: result.ok ? "invalid" : result.reason };
  return { ok: true, next: CARRIER_LOGIN_STEP_PATHS[carrierStepOf(user)], cookie: carrierPendingLoginCookie(context, user.id, safeCarrierRedirect(input.redirectTo)) };
}

/** The pending login's user and step, or null (missing, expired, or the account was disabled meanwhile). */
export async function carrierPendingLoginState(
  request: Request,
  context: AppLoadContext,
): Promise<{ pending: CarrierPendingLogin; user: CarrierUserRow; step: CarrierLoginStep; locked: boolean } | null> {
  const pending = readCarrierPendingLogin(request, context);
  if (!pending) return null;
  const [row] = await context.services.db
    .select({ user: carrierUsers, active: carriers.active })
    .from(carrierUsers)
    .innerJoin(carriers, eq(carriers.code, carrierUsers.carrierCode))
    .where(eq(carrierUsers.id, pending.userId));
  if (!row || row.user.disabledAt || !row.active) return null;
  const locked = Boolean(row.user.lockedUntil && row.user.lockedUntil > context.services.now());
  return { pending, user: row.user, step: carrierStepOf(row.user), locked };
}

/** The secret to enrol: made (sealed, not yet enrolled) on the first visit, the same on a reload. Null once enrolled. */
export async function carrierTotpEnrolment(context: AppLoadContext, userId: string): Promise<{ secret: string; uri: string; qrDataUrl: string } | null> {
  const { db, pii } = context.services;
  const [user] = await db.select().from(carrierUsers).where(eq(carrierUsers.id, userId));
  if (!user || user.totpEnrolledAt) return null;
  let secret = user.totpSecretEnc ? pii.open(user.totpSecretEnc) : null;
  if (!secret) {
    secret = newTotpSecret();
    const stored = await db
      .update(carrierUsers)
      .set({ totpSecretEnc: pii.seal(secret), totpLastStep: null })
      .where(and(eq(carrierUsers.id, userId), isNull(carrierUsers.totpSecretEnc), isNull(carrierUsers.totpEnrolledAt)))
      .returning({ id: carrierUsers.id });
    if (stored.length === 0) return carrierTotpEnrolment(context, userId);
  }
  const uri = totpUri(secret, `carrier:${user.username}`);
  return { secret, uri, qrDataUrl: await totpQrDataUrl(uri) };
}

export type CarrierSecondFactorResult = { ok: true; cookie: string } | { ok: false; reason: "format" | "wrong" | "replayed" | "locked" | "not_enrolled" };

/**
 * The code step (at login, or at enrolment against the new secret). On success, in one transaction:
 * the step is stored (no replay), the failure counter reset, enrolment recorded, the session started
 * and the audit rows written. A wrong code counts towards the lock-out, with its audit row.
 */
export async function carrierSecondFactorStep(context: AppLoadContext, userId: string, code: string, mode: "login" | "enrol"): Promise<CarrierSecondFactorResult> {
  const { services } = context;
  const { db, now, pii } = services;
  const [user] = await db.select().from(carrierUsers).where(eq(carrierUsers.id, userId));
  if (!user || user.disabledAt) return { ok: false, reason: "wrong" };
  const current = now();
  if (user.lockedUntil && user.lockedUntil > current) return { ok: false, reason: "locked" };
  if (!user.totpSecretEnc || (mode === "login" && !user.totpEnrolledAt) || (mode === "enrol" && user.totpEnrolledAt)) return { ok: false, reason: "not_enrolled" };
  const actor = `carrier:${user.carrierCode}:user:${user.id}`;
  const checked = checkTotp(pii.open(user.totpSecretEnc), code, current, user.totpLastStep);
  if (!checked.ok && checked.reason === "format") return { ok: false, reason: "format" };
  return db.transaction(async (tx): Promise<CarrierSecondFactorResult> => {
    const fail = async (reason: "wrong" | "replayed"): Promise<CarrierSecondFactorResult> => {
      const lockUntil = new Date(current.getTime() + CARRIER_LOCK_DURATION_MS);
      const [row] = await tx
        .update(carrierUsers)
        .set({
          failedLogins: sql`case when ${carrierUsers.failedLogins} + 1 >= ${CARRIER_MAX_FAILED_LOGINS} then 0 else ${carrierUsers.failedLogins} + 1 end`,
          lockedUntil: sql`case when ${carrierUsers.failedLogins} + 1 >= ${CARRIER_MAX_FAILED_LOGINS} then ${lockUntil.toISOString()}::timestamptz else ${carrierUsers.lockedUntil} end`,
        })
        .where(eq(carrierUsers.id, user.id))
        .returning({ lockedUntil: carrierUsers.lockedUntil });
      const locked = Boolean(row?.lockedUntil && row.lockedUntil > current);
      await services.audit.record(
        { actor, action: locked ? "carrier_user.login_locked" : "carrier_user.totp_failed", subjectType: "carrier_user", subjectId: user.id, ip: context.clientIp, detail: { reason, enrolment: mode === "enrol" } },
        tx,
      );
      return { ok: false, reason: locked ? "locked" : reason };
    };
    if (!checked.ok) return fail(checked.reason === "replayed" ? "replayed" : "wrong");
    // Conditional on the last step, so the same code sent twice at once is accepted once.
    const accepted = await tx
      .update(carrierUsers)
      .set({ totpLastStep: checked.step, failedLogins: 0, lockedUntil: null, ...(mode === "enrol" ? { totpEnrolledAt: current } : {}) })
      .where(and(eq(carrierUsers.id, user.id), or(isNull(carrierUsers.totpLastStep), lt(carrierUsers.totpLastStep, checked.step))))
      .returning({ id: carrierUsers.id });
    if (accepted.length === 0) return fail("replayed");
    if (mode === "enrol") await services.audit.record({ actor, action: "carrier_user.totp_enrolled", subjectType: "carrier_user", subjectId: user.id, ip: context.clientIp }, tx);
    await services.audit.record({ actor, action: "carrier_user.login", subjectType: "carrier_user", subjectId: user.id, ip: context.clientIp, detail: { factors: ["password", "totp"] } }, tx);
    return { ok: true, cookie: await startCarrierSession(context, user.id, tx) };
  });
}
