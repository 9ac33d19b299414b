/**
 * Issue 16 in the back office and the first start, over HTTP: the demo has an auditor and the audit
 * log reads in Japanese, one screen at a time (6); the line timeline and the cancellation review show
 * no internal codes, the memo's badge matches its rule, and the flagged card is a card (7); the
 * favicon exists (12).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { cancellations, lines, operators } from "../../db/schema";
import { DEMO_AUDITOR_USERNAME, seedDemoOperator } from "../../db/seed";
import { auditActionLabel } from "../../app/lib/audit-labels";
import { PAGE_SIZE } from "../../app/lib/audit-view.server";
import { requestCancellation } from "../../app/lib/cancellations.server";
import { seedDemoData } from "../../app/lib/demo-data.server";
import { apply } from "../support/ops-scenario";
import { signedInBrowser } from "../support/ops-session";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";
import { REPO_ROOT } from "../e2e/support/server";

let services: TestServices;
let server: TestServer;
beforeAll(async () => {
  services = await createTestServices();
  server = await startTestServer(services);
  await seedDemoData(services);
});
afterAll(async () => {
  await server.close();
  await services.close();
});

const decode = (html: string) => html.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

/** The text of <main>, tags dropped, without the parts marked as raw technical records. */
function mainText(html: string): string {
  const main = html.slice(html.indexOf("<main"), html.indexOf("</main>"));
  return decode(
    main
      .replace(/<td[^>]*data-technical[^>]*>[\s\S]*?<\/td>/g, "")
      // Forms (the audit filter explains its own code syntax, 「例：line.view」).
      .replace(/<form[\s\S]*?<\/form>/g, "")
      .replace(/<[^>]+>/g, " "),
  );
}

/** Internal codes that must not reach a person's screen. */
const INTERNAL = /\b(received|verified|needs_review|queued|acknowledged|completed|rejected|withdrawn|resumed|flagged|declined|refused|[a-z]+_[a-z_]+|[a-z]+\.[a-z_]+)\b/;

describe("point 6: the demo shows every role, and the audit log reads in Japanese", () => {
  it("seeds a demo auditor beside the demo admin, also into a demo database made before it", async () => {
    const fresh = await createTestServices();
    try {
      await seedDemoOperator(fresh.db, "hash-1");
      await fresh.db.delete(operators).where(eq(operators.username, DEMO_AUDITOR_USERNAME));
      await seedDemoOperator(fresh.db, "hash-1");
      const rows = await fresh.db.select({ username: operators.username, role: operators.role }).from(operators);
      expect(rows.map((r) => `${r.username}:${r.role}`).sort()).toEqual(["demo-auditor:auditor", "demo:admin"]);
    } finally {
      await fresh.close();
    }
  });

  it("names every audit action written in the code", () => {
    const codes = new Set<string>();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.tsx?$/.test(name)) for (const m of readFileSync(path, "utf8").matchAll(/action: "([a-z_]+\.[a-z_]+)"/g)) codes.add(m[1]!);
      }
    };
    walk(join(REPO_ROOT, "app"));
    expect(codes.size).toBeGreaterThan(40);
    const unnamed = [...codes].filter((code) => auditActionLabel(code).startsWith("その他の操作"));
    expect(unnamed).toEqual([]);
    expect(auditActionLabel("line.view")).toBe("回線の記録：閲覧");
    expect(auditActionLabel("cancellation.approve_refused")).toBe("取り消し：承認（できず）");
    // A verb that itself ends in _refused is named whole: the subscriber's 2, not a failed action.
    expect(auditActionLabel("scan.line_refused")).toBe("郵送・FAXの申込書：回線でご契約者が不同意（2）");
    expect(auditActionLabel("operator.password_ok")).toBe("職員：パスワードの確認");
  });

  it("shows one screen of records, in Japanese, with identifiers on one line", async () => {
    const { browser: auditor } = await signedInBrowser(server, services, "auditor");
    // Enough records for more than one screen.
    for (let i = 0; i < PAGE_SIZE + 5; i++) await auditor.get("/ops/audit");
    const page = await auditor.get("/ops/audit");
    expect(page.status).toBe(200);
    const rows = page.html.match(/<tbody>([\s\S]*?)<\/tbody>/)![1]!.match(/<tr/g)!.length;
    expect(rows).toBe(PAGE_SIZE);
    expect(page.html).toContain("さらに古い記録を見る");
    const text = mainText(page.html);
    expect(text).toContain("監査ログ：閲覧");
    expect(text.match(INTERNAL)?.[0]).toBeUndefined();
    const { browser: admin } = await signedInBrowser(server, services, "admin");
    expect((await admin.get("/ops/audit")).status).toBe(403);
  });
});

