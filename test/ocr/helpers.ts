/**
 * Builds test pages for the OCR tests: a form filled with known values, rendered like a scanner or
 * FAX would (same layout JSON as the PDF templates), encoded as a file.
 */
import { grayFromRgba, type GrayImage } from "../../app/lib/ocr/gray-image";
import { writeFaxTiff } from "../fixtures/forms/ccitt-tiff";
import { encodeGray } from "../fixtures/forms/generate";
import { Random } from "../fixtures/forms/random";
import { renderPage, type RenderOptions, type RenderedPage } from "../fixtures/forms/render-page";
import { applicationTruth, cancellationTruth, type PageTruth } from "../fixtures/forms/truth";
import { createCanvas } from "@napi-rs/canvas";

export const NEAT_PRINT: RenderOptions = {
  mode: "fax-fine",
  rotation: 0,
  skewDeg: 1.2,
  shift: { x: 3, y: -2 },
  scale: 0.995,
  pen: { font: "Noto Sans JP", ink: "#000000", sloppiness: 0.2 },
  blurPasses: 0,
  noise: 0.0005,
  strayMarks: 2,
  faxThreshold: 140,
};

export function truthFor(formType: PageTruth["formType"], seed: number, overrides: Record<string, string | boolean> = {}): PageTruth {
  const rnd = new Random(seed);
  const truth = formType === "application" ? applicationTruth(rnd) : cancellationTruth(rnd);
  return { ...truth, fields: { ...truth.fields, ...overrides } };
}

export function render(truth: PageTruth, options: Partial<RenderOptions> = {}, seed = 1): RenderedPage {
  return renderPage(truth, { ...NEAT_PRINT, ...options }, new Random(seed));
}

/** The page as the file a FAX server (TIFF) or scanner (PNG/JPEG) would deliver. */
export function asFile(page: RenderedPage, format: "tiff-g4" | "tiff-g3" | "png" | "jpeg"): Buffer {
  if (format === "png" || format === "jpeg") return encodeGray(page.image, format);
  const bits = new Uint8Array(page.image.data.length);
  for (let i = 0; i < bits.length; i++) bits[i] = page.image.data[i]! < 128 ? 1 : 0;
  return writeFaxTiff([{ width: page.image.width, height: page.image.height, bits, xDpi: page.xDpi, yDpi: page.yDpi }], format === "tiff-g3" ? "g3" : "g4");
}

/** A page that is not one of our forms: a letter with a few lines of text, no marks, no QR. */
export function notAForm(): GrayImage {
  const canvas = createCanvas(1240, 1754);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = "#000";
  ctx.font = '40px "Noto Sans JP"';
  ["お知らせ", "いつもありがとうございます。", "請求書を同封します。"].forEach((t, i) => ctx.fillText(t, 120, 200 + i * 80));
  ctx.fillRect(100, 1500, 1000, 6);
  return grayFromRgba(ctx.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
}
