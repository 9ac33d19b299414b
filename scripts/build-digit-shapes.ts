/**
 * npm run ocr:digit-shapes [-- --seed 20250511 --count 60]
 *
 * Makes app/lib/ocr/digit-shapes.json, the labelled digit shapes of app/lib/ocr/digit-shapes.ts:
 * CALIBRATION pages only (test/fixtures/forms/generate.ts, FILL_FONTS, the bench:ocr degradations),
 * from their own seed (not the calibration seed 20250401 that sets the thresholds and the rule that uses
 * the shapes, and never a held-out seed or font). Each page goes through the product's own decoding and
 * reading (readFormPage); every written digit cell's interior is labelled with the page's truth.
 * Standard-mode FAX pages make the "low" set, fine FAX and scans the "normal" set.
 *
 * Runs compiled (esbuild, as bench:ocr does): the per-pixel code is several times slower through tsx.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { decodeDocument } from "../app/lib/ocr/decode-image.server";
import { digitShapeFeature, SHAPE_FEATURES } from "../app/lib/ocr/digit-shapes";
import { readFormPage } from "../app/lib/ocr/read-form.server";
import { TesseractPool } from "../app/lib/ocr/tesseract-pool.server";
import { generatePages } from "../test/fixtures/forms/generate";
import { SCAN_MODES } from "../test/fixtures/forms/render-page";
import { relaunchCompiled } from "./relaunch-compiled";

const { values: args } = parseArgs({
  options: {
    seed: { type: "string", default: "20250511" },
    count: { type: "string", default: "60" },
    out: { type: "string", default: "app/lib/ocr/digit-shapes.json" },
  },
});
const CALIBRATION_SEED = 20250401;
const HELD_OUT_SEEDS = [20270315, 20261124];

async function main(): Promise<void> {
  const seed = Number(args.seed);
  if (seed === CALIBRATION_SEED || HELD_OUT_SEEDS.includes(seed)) throw new Error(`seed ${seed} is used to set or to report the OCR: take another`);
  const count = Number(args.count);
  const pool = await TesseractPool.create({ size: Math.max(1, Math.min(2, os.cpus().length)) });
  const sets = { low: { labels: [] as string[], features: [] as Uint8Array[] }, normal: { labels: [] as string[], features: [] as Uint8Array[] } };
  try {
    for (const mode of SCAN_MODES) {
      const pages = generatePages({ seed, count, modes: [mode], fontSet: "calibration" });
      for (const page of pages) {
        const [decoded] = await decodeDocument(page.bytes);
        if (!decoded) continue;
        const lowResolution = decoded.stretchedVertically ?? false;
        const target = lowResolution ? sets.low : sets.normal;
        await readFormPage(pool, decoded.image, {
          lowResolution,
          onDigitCell: (field, cell, image) => {
            const truth = String(page.truth.fields[field] ?? "")[cell] ?? "";
            const feature = digitShapeFeature(image);
            if (!/^[0-9]$/.test(truth) || !feature) return;
            target.labels.push(truth);
            target.features.push(feature);
          },
        });
      }
      process.stdout.write(`${mode}: ${pages.length} pages; shapes so far low ${sets.low.labels.length}, normal ${sets.normal.labels.length}\n`);
    }
  } finally {
    await pool.terminate();
  }
  const pack = (s: { labels: string[]; features: Uint8Array[] }) => {
    const bytes = new Uint8Array(s.labels.length * SHAPE_FEATURES);
    s.features.forEach((f, i) => bytes.set(f, i * SHAPE_FEATURES));
    return { labels: s.labels.join(""), features: Buffer.from(bytes).toString("base64") };
  };
  const note = `calibration pages (FILL_FONTS), seed ${seed}, ${count} pages per scan mode (${SCAN_MODES.join(", ")}); npm run ocr:digit-shapes`;
  writeFileSync(args.out!, `${JSON.stringify({ note, low: pack(sets.low), normal: pack(sets.normal) })}\n`);
  process.stdout.write(`wrote ${args.out}: low ${sets.low.labels.length}, normal ${sets.normal.labels.length} shapes\n`);
}

const fail = (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
};
if (process.env.DIGIT_SHAPES_COMPILED === "1") main().catch(fail);
else relaunchCompiled({ entryUrl: import.meta.url, cacheDir: "node_modules/.cache/digit-shapes", flagEnv: "DIGIT_SHAPES_COMPILED" }).then((code) => process.exit(code), fail);