describe("point 7: statuses and actions shown to a person are Japanese", () => {
  let cancellationId: string;
  let lineId: string;

  beforeAll(async () => {
    // A family member asks, on paper, from a contact already used for another line: flagged.
    await apply(services, { lineE164: "+81312345097" });
    await requestCancellation(services, { channel: "paper", idempotencyKey: "i16-a", actor: "paper:test", lineE164: "+81312345097", requesterRelation: "family", requesterName: "鈴木 次子", requesterContact: "09066660091", reasonCode: "other", lineVerification: "none" });
    await apply(services, { lineE164: "+81312345096" });
    const flagged = await requestCancellation(services, { channel: "paper", idempotencyKey: "i16-b", actor: "paper:test", lineE164: "+81312345096", requesterRelation: "family", requesterRelationDetail: "次女", requesterName: "鈴木 次子", requesterContact: "09066660091", reasonCode: "other", reasonText: "施設に入るため", lineVerification: "none" });
    if (flagged.kind !== "created") throw new Error(flagged.kind);
    cancellationId = flagged.cancellationId;
    const [line] = await services.db.select({ id: lines.id }).from(lines).where(eq(lines.e164, "+81312340101"));
    lineId = line!.id;
  });

  it("on the line timeline (a cancellation with its confirmation call)", async () => {
    const { browser } = await signedInBrowser(server, services, "operator");
    const page = await browser.get(`/ops/lines/${lineId}`);
    expect(page.status).toBe(200);
    const text = mainText(page.html);
    expect(text).toContain("解除のお申し出");
    expect(text.match(INTERNAL)?.[0]).toBeUndefined();
  });

  it("on the cancellation review, with a memo that is 必須 where approval and refusal need it", async () => {
    const { browser } = await signedInBrowser(server, services, "operator");
    await browser.post(`/ops/cancellations/${cancellationId}`, { csrf: browser.csrfFrom((await browser.get(`/ops/cancellations/${cancellationId}`)).html), intent: "call_back", note: "" });
    const page = await browser.get(`/ops/cancellations/${cancellationId}`);
    expect(page.status).toBe(200);
    const text = mainText(page.html);
    expect(text.match(INTERNAL)?.[0]).toBeUndefined();
    const html = decode(page.html);
    const decisionLabel = html.match(/<label[^>]*for="note-decision"[^>]*>([\s\S]*?)<\/label>/);
    if (decisionLabel) {
      expect(decisionLabel[1]).toContain("※必須");
      expect(decisionLabel[1]).not.toContain("※任意");
    }
    const otherLabel = html.match(/<label[^>]*for="note"[^>]*>([\s\S]*?)<\/label>/);
    if (otherLabel) expect(otherLabel[1]).not.toContain("判断の理由");
    expect(decisionLabel ?? otherLabel).not.toBeNull();
  });

  it("lists flagged cancellations as cards, not as a bulleted, centred panel", async () => {
    await services.db.update(cancellations).set({ status: "flagged" }).where(eq(cancellations.id, cancellationId));
    const { browser } = await signedInBrowser(server, services, "operator");
    const html = (await browser.get("/ops/cancellations")).html;
    expect(html).toContain('class="queue-list"');
    expect(html).toContain('class="queue-list__item"');
    expect(html).not.toMatch(/<li[^>]*class="panel"/);
  });
});

describe("point 12: a clean first visit", () => {
  it("serves a favicon and links it", async () => {
    const icon = await fetch(new URL("/favicon.ico", server.url));
    expect(icon.status).toBe(200);
    expect((await icon.arrayBuffer()).byteLength).toBeGreaterThan(100);
    const html = (await new TestBrowser(server.url).get("/")).html;
    expect(html).toMatch(/<link rel="icon" href="\/favicon.ico"/);
  });

  it("answers every Remix future-flag notice in remix.config.js, so a build prints none", async () => {
    // The flags @remix-run/dev warns about when they are left undefined, read from the installed
    // version itself: an upgrade that adds a notice fails here until the flag is decided.
    const source = readFileSync(join(REPO_ROOT, "node_modules/@remix-run/dev/dist/config.js"), "utf8");
    const warned = [...source.matchAll(/future\.(v3_\w+) === undefined/g)].map((m) => m[1]!);
    expect(warned.length).toBeGreaterThanOrEqual(5);
    const { default: config } = (await import(join(REPO_ROOT, "remix.config.js"))) as { default: { future: Record<string, boolean | undefined> } };
    expect(warned.filter((flag) => typeof config.future[flag] !== "boolean")).toEqual([]);
  });

  it("records a review of every dependency's install script (npm's allowScripts), so npm ci lists none", () => {
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { allowScripts?: Record<string, boolean> };
    const withScripts = new Set(
      Object.entries(lock.packages)
        .filter(([, entry]) => entry.hasInstallScript)
        .map(([path]) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length)),
    );
    expect(withScripts.size).toBeGreaterThan(0);
    expect([...withScripts].filter((name) => typeof pkg.allowScripts?.[name] !== "boolean")).toEqual([]);
  });
});
