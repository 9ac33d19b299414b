/**
 * Paper and FAX pages for the bench: the real form layout (templates/forms) filled and degraded with
 * test/fixtures/forms, but with fonts, inks and degradation ranges that did NOT set any OCR threshold.
 *
 * The thresholds in app/lib/ocr/confidence.ts were set from `npm run bench:ocr` (seed 20250401) on
 * pages filled with FILL_FONTS (Noto Sans JP, Noto Serif JP, Yomogi, Klee One, Zen Kurenaido, all in
 * their regular weight) with the ranges of generate.ts. This set uses other weights and faces (Klee One
 * SemiBold, Noto Sans JP Medium and Light, Noto Serif JP Medium), other inks, wider skew, shift and
 * FAX threshold ranges, and its own seed.
 */
import { createRequire } from "node:module";
import { GlobalFonts } from "@napi-rs/canvas";
import type { Scope } from "../../app/domain/carriers";
import { encodeGray } from "../../test/fixtures/forms/generate";
import { writeFaxTiff } from "../../test/fixtures/forms/ccitt-tiff";
import { FILL_FONTS, registerFonts, type FontFamily } from "../../test/fixtures/forms/fonts";
import { Random } from "../../test/fixtures/forms/random";
import { renderPage, type RenderOptions, type ScanMode } from "../../test/fixtures/forms/render-page";
import { applicationTruth, cancellationTruth, type PageTruth } from "../../test/fixtures/forms/truth";
import type { CancellationPlan, Persona, Submission } from "./plan";

export const CALIBRATION = {
  seed: 20250401,
  fonts: FILL_FONTS.map((f) => f.family),
  note: "bench:ocr ranges of test/fixtures/forms/generate.ts (skew ±2°, shift ±8 pt, FAX threshold 110–170, inks #000000/#101018/#1b1f4a)",
};

const HELD_OUT_FONT_FILES = {
  "Klee One SemiBold": "@expo-google-fonts/klee-one/600SemiBold/KleeOne_600SemiBold.ttf",
  "Noto Sans JP Medium": "@expo-google-fonts/noto-sans-jp/500Medium/NotoSansJP_500Medium.ttf",
  "Noto Sans JP Light": "@expo-google-fonts/noto-sans-jp/300Light/NotoSansJP_300Light.ttf",
  "Noto Serif JP Medium": "@expo-google-fonts/noto-serif-jp/500Medium/NotoSerifJP_500Medium.ttf",
} as const;
type HeldOutFont = keyof typeof HELD_OUT_FONT_FILES;

export const HELD_OUT_FONTS: readonly { family: HeldOutFont; handwriting: boolean; weight: number }[] = [
  { family: "Klee One SemiBold", handwriting: true, weight: 40 },
  { family: "Noto Sans JP Medium", handwriting: false, weight: 25 },
  { family: "Noto Serif JP Medium", handwriting: false, weight: 20 },
  { family: "Noto Sans JP Light", handwriting: false, weight: 15 },
];
const HELD_OUT_INKS = ["#000000", "#1a1a1a", "#0b2a6b", "#2b2b2b"] as const;
export const MODE_SHARES: readonly [ScanMode, number][] = [
  ["fax-fine", 40],
  ["fax-normal", 25],
  ["scan-300", 35],
];
export const HELD_OUT_SETTINGS = "inks #000000/#1a1a1a/#0b2a6b/#2b2b2b, skew ±2.5°, shift ±10 pt, scale 0.98–1.015, FAX threshold 100–180, FAX speckle 0.1–0.4%, grey noise sd 3–9, up to 5 stray marks";

let registered = false;
function registerHeldOutFonts(): void {
  if (registered) return;
  registerFonts();
  const require = createRequire(import.meta.url);
  for (const [family, file] of Object.entries(HELD_OUT_FONT_FILES)) GlobalFonts.registerFromPath(require.resolve(file), family);
  registered = true;
}

function pickWeighted<T>(rnd: Random, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let roll = rnd.next() * total;
  for (const [item, w] of items) {
    roll -= w;
    if (roll < 0) return item;
  }
  return items[items.length - 1]![0];
}

