import { workClaims } from "../../db/schema";
import { activeClaims, claimItem, CLAIM_TTL_MS, completeItem, holdsClaim, releaseItem } from "../../app/lib/claims.server";
import { createOperator } from "../support/ops";
import { createTestServices, type TestServices } from "../support/services";

let services: TestServices;
let alice: string;
let bob: string;
let carol: string;

beforeAll(async () => {
  services = await createTestServices();
  alice = (await createOperator(services, { username: "alice", role: "operator" })).id;
  bob = (await createOperator(services, { username: "bob", role: "operator" })).id;
  carol = (await createOperator(services, { username: "carol", role: "supervisor" })).id;
});
afterAll(async () => {
  await services.close();
});

const item = (id: string) => ({ itemType: "ivr", itemId: id });

describe("work claims", () => {
  it("lets exactly one of two operators racing for an item win", async () => {
    for (let round = 0; round < 10; round++) {
      const ref = item(`race-${round}`);
      const results = await Promise.all([
        claimItem(services, { ...ref, operatorId: alice }),
        claimItem(services, { ...ref, operatorId: bob }),
      ]);
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      const loser = results.find((r) => !r.ok)!;
      expect(loser).toMatchObject({ ok: false, reason: "held" });
      const rows = await services.db.select().from(workClaims);
      expect(rows.filter((r) => r.itemId === ref.itemId)).toHaveLength(1);
    }
  });

  it("lets many operators race for many items with one winner each", async () => {
    const operatorsRacing = [alice, bob, carol];
    const items = Array.from({ length: 5 }, (_, i) => item(`crowd-${i}`));
    const attempts = items.flatMap((ref) => operatorsRacing.map((operatorId) => claimItem(services, { ...ref, operatorId }).then((r) => ({ ref, operatorId, ok: r.ok }))));
    const results = await Promise.all(attempts);
    for (const ref of items) expect(results.filter((r) => r.ref === ref && r.ok)).toHaveLength(1);
  });

  it("says who holds an item and until when", async () => {
    await claimItem(services, { ...item("held"), operatorId: alice });
    const result = await claimItem(services, { ...item("held"), operatorId: bob });
    expect(result).toMatchObject({ ok: false, reason: "held", holder: { operatorId: alice, displayName: "operator alice" } });
    const claims = await activeClaims(services, "ivr", ["held", "nobody"], bob);
    expect(claims.get("held")).toMatchObject({ operatorId: alice, mine: false });
    expect(claims.has("nobody")).toBe(false);
  });

  it("renews the holder's own claim", async () => {
    const first = await claimItem(services, { ...item("renew"), operatorId: alice });
    services.clock.advance(10 * 60 * 1000);
    const again = await claimItem(services, { ...item("renew"), operatorId: alice });
    expect(first.ok && again.ok).toBe(true);
    expect(again).toMatchObject({ ok: true, renewed: true });
    if (first.ok && again.ok) expect(again.expiresAt.getTime()).toBeGreaterThan(first.expiresAt.getTime());
  });

  it("lets another operator take an expired claim", async () => {
    await claimItem(services, { ...item("expiring"), operatorId: alice });
    services.clock.advance(CLAIM_TTL_MS + 1000);
    expect(await holdsClaim(services, { ...item("expiring"), operatorId: alice })).toBe(false);
    expect(await claimItem(services, { ...item("expiring"), operatorId: bob })).toMatchObject({ ok: true, renewed: false });
    expect(await holdsClaim(services, { ...item("expiring"), operatorId: bob })).toBe(true);
    // The first holder can no longer complete it.
    expect(await completeItem(services, { ...item("expiring"), operatorId: alice, outcome: "confirmed" })).toBe(false);
  });

  it("releases only one's own claim, unless forced (a supervisor)", async () => {
    await claimItem(services, { ...item("release"), operatorId: alice });
    expect(await releaseItem(services, { ...item("release"), operatorId: bob })).toBe(false);
    expect(await releaseItem(services, { ...item("release"), operatorId: alice })).toBe(true);
    expect(await claimItem(services, { ...item("release"), operatorId: bob })).toMatchObject({ ok: true });
    expect(await releaseItem(services, { ...item("release"), operatorId: carol, force: true })).toBe(true);
    expect(await claimItem(services, { ...item("release"), operatorId: carol })).toMatchObject({ ok: true });
  });

  it("never offers a completed item again", async () => {
    await claimItem(services, { ...item("done"), operatorId: alice });
    expect(await completeItem(services, { ...item("done"), operatorId: alice, outcome: "confirmed" })).toBe(true);
    expect(await claimItem(services, { ...item("done"), operatorId: bob })).toEqual({ ok: false, reason: "completed" });
    expect(await claimItem(services, { ...item("done"), operatorId: alice })).toEqual({ ok: false, reason: "completed" });
    expect(await releaseItem(services, { ...item("done"), operatorId: alice, force: true })).toBe(false);
  });
});
