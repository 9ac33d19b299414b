/**
 * Staff accounts, for the admin pages: create with a one-time password, change role, disable and
 * enable, reset the second factor, reset the password, and sign someone out everywhere. Every change
 * is audited by the caller's route with the field names changed (never a password or a secret).
 *
 * Guard rails: an admin cannot disable, demote or lock themselves out, and the last active admin
 * stays an admin, so the centre can never lose the ability to manage its accounts.
 */
import { randomInt } from "node:crypto";
import { and, asc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import { operators, sessions } from "../../db/schema";
import type { DbOrTx } from "../../db/client";
import { USERNAME_PATTERN } from "./ops-labels";
import { hashPassword } from "./password.server";
import { isRole, type Role } from "./roles";
import type { Services } from "./services.server";

/** Letters and digits that cannot be confused when read aloud or copied by hand (no 0/O, 1/l/I). */
const ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** A one-time password: 16 characters in groups of four (80 bits), e.g. "k7mq-x2ps-…". */
export function oneTimePassword(): string {
  const chars = Array.from({ length: 16 }, () => ONE_TIME_ALPHABET[randomInt(ONE_TIME_ALPHABET.length)]!);
  return chars.join("").replace(/(.{4})(?=.)/g, "$1-");
}

export type OperatorSummary = {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  locked: boolean;
  totpEnrolled: boolean;
  mustChangePassword: boolean;
  lastLoginAt: string | null;
  activeSessions: number;
  createdAt: string;
};

export async function listOperators(services: Pick<Services, "db" | "now">): Promise<OperatorSummary[]> {
  const now = services.now();
  const rows = await services.db
    .select({
      operator: operators,
      activeSessions: sql<number>`(select count(*)::int from ${sessions} s where s.operator_id = ${operators.id} and s.revoked_at is null and s.expires_at > ${now.toISOString()}::timestamptz)`,
    })
    .from(operators)
    .orderBy(asc(operators.username));
  return rows.map(({ operator, activeSessions }) => summarise(operator, Number(activeSessions), now));
}

function summarise(operator: typeof operators.$inferSelect, activeSessions: number, now: Date): OperatorSummary {
  return {
    id: operator.id,
    username: operator.username,
    displayName: operator.displayName,
    role: operator.role as Role,
    disabled: operator.disabledAt !== null,
    locked: Boolean(operator.lockedUntil && operator.lockedUntil > now),
    totpEnrolled: operator.totpEnrolledAt !== null,
    mustChangePassword: operator.passwordMustChange,
    lastLoginAt: operator.lastLoginAt?.toISOString() ?? null,
    activeSessions,
    createdAt: operator.createdAt.toISOString(),
  };
}

export async function getOperatorSummary(services: Pick<Services, "db" | "now">, id: string): Promise<OperatorSummary | null> {
  return (await listOperators(services)).find((o) => o.id === id) ?? null;
}

export { USERNAME_PATTERN };

export type CreateResult = { ok: true; operatorId: string; password: string } | { ok: false; reason: "username_taken" | "invalid" };

export async function createOperator(
  services: Pick<Services, "db" | "now"> & Partial<Pick<Services, "audit">>,
  /** With `ip` (and services.audit), 'operator.create' is audited in the same transaction (issue 12). */
  input: { username: string; displayName: string; role: Role; createdBy: string; ip?: string | null },
): Promise<CreateResult> {
  const username = input.username.trim().toLowerCase();
  if (!USERNAME_PATTERN.test(username) || !isRole(input.role) || !input.displayName.trim()) return { ok: false, reason: "invalid" };
  const password = oneTimePassword();
  const passwordHash = await hashPassword(password);
  return services.db.transaction(async (tx): Promise<CreateResult> => {
    const inserted = await tx
      .insert(operators)
      .values({
        username,
        displayName: input.displayName.trim(),
        role: input.role,
        passwordHash,
        passwordMustChange: true,
        createdBy: input.createdBy,
        createdAt: services.now(),
      })
      .onConflictDoNothing({ target: operators.username })
      .returning({ id: operators.id });
    if (!inserted[0]) return { ok: false, reason: "username_taken" };
    if (input.ip !== undefined && services.audit) {
      await services.audit.record(
        {
          actor: `operator:${input.createdBy}`,
          action: "operator.create",
          subjectType: "operator",
          subjectId: inserted[0].id,
          ip: input.ip,
          detail: { role: input.role, fields: ["username", "displayName", "role", "password"] },
        },
        tx,
      );
    }
    return { ok: true, operatorId: inserted[0].id, password };
  });
}

export type ChangeRefusal = "not_found" | "self" | "last_admin" | "invalid";
export type ChangeResult<T = Record<string, never>> = ({ ok: true } & T) | { ok: false; reason: ChangeRefusal };

export const CHANGE_REFUSAL_MESSAGES: Readonly<Record<ChangeRefusal, string>> = {
  not_found: "この職員は見つかりません。一覧から選び直してください。",
  self: "ご自分のアカウントには、この操作はできません。ほかの管理者に依頼してください。",
  last_admin: "有効な管理者がほかにいないため、この操作はできません。先にほかの職員を管理者にしてください。",
  invalid: "選んだ内容を確かめて、もう一度お試しください。",
};

async function otherActiveAdmins(db: DbOrTx, exceptId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(operators)
    .where(and(eq(operators.role, "admin"), isNull(operators.disabledAt), ne(operators.id, exceptId)));
  return Number(row?.n ?? 0);
}

async function revokeAll(db: DbOrTx, operatorId: string, at: Date): Promise<number> {
  const revoked = await db
    .update(sessions)
    .set({ revokedAt: at })
    .where(and(eq(sessions.operatorId, operatorId), isNull(sessions.revokedAt), gt(sessions.expiresAt, at)))
    .returning({ id: sessions.id });
  return revoked.length;
}

/** Runs a change on one operator under a row lock, with the self and last-admin guards. */
async function change<T extends object>(
  services: Pick<Services, "db" | "now">,
  input: { operatorId: string; by: string; allowSelf?: boolean; keepsAdmin?: boolean },
  apply: (tx: DbOrTx, row: typeof operators.$inferSelect, now: Date) => Promise<T>,
): Promise<ChangeResult<T>> {
  return services.db.transaction(async (tx) => {
    // Changes to admins are serialised, so two admins demoting each other cannot both succeed.
    await tx.execute(sql`select pg_advisory_xact_lock(7402118020)`);
    const [row] = await tx.select().from(operators).where(eq(operators.id, input.operatorId)).for("update");
    if (!row) return { ok: false as const, reason: "not_found" as const };
    if (!input.allowSelf && input.operatorId === input.by) return { ok: false as const, reason: "self" as const };
    if (input.keepsAdmin === false && row.role === "admin" && !row.disabledAt && (await otherActiveAdmins(tx, row.id)) === 0) {
      return { ok: false as const, reason: "last_admin" as const };
    }
    return { ok: true as const, ...(await apply(tx, row, services.now())) };
  });
}

export function setRole(services: Pick<Services, "db" | "now">, input: { operatorId: string; role: string; by: string }) {
  if (!isRole(input.role)) return Promise.resolve({ ok: false, reason: "invalid" } as const);
  const role = input.role;
  return change(services, { ...input, keepsAdmin: role === "admin" }, async (tx, row, now) => {
    await tx.update(operators).set({ role }).where(eq(operators.id, row.id));
    // Sessions carry no role (it is read on every request), but a demotion should take effect at once
    // on pages already open: sign them out.
    const revoked = role === row.role ? 0 : await revokeAll(tx, row.id, now);
    return { from: row.role, to: role, revoked };
  });
}

export function disableOperator(services: Pick<Services, "db" | "now">, input: { operatorId: string; by: string }) {
  return change(services, { ...input, keepsAdmin: false }, async (tx, row, now) => {
    await tx.update(operators).set({ disabledAt: row.disabledAt ?? now }).where(eq(operators.id, row.id));
    return { revoked: await revokeAll(tx, row.id, now) };
  });
}

export function enableOperator(services: Pick<Services, "db" | "now">, input: { operatorId: string; by: string }) {
  return change(services, input, async (tx, row) => {
    await tx.update(operators).set({ disabledAt: null, failedLogins: 0, lockedUntil: null }).where(eq(operators.id, row.id));
    return {};
  });
}

/** The operator enrols a new authenticator at the next login (a lost phone); signed out everywhere. */
export function resetTotp(services: Pick<Services, "db" | "now">, input: { operatorId: string; by: string }) {
  return change(services, input, async (tx, row, now) => {
    await tx.update(operators).set({ totpSecretEnc: null, totpEnrolledAt: null, totpLastStep: null }).where(eq(operators.id, row.id));
    return { revoked: await revokeAll(tx, row.id, now) };
  });
}

/** A new one-time password (a forgotten password); also unlocks, and signs out everywhere. */
export function resetPassword(services: Pick<Services, "db" | "now">, input: { operatorId: string; by: string }) {
  return change(services, input, async (tx, row, now) => {
    const password = oneTimePassword();
    await tx
      .update(operators)
      .set({ passwordHash: await hashPassword(password), passwordMustChange: true, failedLogins: 0, lockedUntil: null })
      .where(eq(operators.id, row.id));
    return { password, revoked: await revokeAll(tx, row.id, now) };
  });
}

/** Ends every session of the operator at once (a lost or shared PC). Allowed on oneself too. */
export function revokeOperatorSessions(services: Pick<Services, "db" | "now">, input: { operatorId: string; by: string }) {
  return change(services, { ...input, allowSelf: true }, async (tx, row, now) => ({ revoked: await revokeAll(tx, row.id, now) }));
}
