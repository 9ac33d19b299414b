/**
 * The role matrix: every route file under app/routes that starts with "ops." (found by listing the
 * folder, so a new page is covered the day it is added) is opened — and posted to, when it has an
 * action — by each role, and must answer exactly as the policy in app/lib/roles.ts says: the page for
 * a role that may use it, 403 for one that may not, and the login page for nobody signed in.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { AREAS, areaOfRoute, can, ROLES, type Area, type Role } from "../../app/lib/roles";
import { createOperator, signIn } from "../support/ops";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";

const ROUTES_DIR = path.resolve("app/routes");
const SAMPLE_ID = "00000000-0000-4000-8000-000000000000";

/** Flat route file name → URL path (escapes in [], _index, pathless _segments, trailing _ and $params). */
export function pathOfRoute(file: string): string {
  const id = file.replace(/\.(tsx?|jsx?)$/, "");
  const segments: string[] = [];
  let current = "";
  let escaped = false;
  for (const ch of id) {
    if (ch === "[") escaped = true;
    else if (ch === "]") escaped = false;
    else if (ch === "." && !escaped) {
      segments.push(current);
      current = "";
    } else current += ch;
  }
  segments.push(current);
  const parts = segments
    .filter((s) => s !== "_index" && !(s.startsWith("_") && !s.startsWith("_index")))
    .filter((s) => !/^\(.*\)$/.test(s))
    .map((s) => (s.endsWith("_") ? s.slice(0, -1) : s))
    .map((s) => (s.startsWith("$") ? SAMPLE_ID : s));
  return `/${parts.join("/")}`;
}

type RouteCase = { file: string; id: string; path: string; area: Area; hasAction: boolean };

const files = readdirSync(ROUTES_DIR).filter((f) => f.startsWith("ops.") && /\.(tsx?|jsx?)$/.test(f) && !f.includes(".test."));
const unmapped = files.filter((f) => areaOfRoute(f) === null);
const cases: RouteCase[] = files
  .map((file) => ({ file, id: file.replace(/\.(tsx?|jsx?)$/, ""), area: areaOfRoute(file) }))
  .filter((r): r is { file: string; id: string; area: Area } => r.area !== null && r.area !== "public" && r.area !== "signed_in")
  .map((r) => ({ ...r, path: pathOfRoute(r.file), hasAction: /export\s+(async\s+)?function\s+action\b|export\s+const\s+action\b/.test(readFileSync(path.join(ROUTES_DIR, r.file), "utf8")) }));

let services: TestServices;
let server: TestServer;
const browsers = new Map<Role, TestBrowser>();
const tokens = new Map<Role, string>();

beforeAll(async () => {
  services = await createTestServices();
  server = await startTestServer(services);
  for (const role of ROLES) {
    const account = await createOperator(services, { username: `matrix-${role}`, role });
    const browser = new TestBrowser(server.url);
    const done = await signIn(browser, services, account.username);
    expect(done.status).toBe(302);
    browsers.set(role, browser);
    tokens.set(role, browser.csrfFrom((await browser.get("/ops")).html));
  }
});
afterAll(async () => {
  await server.close();
  await services.close();
});

describe("the route files", () => {
  it("are all in the role policy (add new ones to ROUTE_AREAS in app/lib/roles.ts)", () => {
    expect(files.length).toBeGreaterThan(20);
    expect(unmapped).toEqual([]);
  });

  it("turn into the URLs Remix serves", () => {
    expect(pathOfRoute("ops._index.tsx")).toBe("/ops");
    expect(pathOfRoute("ops.totp_.enrol.tsx")).toBe("/ops/totp/enrol");
    expect(pathOfRoute("ops.lines.$id.tsx")).toBe(`/ops/lines/${SAMPLE_ID}`);
    expect(pathOfRoute("ops.cancellations.stats[.]csv.ts")).toBe("/ops/cancellations/stats.csv");
    expect(pathOfRoute("ops.outbox_.$id.call.tsx")).toBe(`/ops/outbox/${SAMPLE_ID}/call`);
  });
});

describe.each(cases)("$file ($area)", ({ path: url, area, hasAction }) => {
  it("sends someone not signed in to the login page", async () => {
    const page = await new TestBrowser(server.url).request(url);
    expect(page.status).toBe(302);
    expect(page.headers.get("Location")).toMatch(/^\/ops\/login\?redirectTo=/);
  });

  it.each([...ROLES])("opens for %s only if the policy says so", async (role) => {
    const page = await browsers.get(role)!.request(url);
    if (can(role, area, "view")) {
      expect(page.status, `${role} GET ${url}: ${page.html.slice(0, 200)}`).not.toBe(403);
      expect(page.headers.get("Location") ?? "").not.toMatch(/^\/ops\/login/);
      expect(page.status).toBeLessThan(500);
    } else {
      expect(page.status, `${role} GET ${url} should be refused`).toBe(403);
    }
  });

  if (!hasAction) return;
  it.each([...ROLES])("takes a post from %s only if the policy says so", async (role) => {
    const page = await browsers.get(role)!.post(url, { csrf: tokens.get(role)! });
    if (can(role, area, "act")) {
      expect(page.status, `${role} POST ${url}: ${page.html.slice(0, 200)}`).not.toBe(403);
      expect(page.status).toBeLessThan(500);
    } else {
      expect(page.status, `${role} POST ${url} should be refused`).toBe(403);
    }
  });
});

describe("the header", () => {
  it.each([...ROLES])("shows %s only the links it can open", async (role) => {
    const html = (await browsers.get(role)!.get("/ops")).html;
    const nav = html.slice(html.indexOf('aria-label="業務メニュー"'), html.indexOf("</nav>"));
    const links = [...nav.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    for (const href of links) {
      const segments = href.split("/").filter(Boolean);
      const area = areaOfRoute(segments.length === 1 ? "ops._index" : segments.join("."));
      if (area && area !== "public" && area !== "signed_in") expect(can(role, area), `${role} sees ${href}`).toBe(true);
    }
    expect(links.includes("/ops/admin")).toBe(role === "admin");
    expect(links.includes("/ops/audit")).toBe(role === "auditor");
    expect(links.includes("/ops/search")).toBe(role !== "auditor");
  });
});

describe("the policy", () => {
  it("gives the auditor the audit log and no personal data, and the admin no audit log", () => {
    expect(can("auditor", "audit")).toBe(true);
    for (const area of ["search", "lines", "queue", "entry", "letters", "outbox", "calls", "paper", "cancellations"] as const) expect(can("auditor", area)).toBe(false);
    expect(can("admin", "audit")).toBe(false);
    expect(Object.keys(AREAS).length).toBeGreaterThan(10);
  });
});
