/**
 * The back office's role policy, in one place: which role may open which area (view) and change
 * anything in it (act). Routes ask `requireAccess(request, context, area, "view" | "act")`
 * (auth.server.ts); the header shows only the links a role can open; and the matrix test
 * (test/routes/ops-access.test.ts) walks every `app/routes/ops.*` file, finds its area here, and checks
 * that each role reaches exactly what this table says.
 *
 * Plain data, no server code: the header (a component) reads it too.
 *
 * The roles:
 *  - operator: the daily work — queues, search and line pages, phone-assisted entry, letters;
 *  - supervisor: an operator who also sees statistics and may take over someone else's claim;
 *  - admin: manages staff accounts and carrier settings, and can do the operational work too (the
 *    demo operator is an admin so that every page can be tried);
 *  - auditor: reads the audit log and checks its chain, and sees statistics; no personal data, and
 *    not the admin (separation of duties: whoever manages accounts is not who checks the log).
 */

export const ROLES = ["operator", "supervisor", "admin", "auditor"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  operator: "オペレーター",
  supervisor: "スーパーバイザー",
  admin: "管理者",
  auditor: "監査担当",
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

const ALL: readonly Role[] = ROLES;
const STAFF: readonly Role[] = ["operator", "supervisor", "admin"];
const NOBODY: readonly Role[] = [];

export const AREAS = {
  dashboard: { view: ALL, act: NOBODY },
  queue: { view: STAFF, act: STAFF },
  /** The search form posts (so what is typed stays out of URLs and logs): searching is its "act". */
  search: { view: STAFF, act: STAFF },
  lines: { view: STAFF, act: STAFF },
  entry: { view: STAFF, act: STAFF },
  letters: { view: STAFF, act: STAFF },
  outbox: { view: STAFF, act: STAFF },
  calls: { view: STAFF, act: STAFF },
  paper: { view: STAFF, act: STAFF },
  cancellations: { view: STAFF, act: STAFF },
  /** Carrier settings (delivery, capabilities, API keys): admins only. */
  carriers: { view: ["admin"], act: ["admin"] },
  /** Dispatch exceptions are daily work. */
  carrier_exceptions: { view: STAFF, act: STAFF },
  sla: { view: STAFF, act: NOBODY },
  stats: { view: ["supervisor", "admin", "auditor"], act: NOBODY },
  audit: { view: ["auditor"], act: ["auditor"] },
  admin: { view: ["admin"], act: ["admin"] },
} as const satisfies Record<string, { view: readonly Role[]; act: readonly Role[] }>;

export type Area = keyof typeof AREAS;
export type AccessKind = "view" | "act";

/** Extra permissions inside an area, for one button rather than a whole page. */
export const CAPABILITIES = {
  /** Take over or release a claim that someone else holds. */
  releaseOthersClaims: ["supervisor", "admin"],
} as const satisfies Record<string, readonly Role[]>;

export function can(role: Role | string | null | undefined, area: Area, kind: AccessKind = "view"): boolean {
  return isRole(role) && (AREAS[area][kind] as readonly Role[]).includes(role);
}

export function hasCapability(role: Role | string | null | undefined, capability: keyof typeof CAPABILITIES): boolean {
  return isRole(role) && (CAPABILITIES[capability] as readonly Role[]).includes(role);
}

/**
 * Route files (flat-route ids without the extension) → area. A route belongs to the longest prefix
 * that equals its id or is followed by "." or "_" in it. "public" routes need no session (sign-in
 * steps); "signed_in" routes need a session of any role (sign-out).
 */
export const ROUTE_AREAS: readonly (readonly [prefix: string, area: Area | "public" | "signed_in"])[] = [
  ["ops", "public"],
  ["ops.login", "public"],
  ["ops.totp", "public"],
  ["ops.logout", "signed_in"],
  ["ops._index", "dashboard"],
  ["ops.queue", "queue"],
  /** The application queue's work page (an application whose line was not confirmed). */
  ["ops.applications", "queue"],
  ["ops.search", "search"],
  ["ops.lines", "lines"],
  ["ops.entry", "entry"],
  ["ops.letters", "letters"],
  ["ops.outbox", "outbox"],
  ["ops.calls", "calls"],
  ["ops.paper", "paper"],
  ["ops.cancellations", "cancellations"],
  ["ops.carriers", "carriers"],
  ["ops.carriers.exceptions", "carrier_exceptions"],
  ["ops.sla", "sla"],
  ["ops.stats", "stats"],
  ["ops.audit", "audit"],
  ["ops.admin", "admin"],
];

export function areaOfRoute(routeId: string): Area | "public" | "signed_in" | null {
  const id = routeId.replace(/^routes\//, "").replace(/\.(tsx?|jsx?)$/, "");
  let best: (typeof ROUTE_AREAS)[number] | null = null;
  for (const entry of ROUTE_AREAS) {
    const [prefix] = entry;
    const matches = id === prefix || id.startsWith(`${prefix}.`) || id.startsWith(`${prefix}_`);
    if (matches && (!best || prefix.length > best[0].length)) best = entry;
  }
  // "ops" itself is only the layout: every child route must have its own entry.
  if (best && best[0] === "ops" && id !== "ops") return null;
  return best ? best[1] : null;
}