function renderOptions(rnd: Random): { options: RenderOptions; font: HeldOutFont } {
  const mode = pickWeighted(rnd, MODE_SHARES);
  const font = pickWeighted(rnd, HELD_OUT_FONTS.map((f) => [f, f.weight] as const));
  const fax = mode !== "scan-300";
  const rotation = fax ? rnd.pick([0, 0, 0, 0, 0, 0, 0, 180] as const) : rnd.pick([0, 0, 0, 0, 0, 0, 0, 90, 180, 270] as const);
  return {
    font: font.family,
    options: {
      mode,
      rotation,
      skewDeg: rnd.range(-2.5, 2.5),
      shift: { x: rnd.range(-10, 10), y: rnd.range(-10, 10) },
      scale: rnd.range(0.98, 1.015),
      pen: { font: font.family as unknown as FontFamily, ink: rnd.pick(HELD_OUT_INKS), sloppiness: font.handwriting ? rnd.range(0.4, 1.1) : rnd.range(0.15, 0.5) },
      blurPasses: fax ? rnd.int(0, 1) : rnd.int(0, 2),
      noise: fax ? rnd.range(0.001, 0.004) : rnd.range(3, 9),
      strayMarks: rnd.int(0, 5),
      faxThreshold: rnd.range(100, 180),
    },
  };
}

function tick(fields: PageTruth["fields"], group: string, choices: readonly string[], chosen: readonly string[]): void {
  for (const c of choices) fields[`${group}.${c}`] = chosen.includes(c);
}

const CARRIER_BOXES = ["ntt-east", "ntt-west", "ntt-docomo-business", "kddi", "softbank", "unknown"] as const;

/** What the applicant writes on the application form. */
export function applicationPage(submission: Submission, persona: Persona): PageTruth {
  const rnd = new Random(submission.pageSeed);
  const truth = applicationTruth(rnd);
  truth.requestId = undefined;
  truth.prefilled = [];
  const f = truth.fields;
  f.phone = persona.national;
  f.name = persona.name;
  f.kana = persona.kana;
  f.postalCode = persona.postalCode;
  f.address = persona.addressLines.filter(Boolean).join("\n");
  f.contactPhone = submission.applicantContact ?? "";
  const scopes: readonly Scope[] = submission.scopes;
  f["scope.outgoing"] = scopes.includes("outgoing");
  f["scope.incoming"] = scopes.includes("incoming");
  tick(f, "carrier", CARRIER_BOXES, [submission.carrier === "ntt" ? "unknown" : submission.carrier]);
  tick(f, "relation", ["self", "family", "other"], [submission.relation]);
  return truth;
}

const PAPER_REASON: Record<CancellationPlan["reason"], { box: string; text: string }> = {
  need_international: { box: "need-international", text: "" },
  not_wanted: { box: "not-requested", text: "" },
  moving: { box: "other", text: "引っ越しのため" },
  mistaken: { box: "other", text: "まちがえて申し込んだ" },
};

/** What the requester writes on the cancellation form. */
export function cancellationPage(plan: CancellationPlan, persona: Persona, reference: string | null): PageTruth {
  const rnd = new Random(plan.pageSeed);
  const truth = cancellationTruth(rnd);
  const f = truth.fields;
  f.phone = persona.national;
  f.reference = reference ?? "";
  f.name = plan.requesterName ?? persona.name;
  f.kana = plan.requesterKana ?? "";
  f.contactPhone = plan.contact;
  tick(f, "relation", ["self", "family", "other"], [plan.relation]);
  const reason = PAPER_REASON[plan.reason];
  tick(f, "reason", ["need-international", "not-requested", "family-applied", "other"], [reason.box]);
  f.reasonText = reason.text;
  return truth;
}

export type RenderedFile = { bytes: Buffer; fileName: string; mode: ScanMode; font: HeldOutFont; rotation: number };

/** Renders and encodes one page as the FAX server or the scanner would store it. */
export function renderFile(truth: PageTruth, seed: number, name: string): RenderedFile {
  registerHeldOutFonts();
  const rnd = new Random(seed ^ 0x5bd1e995);
  const { options, font } = renderOptions(rnd);
  const page = renderPage(truth, options, rnd);
  if (options.mode === "scan-300") {
    const jpeg = rnd.chance(0.5);
    return { bytes: encodeGray(page.image, jpeg ? "jpeg" : "png"), fileName: `${name}.${jpeg ? "jpg" : "png"}`, mode: options.mode, font, rotation: options.rotation };
  }
  const bits = new Uint8Array(page.image.data.length);
  for (let p = 0; p < bits.length; p++) bits[p] = page.image.data[p]! < 128 ? 1 : 0;
  const bytes = writeFaxTiff([{ width: page.image.width, height: page.image.height, bits, xDpi: page.xDpi, yDpi: page.yDpi }], options.mode === "fax-fine" ? "g4" : "g3");
  return { bytes, fileName: `${name}.tif`, mode: options.mode, font, rotation: options.rotation };
}
