import { eq } from "drizzle-orm";
import { operators, sessions } from "../../db/schema";
import { verifyPassword } from "../../app/lib/password.server";
import {
  createOperator as createAccount,
  disableOperator,
  enableOperator,
  listOperators,
  oneTimePassword,
  resetPassword,
  resetTotp,
  revokeOperatorSessions,
  setRole,
} from "../../app/lib/operators.server";
import { createOperator } from "../support/ops";
import { createTestServices, type TestServices } from "../support/services";

let services: TestServices;
let admin: string;

beforeAll(async () => {
  services = await createTestServices();
  admin = (await createOperator(services, { username: "root", role: "admin" })).id;
});
afterAll(async () => {
  await services.close();
});

async function row(id: string) {
  return (await services.db.select().from(operators).where(eq(operators.id, id)))[0]!;
}

async function openSession(operatorId: string) {
  const now = services.now();
  await services.db.insert(sessions).values({ tokenHash: `t-${Math.random()}`, operatorId, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + 3600_000) });
}

describe("staff accounts", () => {
  it("makes one-time passwords that are long and unambiguous", () => {
    const password = oneTimePassword();
    expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(password).not.toMatch(/[01ilo]/);
    expect(oneTimePassword()).not.toBe(password);
  });

  it("creates an operator with a one-time password to change at the first login, and no TOTP yet", async () => {
    const result = await createAccount(services, { username: "Sato.K", displayName: "佐藤 健", role: "operator", createdBy: admin });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const created = await row(result.operatorId);
    expect(created).toMatchObject({ username: "sato.k", role: "operator", passwordMustChange: true, totpEnrolledAt: null, createdBy: admin });
    expect(created.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(created.passwordHash, result.password)).toBe(true);
    expect(await createAccount(services, { username: "sato.k", displayName: "別人", role: "operator", createdBy: admin })).toEqual({ ok: false, reason: "username_taken" });
    expect(await createAccount(services, { username: "x", displayName: "短い", role: "operator", createdBy: admin })).toEqual({ ok: false, reason: "invalid" });
  });

  it("changes a role and signs the person out everywhere", async () => {
    const { id } = await createOperator(services, { username: "promote", role: "operator" });
    await openSession(id);
    expect(await setRole(services, { operatorId: id, role: "supervisor", by: admin })).toMatchObject({ ok: true, from: "operator", to: "supervisor", revoked: 1 });
    expect((await row(id)).role).toBe("supervisor");
    expect(await setRole(services, { operatorId: id, role: "root", by: admin })).toEqual({ ok: false, reason: "invalid" });
  });

  it("keeps an admin from changing their own account and the last admin from disappearing", async () => {
    expect(await setRole(services, { operatorId: admin, role: "operator", by: admin })).toEqual({ ok: false, reason: "self" });
    expect(await disableOperator(services, { operatorId: admin, by: admin })).toEqual({ ok: false, reason: "self" });
    const second = await createOperator(services, { username: "admin2", role: "admin" });
    // root is then the last other admin: admin2 may not demote root… unless another admin remains.
    expect(await setRole(services, { operatorId: admin, role: "operator", by: second.id })).toMatchObject({ ok: true });
    expect(await setRole(services, { operatorId: second.id, role: "operator", by: admin })).toEqual({ ok: false, reason: "last_admin" });
    expect(await disableOperator(services, { operatorId: second.id, by: admin })).toEqual({ ok: false, reason: "last_admin" });
    expect(await setRole(services, { operatorId: admin, role: "admin", by: second.id })).toMatchObject({ ok: true });
  });

  it("disables (signing out) and enables an account", async () => {
    const { id } = await createOperator(services, { username: "leaver", role: "operator" });
    await openSession(id);
    await openSession(id);
    expect(await disableOperator(services, { operatorId: id, by: admin })).toMatchObject({ ok: true, revoked: 2 });
    expect((await row(id)).disabledAt).not.toBeNull();
    expect(await enableOperator(services, { operatorId: id, by: admin })).toMatchObject({ ok: true });
    expect((await row(id)).disabledAt).toBeNull();
  });

  it("resets the second factor and the password, and revokes sessions", async () => {
    const { id } = await createOperator(services, { username: "lostphone", role: "operator" });
    await openSession(id);
    expect(await resetTotp(services, { operatorId: id, by: admin })).toMatchObject({ ok: true, revoked: 1 });
    expect(await row(id)).toMatchObject({ totpSecretEnc: null, totpEnrolledAt: null, totpLastStep: null });
    await services.db.update(operators).set({ failedLogins: 3, lockedUntil: new Date(services.now().getTime() + 60_000) }).where(eq(operators.id, id));
    const reset = await resetPassword(services, { operatorId: id, by: admin });
    expect(reset.ok).toBe(true);
    if (!reset.ok) return;
    const after = await row(id);
    expect(after).toMatchObject({ passwordMustChange: true, failedLogins: 0, lockedUntil: null });
    expect(await verifyPassword(after.passwordHash, reset.password)).toBe(true);
    await openSession(id);
    expect(await revokeOperatorSessions(services, { operatorId: id, by: id })).toMatchObject({ ok: true, revoked: 1 });
    const list = await listOperators(services);
    expect(list.find((o) => o.id === id)).toMatchObject({ activeSessions: 0, totpEnrolled: false, mustChangePassword: true });
  });
});
