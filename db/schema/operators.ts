import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { at, createdAt, id } from "./columns";

/** Centre staff. Passwords are argon2id hashes; the TOTP secret is sealed. */
export const operators = pgTable(
  "operators",
  {
    id: id(),
    username: text("username").notNull(),
    displayName: text("display_name").notNull(),
    role: text("role").notNull(),
    passwordHash: text("password_hash").notNull(),
    totpSecretEnc: text("totp_secret_enc"),
    totpEnrolledAt: at("totp_enrolled_at"),
    /** The last 30-second TOTP step accepted: a code is good once (no replay within its window). */
    totpLastStep: bigint("totp_last_step", { mode: "number" }),
    /** Set by an admin's one-time password: the operator chooses a new password at the next login. */
    passwordMustChange: boolean("password_must_change").notNull().default(false),
    lastLoginAt: at("last_login_at"),
    createdBy: uuid("created_by"),
    failedLogins: integer("failed_logins").notNull().default(0),
    lockedUntil: at("locked_until"),
    disabledAt: at("disabled_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("uq_operators_username").on(t.username),
    check("ck_operators_role", sql`${t.role} in ('operator','supervisor','admin','auditor')`),
  ],
);

/** Server-side sessions: revocable at once, with an idle timeout. Only the token's hash is stored. */
export const sessions = pgTable(
  "sessions",
  {
    id: id(),
    tokenHash: text("token_hash").notNull(),
    operatorId: uuid("operator_id")
      .notNull()
      .references(() => operators.id),
    createdAt: createdAt(),
    lastSeenAt: at("last_seen_at").notNull().defaultNow(),
    expiresAt: at("expires_at").notNull(),
    revokedAt: at("revoked_at"),
    /** Hash of the client IP: enough to spot a stolen session, not to locate a person. */
    ipHash: text("ip_hash"),
  },
  (t) => [
    uniqueIndex("uq_sessions_token_hash").on(t.tokenHash),
    index("idx_sessions_operator").on(t.operatorId),
  ],
);
