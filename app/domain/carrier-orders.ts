/**
 * Carrier orders as pure rules: their statuses, their idempotency keys, and what the orders of one
 * application add up to once carriers answer.
 *
 * An order is created once per (line, action, scope, request, carrier): the key below is unique in the
 * database, so a retried or crashed job finds the order it made before instead of making another.
 */
import { acceptsViaCentre, isCarrierCode, routeApplication, type CarrierCapability, type CarrierCode, type Scope } from "./carriers";
import type { OrderAction } from "./carrier-files";
import type { ReasonCode, ResultCode } from "./carrier-results";

export const ORDER_STATUSES = ["pending", "cancelled", "batched", "acknowledged", "done", "rejected", "accepted"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_STATUS_LABELS: Readonly<Record<OrderStatus, string>> = {
  pending: "バッチ待ち",
  cancelled: "取り消し",
  batched: "バッチ送付済み",
  acknowledged: "受領確認済み",
  done: "完了",
  rejected: "不可",
  accepted: "引き受け（休止の依頼へ）",
};

export const ACTION_LABELS: Readonly<Record<OrderAction, string>> = {
  SUSPEND: "休止",
  RESUME: "休止の解除",
  INQUIRY: "契約の問い合わせ",
};

/** Orders the carrier still owes an answer for (or that still wait for a batch). */
export const OPEN_ORDER_STATUSES: readonly OrderStatus[] = ["pending", "batched", "acknowledged"];

export type OrderRequest = { kind: "application"; id: string } | { kind: "cancellation"; id: string } | { kind: "exception"; id: string };

export function orderIdempotencyKey(input: { lineId: string; action: OrderAction; scope: Scope; request: OrderRequest; carrier: string }): string {
  return `v1:${input.action}:${input.lineId}:${input.scope}:${input.request.kind}:${input.request.id}:${input.carrier}`;
}

export type OrderFacts = {
  id: string;
  carrier: string;
  action: OrderAction;
  scope: Scope;
  status: OrderStatus;
  resultCode: ResultCode | null;
  reasonCode: ReasonCode | null;
};

/** A carrier that says the line is already suspended has done what was asked. */
export function satisfiesSuspension(order: OrderFacts): boolean {
  return order.action === "SUSPEND" && (order.status === "done" || (order.status === "rejected" && order.reasonCode === "ALREADY_SUSPENDED"));
}

export type ScopeState = "satisfied" | "open" | "failed";

export function scopeState(orders: readonly OrderFacts[], scope: Scope): ScopeState {
  const mine = orders.filter((o) => o.scope === scope && o.action !== "RESUME");
  if (mine.some(satisfiesSuspension)) return "satisfied";
  if (mine.some((o) => OPEN_ORDER_STATUSES.includes(o.status))) return "open";
  return "failed";
}

export type ApplicationOutcome =
  | { kind: "open" }
  | { kind: "completed"; scopes: Scope[] }
  | { kind: "failed"; failedScopes: Scope[]; satisfiedScopes: Scope[] };

/**
 * What the SUSPEND and INQUIRY orders of an application add up to. Completed when every scope is
 * suspended (or already was); failed when nothing is open any more and a scope is not suspended;
 * otherwise still open.
 */
export function applicationOutcome(orders: readonly OrderFacts[], scopes: readonly Scope[]): ApplicationOutcome {
  const states = scopes.map((scope) => ({ scope, state: scopeState(orders, scope) }));
  if (states.some((s) => s.state === "open")) return { kind: "open" };
  const failedScopes = states.filter((s) => s.state === "failed").map((s) => s.scope);
  const satisfiedScopes = states.filter((s) => s.state === "satisfied").map((s) => s.scope);
  if (failedScopes.length === 0) return { kind: "completed", scopes: satisfiedScopes };
  return { kind: "failed", failedScopes, satisfiedScopes };
}

/**
 * A failed outcome that is really done: the carrier that owns the line (it suspended or accepted a
 * scope) does not take the failed scopes through the centre at all — e.g. outgoing calls on an NTT
 * line, asked for with わからない, went as inquiries to the carriers that do take them, who all said
 * "not our subscriber". No person can change that: the application completes for what was done, and
 * the applicant is told to ask the carrier directly for the rest (as the web journey says up front).
 * Null when a failed scope could still have been done through the centre (a person looks).
 */
export function directOnlyOutcome(
  orders: readonly OrderFacts[],
  outcome: Extract<ApplicationOutcome, { kind: "failed" }>,
  capabilities: readonly CarrierCapability[],
): { owner: CarrierCode; scopes: Scope[]; directOnly: Scope[] } | null {
  if (outcome.satisfiedScopes.length === 0) return null;
  const owners = [...new Set(orders.filter((o) => outcome.satisfiedScopes.includes(o.scope) && satisfiesSuspension(o)).map((o) => o.carrier))];
  if (owners.length !== 1 || !isCarrierCode(owners[0])) return null;
  const owner = owners[0] as CarrierCode;
  if (outcome.failedScopes.some((scope) => acceptsViaCentre(owner, scope, capabilities))) return null;
  // Every failed order was a "not our subscriber" from another carrier (nothing the owner refused).
  const failed = orders.filter((o) => outcome.failedScopes.includes(o.scope));
  if (!failed.every((o) => o.carrier !== owner && o.status === "rejected" && o.reasonCode === "NOT_OUR_SUBSCRIBER")) return null;
  return { owner, scopes: outcome.satisfiedScopes, directOnly: outcome.failedScopes };
}

/**
 * Where to send a scope after a carrier said "not our subscriber": every carrier that accepts the
 * scope through the centre (only the NTT company of the prefecture, when it is known), except the
 * carriers already asked for this application and scope.
 */
export function rerouteTargets(input: {
  scope: Scope;
  prefecture: number | null;
  /** The line ("+81…"): its number decides NTT東日本／西日本 before the prefecture does. */
  line?: string | null;
  capabilities: readonly CarrierCapability[];
  alreadyAsked: readonly string[];
}): CarrierCode[] {
  const route = routeApplication({ choice: "unknown", prefecture: input.prefecture, line: input.line, scopes: [input.scope], capabilities: input.capabilities });
  if (route.kind !== "inquiry") return [];
  return route.candidates.filter((carrier) => !input.alreadyAsked.includes(carrier));
}

/** Exceptions the back office resolves. */
export const EXCEPTION_KINDS = ["rejected", "no_carrier", "conflict", "not_routable", "resume_rejected", "resume_not_possible"] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

export const EXCEPTION_LABELS: Readonly<Record<ExceptionKind, string>> = {
  rejected: "電話会社が手続きできなかった（ほかに送り先なし）",
  no_carrier: "どの電話会社も自社の契約ではないと回答",
  conflict: "2社以上が自社の契約と回答",
  not_routable: "送り先の電話会社を決められない",
  resume_rejected: "休止の解除を電話会社が手続きできなかった",
  resume_not_possible: "休止の解除を送れない（休止中の種類がない、または電話会社が不明）",
};
