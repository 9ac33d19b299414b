/**
 * Round trips template → render → OCR, for both forms, upright and turned, from FAX TIFF, PNG and
 * PDF; pages that are not forms go to the exceptions queue. One OCR pool for the whole file.
 */
import PDFDocument from "pdfkit";
import { decodeDocument } from "../../app/lib/ocr/decode-image.server";
import { rotateGray } from "../../app/lib/ocr/gray-image";
import { cropFieldImage, readFormFile, readFormPage, type FieldReading, type FormPageResult, type PageResult } from "../../app/lib/ocr/read-form.server";
import { TesseractPool } from "../../app/lib/ocr/tesseract-pool.server";
import { makeReference } from "../../app/domain/reference-number";
import { renderApplicationForm } from "../../templates/forms/application";
import type { PageTruth } from "../fixtures/forms/truth";
import { asFile, notAForm, render, truthFor } from "./helpers";
import { rasterisePdf } from "../fixtures/forms/fill-pdf";

let pool: TesseractPool;
beforeAll(async () => {
  pool = await TesseractPool.create({ size: 2 });
});
afterAll(async () => {
  await pool.terminate();
});

function expectForm(result: PageResult): FormPageResult {
  if (!result.ok) throw new Error(`not read: ${result.reason} ${result.detail ?? ""}`);
  return result;
}

function field(result: FormPageResult, name: string): FieldReading {
  const f = result.fields.find((x) => x.name === name);
  if (!f) throw new Error(`no field ${name}`);
  return f;
}

/** Digits and check boxes read exactly; nothing wrong is accepted, whatever the kind. */
function expectFaithful(result: FormPageResult, truth: PageTruth): void {
  for (const [name, expected] of Object.entries(truth.fields)) {
    const f = field(result, name);
    if (f.kind === "digits" || f.kind === "checkbox") expect(f.value, name).toEqual(expected);
    if (f.accepted && typeof expected === "string") {
      expect(String(f.value).replace(/\s/g, ""), `${name} accepted`).toBe(expected.replace(/\s/g, ""));
    }
    if (f.accepted && typeof expected === "boolean") expect(f.value, `${name} accepted`).toBe(expected);
    expect(f.confidence).toBeGreaterThanOrEqual(0);
    expect(f.confidence).toBeLessThanOrEqual(1);
  }
}

async function readBytes(bytes: Buffer): Promise<PageResult[]> {
  return (await readFormFile(pool, bytes)).map((p) => p.result);
}

