import { DEFAULT_CAPABILITIES } from "../../app/domain/carriers";
import { applicationOutcome, orderIdempotencyKey, rerouteTargets, type OrderFacts } from "../../app/domain/carrier-orders";

const order = (over: Partial<OrderFacts>): OrderFacts => ({
  id: Math.random().toString(36),
  carrier: "kddi",
  action: "SUSPEND",
  scope: "incoming",
  status: "pending",
  resultCode: null,
  reasonCode: null,
  ...over,
});

describe("order idempotency keys", () => {
  it("differ by line, action, scope, request and carrier, and nothing else", () => {
    const base = { lineId: "L", action: "SUSPEND" as const, scope: "incoming" as const, request: { kind: "application" as const, id: "A" }, carrier: "kddi" };
    const key = orderIdempotencyKey(base);
    expect(orderIdempotencyKey({ ...base })).toBe(key);
    for (const variant of [
      { ...base, lineId: "M" },
      { ...base, action: "INQUIRY" as const },
      { ...base, scope: "outgoing" as const },
      { ...base, request: { kind: "application" as const, id: "B" } },
      { ...base, request: { kind: "cancellation" as const, id: "A" } },
      { ...base, carrier: "softbank" },
    ]) {
      expect(orderIdempotencyKey(variant)).not.toBe(key);
    }
  });
});

describe("what an application's orders add up to", () => {
  it("is open while an order is open, completed when every scope is done", () => {
    expect(applicationOutcome([order({ status: "batched" })], ["incoming"])).toEqual({ kind: "open" });
    expect(applicationOutcome([order({ status: "done", resultCode: "DONE" })], ["incoming"])).toEqual({ kind: "completed", scopes: ["incoming"] });
    expect(
      applicationOutcome([order({ status: "rejected", resultCode: "REJECTED", reasonCode: "ALREADY_SUSPENDED" }), order({ scope: "outgoing", status: "done" })], ["outgoing", "incoming"]),
    ).toEqual({ kind: "completed", scopes: ["outgoing", "incoming"] });
  });

  it("is failed when nothing is open and a scope is not suspended", () => {
    expect(applicationOutcome([order({ status: "rejected", reasonCode: "NAME_MISMATCH" }), order({ scope: "outgoing", status: "done" })], ["outgoing", "incoming"])).toEqual({
      kind: "failed",
      failedScopes: ["incoming"],
      satisfiedScopes: ["outgoing"],
    });
    // Every inquiry answered "not ours".
    expect(applicationOutcome([order({ action: "INQUIRY", status: "rejected", reasonCode: "NOT_OUR_SUBSCRIBER" }), order({ action: "INQUIRY", carrier: "softbank", status: "rejected", reasonCode: "NOT_OUR_SUBSCRIBER" })], ["incoming"])).toMatchObject({ kind: "failed" });
    // An accepted inquiry whose SUSPEND waits is open.
    expect(applicationOutcome([order({ action: "INQUIRY", status: "accepted" }), order({ status: "pending" })], ["incoming"])).toEqual({ kind: "open" });
  });
});

describe("re-routing after NOT_OUR_SUBSCRIBER", () => {
  it("goes to the carriers that accept the scope and were not asked yet (the NTT of the prefecture only)", () => {
    expect(rerouteTargets({ scope: "incoming", prefecture: 13, capabilities: DEFAULT_CAPABILITIES, alreadyAsked: ["kddi"] })).toEqual(["ntt-east", "ntt-docomo-business", "softbank"]);
    expect(rerouteTargets({ scope: "outgoing", prefecture: 27, capabilities: DEFAULT_CAPABILITIES, alreadyAsked: ["softbank"] })).toEqual(["kddi"]);
    expect(rerouteTargets({ scope: "outgoing", prefecture: 27, capabilities: DEFAULT_CAPABILITIES, alreadyAsked: ["softbank", "kddi"] })).toEqual([]);
  });
});
