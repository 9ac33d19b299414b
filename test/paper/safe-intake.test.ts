/**
 * Hostile files through the real upload and the FAX folder (issue 14 ① and ⑥): each ends as an
 * intake exception with its reason, the server keeps answering /healthz, memory stays bounded, the
 * folder moves them aside once, and every file of a multi-file upload gets its own line.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { paperIntakes, scans } from "../../db/schema";
import { ingestFolder } from "../../app/lib/paper-intake.server";
import { bombPng, bombTiff, goodPng, LOOPING_PDF } from "../ocr/hostile-files";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, type TestBrowser, type TestServer } from "../support/http";
import { signedInBrowser } from "../support/ops-session";

let services: TestServices;
let server: TestServer;
let operator: TestBrowser;
/** The three hostile files; `variant` changes a byte so that the upload and the folder are not duplicates of each other. */
const HOSTILE = (variant = 0) => [
  { name: "bomb-20000x20000.png", bytes: bombPng(20_000 + variant, 20_000), type: "image/png", reason: "image_too_large" },
  { name: "bomb-page.tif", bytes: bombTiff(100_000 + variant, 100_000), type: "image/tiff", reason: "image_too_large" },
  { name: "looping.pdf", bytes: Buffer.concat([LOOPING_PDF, Buffer.from("\n".repeat(variant))]), type: "application/pdf", reason: "unreadable_file" },
];

beforeAll(async () => {
  services = await createTestServices();
  server = await startTestServer(services);
  operator = (await signedInBrowser(server, services, "operator")).browser;
}, 120_000);
afterAll(async () => {
  await server.close();
  await services.close();
});

/** Runs work while sampling this process's resident memory; returns the peak growth in MB. */
async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ value: T; growthMb: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, growthMb: (peak - base) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

async function upload(files: { name: string; bytes: Buffer; type: string }[]) {
  const page = await operator.get("/ops/paper");
  const form = new FormData();
  form.append("csrf", operator.csrfFrom(page.html));
  for (const f of files) form.append("files", new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
  return operator.request("/ops/paper", { method: "POST", body: form, headers: { Origin: server.url } });
}

function resultLines(html: string): { outcome: string; text: string }[] {
  return [...html.matchAll(/<li data-outcome="([a-z_]+)">([\s\S]*?)<\/li>/g)].map((m) => ({ outcome: m[1]!, text: m[2]!.replace(/<[^>]+>/g, "") }));
}

async function exceptionReasonOf(filename: string): Promise<string | null | undefined> {
  const [row] = await services.db
    .select({ reason: scans.exceptionReason, status: scans.status })
    .from(scans)
    .innerJoin(paperIntakes, eq(paperIntakes.id, scans.intakeId))
    .where(eq(paperIntakes.originalFilename, filename));
  expect(row?.status).toBe("exception");
  return row?.reason;
}

describe("hostile files through the upload", () => {
  it("end as intake exceptions with their reasons; every file, 0 bytes included, has its own line; the server keeps serving", async () => {
    const hostile = HOSTILE();
    const files = [
      { name: "good.png", bytes: goodPng(1), type: "image/png" },
      { name: "empty.pdf", bytes: Buffer.alloc(0), type: "application/pdf" },
      ...hostile,
      { name: "good-again.png", bytes: goodPng(1), type: "image/png" },
    ];
    const { value: response, growthMb } = await peakRssGrowth(() => upload(files));
    expect(response.status).toBe(200);
    const lines = resultLines(response.html);
    expect(lines.map((l) => l.outcome)).toEqual(["accepted", "empty", "unreadable", "unreadable", "unreadable", "duplicate"]);
    expect(lines[0]!.text).toContain("good.png");
    expect(lines[0]!.text).toContain("1ページを受け付けました");
    expect(lines[1]!.text).toContain("empty.pdf");
    expect(lines[1]!.text).toContain("0バイト");
    expect(lines[2]!.text).toContain("画像が大きすぎる");
    for (const f of hostile) expect(await exceptionReasonOf(f.name)).toBe(f.reason);
    expect(growthMb).toBeLessThan(300);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    // The queue shows the reason in plain Japanese.
    const list = await operator.get("/ops/paper");
    expect(list.html).toContain("画像が大きすぎる");
  });

  it("a form post with no file chosen asks for a file", async () => {
    const page = await operator.get("/ops/paper");
    const form = new FormData();
    form.append("csrf", operator.csrfFrom(page.html));
    form.append("files", new Blob([]), "");
    const response = await operator.request("/ops/paper", { method: "POST", body: form, headers: { Origin: server.url } });
    expect(response.status).toBe(400);
    expect(response.html).toContain("ファイルを選んでください");
  });
});

describe("the FAX folder (INTAKE_DIR)", () => {
  it("ingests a good file once into done/, moves hostile files to failed/ with their reason, and does not retry them", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "intake-dir-"));
    try {
      const still = new Date(services.now().getTime() - 60_000);
      const write = (name: string, bytes: Buffer) => {
        fs.writeFileSync(path.join(dir, name), bytes);
        fs.utimesSync(path.join(dir, name), still, still);
      };
      write("fax-good.png", goodPng(7));
      for (const f of HOSTILE(1)) write(`fax-${f.name}`, f.bytes);

      const { value: first, growthMb } = await peakRssGrowth(() => ingestFolder(services, dir));
      expect(first).toEqual({ ingested: 1, failed: 3 });
      expect(growthMb).toBeLessThan(300);
      expect(fs.readdirSync(dir).filter((n) => !["done", "failed"].includes(n))).toEqual([]);
      expect(fs.readdirSync(path.join(dir, "done"))).toEqual(["fax-good.png"]);
      for (const f of HOSTILE(1)) {
        expect(fs.existsSync(path.join(dir, "failed", `fax-${f.name}`))).toBe(true);
        const reason = fs.readFileSync(path.join(dir, "failed", `fax-${f.name}.reason.txt`), "utf8");
        expect(reason.split("\n")[0]).toBe(f.reason);
        expect(reason).toMatch(/[ぁ-ん]/);
        expect(reason).not.toContain(f.name); // the reason holds no name or content of the file
        expect(await exceptionReasonOf(`fax-${f.name}`)).toBe(f.reason);
      }
      const [good] = await services.db.select({ pages: paperIntakes.pageCount, status: paperIntakes.status }).from(paperIntakes).where(eq(paperIntakes.originalFilename, "fax-good.png"));
      expect(good).toEqual({ pages: 1, status: "received" });

      // Nothing is picked up again.
      expect(await ingestFolder(services, dir)).toEqual({ ingested: 0, failed: 0 });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