describe("paper form OCR", () => {
  it("reads an application form sent by fine-mode FAX (CCITT G4 TIFF)", async () => {
    const truth = truthFor("application", 11, { phone: "0312345678", postalCode: "1560051", contactPhone: "09012345678", date: "20250401" });
    const [result] = await readBytes(asFile(render(truth), "tiff-g4"));
    const page = expectForm(result!);
    expect(page.formType).toBe("application");
    expect(page.formVersion).toBe("1");
    expect(page.alignment.quarterTurns).toBe(0);
    expectFaithful(page, truth);
    expect(field(page, "phone")).toMatchObject({ value: "0312345678", accepted: true });
    expect(page.needsReview).toEqual(page.fields.filter((f) => !f.accepted).sort((a, b) => a.confidence - b.confidence).map((f) => f.name));
  });

  it("reads a cancellation form from a normal-mode FAX (G3, 204×98 dpi, stretched back)", async () => {
    const truth = truthFor("cancellation", 12, { phone: "0662345678", reference: makeReference("1234567890"), contactPhone: "", date: "20250402" });
    const bytes = asFile(render(truth, { mode: "fax-normal" }), "tiff-g3");
    const [decoded] = await decodeDocument(bytes);
    expect(decoded!.stretchedVertically).toBe(true);
    const page = expectForm(await readFormPage(pool, decoded!.image, { lowResolution: true }));
    expect(page.formType).toBe("cancellation");
    expectFaithful(page, truth);
    // The reference check digit passes; an empty required contact number goes to an operator.
    expect(field(page, "reference").problems).toEqual([]);
    expect(field(page, "contactPhone")).toMatchObject({ value: "", accepted: false });
  });

  it("reads a page scanned turned 90° (300 dpi grey PNG)", async () => {
    const truth = truthFor("application", 13);
    const [result] = await readBytes(asFile(render(truth, { mode: "scan-300", rotation: 90, noise: 4, blurPasses: 1 }), "png"));
    const page = expectForm(result!);
    expect(page.alignment.quarterTurns).toBe(1);
    expectFaithful(page, truth);
  });

  it("reads an upside-down FAX and the request id of a prefilled form", async () => {
    const truth: PageTruth = { ...truthFor("application", 14), requestId: "R654321", prefilled: ["phone", "name", "kana", "postalCode", "address"] };
    const [result] = await readBytes(asFile(render(truth, { rotation: 180 }), "tiff-g4"));
    const page = expectForm(result!);
    expect(page.alignment.quarterTurns).toBe(2);
    expect(page.requestId).toBe("R654321");
    expectFaithful(page, truth);
  });

  it("reads every page of an image-only PDF (JPEG and deflated PNG images)", async () => {
    const first = truthFor("application", 15);
    const second = truthFor("cancellation", 16);
    const pdf = await imagePdf([asFile(render(first, { mode: "scan-300", noise: 3 }), "jpeg"), asFile(render(second, { mode: "scan-300", noise: 3 }), "png")]);
    const results = await readBytes(pdf);
    expect(results).toHaveLength(2);
    expect(expectForm(results[0]!).formType).toBe("application");
    expect(expectForm(results[1]!).formType).toBe("cancellation");
    expectFaithful(expectForm(results[0]!), first);
    expectFaithful(expectForm(results[1]!), second);
  });

  it("sends a page that is not a form to the exceptions queue, with the reason in Japanese", async () => {
    const result = await readFormPage(pool, notAForm());
    expect(result).toMatchObject({ ok: false, reason: "not_a_form" });
    if (!result.ok) expect(result.message).toMatch(/申込書ではない/);
  });

  it("sends a form whose QR code is unreadable to the exceptions queue", async () => {
    const truth = truthFor("application", 17);
    const page = render(truth);
    // Ink over the QR code (a stamp, a coffee stain): marks are found, the form type is not.
    const { image, xDpi, yDpi } = page;
    const x0 = Math.round((462 * xDpi) / 72);
    const y0 = Math.round((42 * yDpi) / 72);
    for (let y = y0 + 40; y < y0 + 200; y++) for (let x = x0 + 40; x < x0 + 200; x++) image.data[y * image.width + x] = 0;
    const result = await readFormPage(pool, image);
    expect(result).toMatchObject({ ok: false, reason: "qr_unreadable" });
  });

  it("reports a file it cannot open as unreadable", async () => {
    const [garbage] = await readBytes(Buffer.from("this is not an image"));
    expect(garbage).toMatchObject({ ok: false, reason: "unreadable_file" });
    const [truncated] = await readBytes(Buffer.from("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"));
    expect(truncated).toMatchObject({ ok: false, reason: "unreadable_file" });
  });

  // Issue 14, point 2: a PDF made of text and drawings (a form filled in on a computer, the blank form
  // sent back as-is) is rendered by pdf.js, and reads as the same form scanned into an image PDF does.
  it("reads a vector PDF of a filled form as it reads an image PDF of the same form", async () => {
    const prefill = { phone: "0312345678", name: "山田 花子", kana: "ヤマダ ハナコ", postalCode: "1000001", address: "東京都千代田区千代田1-1" };
    const vector = await renderApplicationForm({ prefill });
    // The image PDF: the same PDF printed to a 300 dpi image by another renderer (MuPDF), as a scanner would.
    const scanned = await imagePdf([rasterisePdf(vector, 300).png]);
    const fromVector = expectForm((await readBytes(vector))[0]!);
    const fromImage = expectForm((await readBytes(scanned))[0]!);
    const values = (result: FormPageResult) => Object.fromEntries(result.fields.map((f) => [f.name, f.value]));
    expect(fromVector.formType).toBe("application");
    expect(values(fromVector)).toEqual(values(fromImage));
    expect(field(fromVector, "phone")).toMatchObject({ value: "0312345678", accepted: true });
    expect(field(fromVector, "postalCode")).toMatchObject({ value: "1000001", accepted: true });
  }, 120_000);

  it("cuts a field's crop for the verification screen", async () => {
    const truth = truthFor("application", 18);
    const bytes = asFile(render(truth, { rotation: 180 }), "tiff-g4");
    const [first] = await readFormFile(pool, bytes);
    const page = expectForm(first!.result);
    const png = cropFieldImage(first!.image, page.alignment, field(page, "phone").box);
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
  });

  it("handles a page turned 270° given directly as an image", async () => {
    const truth = truthFor("cancellation", 19);
    const upright = render(truth, { mode: "scan-300", noise: 3 });
    const result = expectForm(await readFormPage(pool, rotateGray(upright.image, 3)));
    expect(result.alignment.quarterTurns).toBe(3);
    expectFaithful(result, truth);
  });
});

/** A scanner-style PDF: one full-page image per page (pdfkit embeds JPEG as DCT, PNG as Flate). */
function imagePdf(images: Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: "A4", margin: 0, autoFirstPage: false });
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    for (const img of images) {
      doc.addPage({ size: "A4", margin: 0 });
      doc.image(img, 0, 0, { width: doc.page.width, height: doc.page.height });
    }
    doc.end();
  });
}
