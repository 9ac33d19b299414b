import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import {
  A4,
  addressBlock,
  createDocument,
  drawCheckBox,
  drawCombBoxes,
  drawRegistrationMarks,
  FONT_BOLD,
  fontPath,
  formatPostalCode,
  mm,
  registrationMarkRects,
  renderToBuffer,
} from "../../templates/pdf";

const SENTENCE = "国際電話不取扱のお申し込みを受け付けました";
const FIXED_DATE = new Date("2025-04-01T00:00:00Z");

const hasPdftotext = spawnSync("which", ["pdftotext"], { encoding: "utf8" }).status === 0;

async function sample(opts: { compress?: boolean; creationDate?: Date } = {}): Promise<Buffer> {
  const doc = createDocument({ title: "受付のお知らせ", creationDate: FIXED_DATE, ...opts });
  drawRegistrationMarks(doc);
  addressBlock(doc, {
    postalCode: "1000013",
    address: "東京都千代田区霞が関1-2-3 霞が関ハイツ101",
    name: "山田 太郎",
  });
  doc.fontSize(14).text(SENTENCE, mm(20), mm(80));
  doc.font(FONT_BOLD).fontSize(12).text("受付番号", mm(20), mm(100));
  drawCombBoxes(doc, { x: mm(20), y: mm(110), cellW: mm(7), cellH: mm(9), cells: 10, value: "0312345678", groupAfter: [1, 5] });
  drawCheckBox(doc, { x: mm(20), y: mm(125), size: mm(5), checked: true });
  drawCheckBox(doc, { x: mm(30), y: mm(125), size: mm(5), checked: false });
  return renderToBuffer(doc);
}

/** Inflates every FlateDecode stream so assertions can look at the PDF objects' text. */
function pdfText(buf: Buffer): string {
  const raw = buf.toString("latin1");
  let out = raw;
  const re = /stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(raw))) {
    const start = m.index + m[0].length;
    const end = raw.indexOf("endstream", start);
    if (end < 0) break;
    try {
      out += "\n" + inflateSync(buf.subarray(start, end)).toString("latin1");
    } catch {
      /* not deflated, or binary font data */
    }
  }
  return out;
}

function extractText(buf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), "pdf-test-"));
  try {
    const file = join(dir, "doc.pdf");
    writeFileSync(file, buf);
    return execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("templates/pdf", () => {
  it("resolves the Japanese fonts from the npm package", () => {
    expect(fontPath("JP")).toMatch(/node_modules\/@expo-google-fonts\/noto-sans-jp\/400Regular\/NotoSansJP_400Regular\.ttf$/);
    expect(fontPath("JP-Bold")).toMatch(/700Bold\/NotoSansJP_700Bold\.ttf$/);
  });

  it("renders a PDF with subset-embedded Noto Sans JP and metadata", async () => {
    const buf = await sample({ compress: false });
    expect(buf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const text = pdfText(buf);
    expect(text).toContain("/FontFile2");
    // Subset fonts are named "ABCDEF+PostScriptName".
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansJP/);
    expect(text).not.toMatch(/\/BaseFont \/Helvetica/);
    // A subset, not the whole 5 MB font (two weights).
    expect(buf.length).toBeLessThan(400_000);
    // Info dictionary strings are written as UTF-16BE hex or literal strings; check the Producer.
    expect(text).toMatch(/\/Author/);
    expect(text).toMatch(/\/Producer/);
  });

  it("is byte-for-byte deterministic for the same input and creation date", async () => {
    const a = await sample();
    const b = await sample();
    expect(a.equals(b)).toBe(true);
    const c = await sample({ creationDate: new Date("2025-04-02T00:00:00Z") });
    expect(a.equals(c)).toBe(false);
  });

  it.skipIf(!hasPdftotext)("contains real glyphs: pdftotext reads the Japanese back", async () => {
    const buf = await sample();
    const text = extractText(buf).replace(/\s+/g, "");
    expect(text).toContain(SENTENCE);
    expect(text).toContain("〒100-0013");
    expect(text).toContain("山田太郎");
    expect(text).toContain("受付番号");
  });

  it.skipIf(!hasPdftotext)("has the title and author in the metadata", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pdf-test-"));
    try {
      const file = join(dir, "doc.pdf");
      writeFileSync(file, await sample());
      const info = execFileSync("pdfinfo", [file], { encoding: "utf8" });
      expect(info).toMatch(/Title:\s+受付のお知らせ/);
      expect(info).toMatch(/Author:\s+国際電話不取扱受付センター/);
      expect(info).toMatch(/Page size:\s+595\.2\d* x 841\.8\d* pts \(A4\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("places registration marks inside the printable area of A4", () => {
    const marks = registrationMarkRects();
    for (const r of Object.values(marks)) {
      expect(r.x).toBeGreaterThanOrEqual(mm(5));
      expect(r.y).toBeGreaterThanOrEqual(mm(5));
      expect(r.x + r.width).toBeLessThanOrEqual(A4.width - mm(5));
      expect(r.y + r.height).toBeLessThanOrEqual(A4.height - mm(5));
    }
  });

  it("returns one rectangle per comb box cell", () => {
    const doc = createDocument({ creationDate: FIXED_DATE });
    const rects = drawCombBoxes(doc, { x: 10, y: 20, cellW: 15, cellH: 20, cells: 7, value: "1000013" });
    expect(rects).toHaveLength(7);
    expect(rects[6]).toEqual({ x: 100, y: 20, width: 15, height: 20 });
    doc.end();
  });

  it("formats postal codes", () => {
    expect(formatPostalCode("1000013")).toBe("〒100-0013");
    expect(formatPostalCode("100-0013")).toBe("〒100-0013");
    expect(formatPostalCode("１００－００１３")).toBe("〒100-0013");
  });
});
