import { registrationMarkRects, A4 } from "../../templates/pdf";
import { renderApplicationForm, APPLICATION_LAYOUT } from "../../templates/forms/application";
import { renderCancellationForm, CANCELLATION_LAYOUT } from "../../templates/forms/cancellation";
import { renderCoverLetter } from "../../templates/forms/cover-letter";
import { combCells, FORM_LAYOUTS, type FormLayout, type LayoutRect } from "../../templates/forms/layout";
import { drawForm, type FormPainter } from "../../templates/forms/draw-form";

const FIXED = new Date("2025-04-01T00:00:00Z");

/** Every `x y w h re` operator of an uncompressed pdfkit PDF (pdfkit flips y: these are top-left points). */
function pdfRects(pdf: Buffer): LayoutRect[] {
  const out: LayoutRect[] = [];
  const re = /(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re/g;
  for (const m of pdf.toString("latin1").matchAll(re)) out.push({ x: +m[1]!, y: +m[2]!, width: +m[3]!, height: +m[4]! });
  return out;
}

const near = (a: LayoutRect, b: LayoutRect) =>
  Math.abs(a.x - b.x) < 0.01 && Math.abs(a.y - b.y) < 0.01 && Math.abs(a.width - b.width) < 0.01 && Math.abs(a.height - b.height) < 0.01;

/** The rectangles a layout asks for, recorded through the same drawForm the templates use. */
function recordRects(layout: FormLayout): LayoutRect[] {
  const rects: LayoutRect[] = [];
  const painter: FormPainter = {
    fillRect: (r) => rects.push(r),
    fillRects: () => {},
    strokeRect: (r) => rects.push(r),
    line: () => {},
    text: () => {},
    tick: () => {},
  };
  drawForm(painter, layout, { qrPayload: "KKF:AP:1" });
  return rects;
}

describe("form layouts (templates/forms/*.layout.json)", () => {
  it("puts the registration marks where templates/pdf.ts draws them, on A4", () => {
    const expected = registrationMarkRects();
    for (const layout of FORM_LAYOUTS) {
      expect(layout.page.width).toBeCloseTo(A4.width, 1);
      expect(layout.page.height).toBeCloseTo(A4.height, 1);
      for (const corner of ["topLeft", "topRight", "bottomLeft", "bottomRight"] as const) {
        expect(layout.registrationMarks[corner].x).toBeCloseTo(expected[corner].x, 1);
        expect(layout.registrationMarks[corner].y).toBeCloseTo(expected[corner].y, 1);
        expect(layout.registrationMarks[corner].width).toBeCloseTo(expected[corner].width, 1);
      }
    }
  });

  it("shares the marks and the QR position across forms (the OCR aligns before it knows the form)", () => {
    const [first, ...rest] = FORM_LAYOUTS;
    for (const layout of rest) {
      expect(layout.registrationMarks).toEqual(first!.registrationMarks);
      expect(layout.qr).toEqual(first!.qr);
    }
  });

  it("keeps every field inside the marks and away from the QR code, with no overlapping fields", () => {
    for (const layout of FORM_LAYOUTS) {
      const { topLeft, bottomRight } = layout.registrationMarks;
      const overlap = (a: LayoutRect, b: LayoutRect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      for (const f of layout.fields) {
        expect(f.box.x).toBeGreaterThan(topLeft.x + topLeft.width);
        expect(f.box.y).toBeGreaterThan(topLeft.y + topLeft.height);
        expect(f.box.x + f.box.width).toBeLessThan(bottomRight.x);
        expect(f.box.y + f.box.height).toBeLessThan(bottomRight.y);
        expect(overlap(f.box, layout.qr), `${layout.formType}.${f.name} overlaps the QR`).toBe(false);
        for (const g of layout.fields) if (g !== f) expect(overlap(f.box, g.box), `${f.name} / ${g.name}`).toBe(false);
      }
    }
  });

  it("has the fields the issue asks for", () => {
    const names = (l: FormLayout) => l.fields.map((f) => f.name);
    expect(names(APPLICATION_LAYOUT)).toEqual(
      expect.arrayContaining(["phone", "scope.outgoing", "scope.incoming", "carrier.ntt-east", "carrier.ntt-west", "carrier.ntt-docomo-business", "carrier.kddi", "carrier.softbank", "carrier.unknown", "relation.self", "relation.family", "relation.other", "name", "kana", "postalCode", "address", "contactPhone", "date", "signature"]),
    );
    expect(names(CANCELLATION_LAYOUT)).toEqual(expect.arrayContaining(["phone", "reference", "relation.self", "name", "kana", "contactPhone", "reasonText", "date", "signature"]));
    expect(APPLICATION_LAYOUT.fields.find((f) => f.name === "phone")?.cells).toBe(11);
    expect(APPLICATION_LAYOUT.fields.find((f) => f.name === "postalCode")?.cells).toBe(7);
    expect(CANCELLATION_LAYOUT.fields.find((f) => f.name === "reference")?.cells).toBe(11);
  });

  it.each([
    ["application", renderApplicationForm, APPLICATION_LAYOUT],
    ["cancellation", renderCancellationForm, CANCELLATION_LAYOUT],
  ] as const)("draws the %s PDF from the layout JSON: every comb cell, box and mark is in the PDF", async (_, renderForm, layout) => {
    const doc = await renderForm({ creationDate: FIXED });
    expect(doc.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    // Same document uncompressed, to read the drawing operators.
    const inPdf = pdfRects(await renderForm({ creationDate: FIXED, compress: false }));
    const wanted = recordRects(layout);
    expect(wanted.length).toBeGreaterThan(layout.fields.length);
    for (const r of wanted) expect(inPdf.some((p) => near(p, r)), JSON.stringify(r)).toBe(true);
    for (const f of layout.fields.filter((x) => x.kind === "digits")) {
      for (const cell of combCells(f)) expect(inPdf.some((p) => near(p, cell))).toBe(true);
    }
  });

  it("prints prefilled values and the request id, deterministically", async () => {
    const options = { requestId: "R123456", prefill: { phone: "03-1234-5678", name: "山田 太郎", kana: "ヤマダ タロウ", postalCode: "100-0013", address: "東京都千代田区霞が関1-2-3" }, creationDate: FIXED };
    const a = await renderApplicationForm(options);
    const b = await renderApplicationForm(options);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(await renderApplicationForm({ creationDate: FIXED }))).toBe(false);
  });

  it("renders a cover letter with the address block", async () => {
    const pdf = await renderCoverLetter({
      recipient: { postalCode: "1000013", address: "東京都千代田区霞が関1-2-3", name: "山田 太郎" },
      requestId: "R123456",
      returnFax: "03-0000-0000",
      date: FIXED,
    });
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.length).toBeGreaterThan(5000);
  });
});

