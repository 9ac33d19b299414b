/**
 * npm run bench:ocr [-- --count 10 --seed 20270315 --calibration-seed 20250401 --set both
 *                       --modes fax-normal --no-baseline --no-write --dump samples.json
 *                       --digit-votes votes.json --tsx --no-cache]
 *
 * Runs as production does: this file and the OCR are compiled by esbuild (as scripts/build-server.mjs
 * compiles dist/, names not kept) into node_modules/.cache/bench-ocr/ and run on plain Node with
 * NODE_ENV=production; `--tsx` runs the TypeScript through tsx instead (slower per-pixel code).
 * Generated pages are cached there too, keyed by seed, count, modes and the generator's sources
 * (`--no-cache` regenerates).
 *
 * Field accuracy and speed of the paper-form OCR on two generated sets that share nothing:
 * - CALIBRATION (`--calibration-seed`, default 20250401; FILL_FONTS: Noto Sans JP, Noto Serif JP,
 *   Yomogi, Klee One, Zen Kurenaido). The thresholds of app/lib/ocr/confidence.ts and the line-call
 *   rule of app/domain/paper-request.ts are set on this set only; the bench prints, per field kind
 *   and resolution, the highest confidence a wrong value reached there and whether the thresholds
 *   sit above it.
 * - HELD-OUT (`--seed`, default 20270315; HELD_OUT_FILL_FONTS: Klee One SemiBold, Noto Sans JP
 *   Medium and Light, Noto Serif JP Medium). Only this set is reported (and written to BENCHMARKS.md).
 * Both use the same degradations (test/fixtures/forms/generate.ts): `--count` pages per scan mode
 * (FAX fine 204×196 G4, FAX normal 204×98 G3, 300 dpi grey scan), half application forms, half
 * cancellation forms. `--set calibration|held-out` runs one of them only (while tuning).
 *
 * Reports, per field kind: share read exactly, share sent to an operator (not accepted), and
 * wrong values that were accepted anyway (must be 0). Speed: seconds per form per core for the
 * pipeline (decode + align + fields) against whole-page OCR (Tesseract jpn, automatic page
 * segmentation) of the same images in the same run, as a ratio; measured as CPU time of the
 * process (worker threads included), which is what "per core" means and what a shared machine
 * disturbs least. CPU per stage (decode, align, QR, fields) is printed too. `--digit-votes` takes
 * all three line reads of every digit cell and writes them with the truth (calibration of
 * DIGIT_FIRST_READ). Writes the section "## OCR (npm run bench:ocr)" of BENCHMARKS.md.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { decodeDocument, decodeRaster } from "../app/lib/ocr/decode-image.server";
import { decodeBounded, liveDecodeChildrenCpuSeconds } from "../app/lib/ocr/safe-decode.server";
import { readFormPage } from "../app/lib/ocr/read-form.server";
import { PSM, TesseractPool } from "../app/lib/ocr/tesseract-pool.server";
import { cpuSecondsNow, type FieldReading, type PageResult, type StageTimes } from "../app/lib/ocr/types";
import type { DigitVote } from "../app/lib/ocr/digit-votes";
import { normalizeJapaneseText, normalizeKana } from "../app/domain/paper-form";
import { isCallableLine, LINE_CALL_MIN_CONFIDENCE, LINE_CALL_MIN_VOTES, LINE_CALL_SHAPE_VOTES } from "../app/domain/paper-request";
import { ACCEPT_THRESHOLDS, LOW_RESOLUTION_THRESHOLDS } from "../app/lib/ocr/confidence";
import { FIELD_KINDS, type FieldKind } from "../templates/forms/layout";
import { fontsOf, generatePages, writePages, type FontSet, type GeneratedPage } from "../test/fixtures/forms/generate";
import { SCAN_MODES, type ScanMode } from "../test/fixtures/forms/render-page";
import type { TruthValue } from "../test/fixtures/forms/truth";
import { relaunchCompiled } from "../scripts/relaunch-compiled";

const { values: args } = parseArgs({
  options: {
    count: { type: "string", default: "10" },
    /** The held-out set's seed (what is reported). */
    seed: { type: "string", default: "20270315" },
    /** The calibration set's seed (what thresholds are set on). */
    "calibration-seed": { type: "string", default: "20250401" },
    "calibration-count": { type: "string" },
    set: { type: "string", default: "both" },
    modes: { type: "string" },
    "no-baseline": { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false },
    "save-pages": { type: "boolean", default: false },
    dump: { type: "string" },
    "digit-votes": { type: "string" },
    tsx: { type: "boolean", default: false },
    /**
     * "in-process" (default): decodeDocument in this process. "production": as the intake and the
     * reading job do it — the bounded decode child (safe-decode.server.ts: a process per file, pages
     * back as PNG), then the PNG decoded again for reading (paper-ocr.server.ts); the child's CPU
     * is counted (from /proc/self/stat).
     */
    decode: { type: "string", default: "in-process" },
    "no-cache": { type: "boolean", default: false },
  },
});
/** This process runs the esbuild-compiled bench (see relaunchCompiled). */
const COMPILED = process.env.BENCH_OCR_COMPILED === "1";
const CACHE_DIR = "node_modules/.cache/bench-ocr";
const count = Number(args.count);
const seed = Number(args.seed);
const calibrationSeed = Number(args["calibration-seed"]);
const calibrationCount = Number(args["calibration-count"] ?? args.count);
const runSets = args.set === "both" ? (["calibration", "held-out"] as const) : args.set === "calibration" ? (["calibration"] as const) : args.set === "held-out" ? (["held-out"] as const) : null;
if (!runSets) throw new Error(`--set must be both, calibration or held-out (not ${args.set})`);
if (seed === calibrationSeed) throw new Error("the held-out seed must differ from the calibration seed");
const modes = (args.modes ? args.modes.split(",") : [...SCAN_MODES]) as ScanMode[];
for (const m of modes) if (!SCAN_MODES.includes(m)) throw new Error(`unknown mode ${m}`);
{
  const cal = new Set(fontsOf("calibration").map((f) => f.family as string));
  const shared = fontsOf("held-out").filter((f) => cal.has(f.family));
  if (shared.length > 0) throw new Error(`held-out and calibration fonts overlap: ${shared.map((f) => f.family).join(", ")}`);
}

/** Exactness is judged on what the centre stores: OCR spacing between Japanese characters is not an error. */
function same(kind: FieldKind, read: FieldReading["value"], truth: TruthValue): boolean {
  if (typeof truth === "boolean") return read === truth;
  if (typeof read !== "string") return false;
  const squash = (s: string) => s.replace(/\s+/g, "");
  if (kind === "kana") return squash(normalizeKana(read)) === squash(normalizeKana(truth));
  if (kind === "kanji" || kind === "text") return squash(normalizeJapaneseText(read)) === squash(normalizeJapaneseText(truth));
  return read === truth;
}

type Tally = { fields: number; exact: number; review: number; wrongAccepted: number; acceptedExact: number };
const emptyTally = (): Tally => ({ fields: 0, exact: 0, review: 0, wrongAccepted: 0, acceptedExact: 0 });

interface Sample {
  set: FontSet;
  page: string;
  font: string;
  mode: ScanMode;
  /** Decoded from non-square pixels (FAX normal): the stricter thresholds applied. */
  lowResolution: boolean;
  field: string;
  kind: FieldKind;
  truth: TruthValue;
  read: FieldReading["value"];
  confidence: number;
  accepted: boolean;
  exact: boolean;
  /** Validation problems (a phone number that is not a fixed line, a bad check digit…). */
  problems: string[];
  cells?: FieldReading["cells"];
}

interface SetRun {
  set: FontSet;
  seed: number;
  pages: GeneratedPage[];
  genSeconds: number;
  results: { page: GeneratedPage; result: PageResult; lowResolution: boolean }[];
  pipeCpu: number;
  baseCpu: number;
  pipeWall: number;
  baseWall: number;
  stages: StageTimes;
  cachedPages: boolean;
}

/** One written digit cell's line reads (and single-cell reads when they were taken), with the truth. */
interface DigitVoteRecord {
  set: FontSet;
  page: string;
  mode: ScanMode;
  lowResolution: boolean;
  font: string;
  field: string;
  cell: number;
  truth: string;
  lineVotes: DigitVote[][];
  singleVotes?: DigitVote[];
}
const digitVoteRecords: DigitVoteRecord[] = [];

/** Sources whose change changes the generated pages (the cache key). */
function generatorSourceHash(): string {
  const hash = createHash("sha256");
  for (const dir of ["test/fixtures/forms", "templates/forms"]) {
    for (const name of readdirSync(dir).sort()) {
      if (/\.(ts|json)$/.test(name)) hash.update(name).update(readFileSync(path.join(dir, name)));
    }
  }
  hash.update(readFileSync("app/lib/ocr/gray-image.ts"));
  return hash.digest("hex").slice(0, 16);
}

function cachedPages(set: FontSet, setSeed: number, setCount: number): { pages: GeneratedPage[]; cached: boolean } {
  const key = `${set}-${setSeed}-${setCount}-${modes.join("+")}-${generatorSourceHash()}`;
  const file = path.join(CACHE_DIR, `pages-${key}.json`);
  if (!args["no-cache"] && existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, "utf8")) as (Omit<GeneratedPage, "bytes"> & { bytes: string })[];
    return { pages: stored.map((p) => ({ ...p, bytes: Buffer.from(p.bytes, "base64") })), cached: true };
  }
  const pages = generatePages({ seed: setSeed, count: setCount, modes, fontSet: set });
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify(pages.map((p) => ({ ...p, bytes: p.bytes.toString("base64") }))));
  return { pages, cached: false };
}

/** CPU seconds of this process (worker threads included) and of its ended child processes. */
function childCpuSeconds(): number {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 16 and 17 of stat (cutime, cstime), counted from field 3 here, in clock ticks (100 Hz):
    // children that have ended; the decode children still running (reused between files) add theirs.
    return (Number(fields[13]) + Number(fields[14])) / 100 + liveDecodeChildrenCpuSeconds();
  } catch {
    return 0;
  }
}
const cpuSeconds = () => cpuSecondsNow() + (PRODUCTION_DECODE ? childCpuSeconds() : 0);
const PRODUCTION_DECODE = args.decode === "production";
if (args.decode !== "in-process" && !PRODUCTION_DECODE) throw new Error(`--decode must be in-process or production (not ${args.decode})`);

/** One page's image as the reading sees it (the bench's files hold one page each). */
async function decodePage(bytes: Uint8Array): Promise<{ image: Awaited<ReturnType<typeof decodeDocument>>[number]["image"]; lowResolution: boolean }> {
  if (!PRODUCTION_DECODE) {
    const [page] = await decodeDocument(bytes);
    return { image: page!.image, lowResolution: page!.stretchedVertically ?? false };
  }
  const bounded = await decodeBounded(bytes);
  if (!bounded.ok) throw new Error(`decode child: ${bounded.reason} ${bounded.detail}`);
  const page = bounded.pages[0]!;
  return { image: await decodeRaster(page.png), lowResolution: page.stretchedVertically };
}

async function runSet(pool: TesseractPool, set: FontSet, setSeed: number, setCount: number, baseline: boolean): Promise<SetRun> {
  const fonts = fontsOf(set).map((f) => f.family).join(", ");
  process.stdout.write(`${set === "held-out" ? "HELD-OUT set (reported)" : "CALIBRATION set (sets thresholds; not reported)"}: seed ${setSeed}, ${setCount} pages × ${modes.length} modes (${modes.join(", ")}), fonts ${fonts}…\n`);
  const genStart = performance.now();
  const { pages, cached } = cachedPages(set, setSeed, setCount);
  const genSeconds = (performance.now() - genStart) / 1000;
  if (args["save-pages"]) writePages(pages, `test/fixtures/forms/generated/bench-${set}`);
  // Pipeline and baseline, page by page, in CPU seconds of this process (worker threads included),
  // interleaved: other jobs on a shared machine change wall time a lot, CPU time much less.
  const stages: StageTimes = { decode: 0, align: 0, qr: 0, fields: 0 };
  const run: SetRun = { set, seed: setSeed, pages, genSeconds, results: [], pipeCpu: 0, baseCpu: 0, pipeWall: 0, baseWall: 0, stages, cachedPages: cached };
  const recordVotes = Boolean(args["digit-votes"]);
  for (const page of pages) {
    let cpu = cpuSeconds();
    let wall = performance.now();
    const decoded = await decodePage(page.bytes);
    stages.decode += cpuSeconds() - cpu;
    const lowResolution = decoded.lowResolution;
    const onDigitVotes = recordVotes
      ? (field: string, cell: number, lineVotes: DigitVote[][], singleVotes: DigitVote[] | undefined) => {
          const truth = String(page.truth.fields[field] ?? "")[cell] ?? "";
          digitVoteRecords.push({ set, page: page.id, mode: page.render.mode, lowResolution, font: page.render.font, field, cell, truth, lineVotes, singleVotes });
        }
      : undefined;
    run.results.push({ page, lowResolution, result: await readFormPage(pool, decoded.image, { lowResolution, stages, onDigitVotes, allDigitVotes: recordVotes }) });
    run.pipeCpu += cpuSeconds() - cpu;
    run.pipeWall += (performance.now() - wall) / 1000;
    if (!baseline) continue;
    cpu = cpuSeconds();
    wall = performance.now();
    const again = await decodePage(page.bytes);
    await pool.recognize({ image: again.image, lang: "jpn", psm: PSM.AUTO });
    run.baseCpu += cpuSeconds() - cpu;
    run.baseWall += (performance.now() - wall) / 1000;
  }
  return run;
}

function samplesOf(run: SetRun): { samples: Sample[]; exceptions: string[] } {
  const samples: Sample[] = [];
  const exceptions: string[] = [];
  for (const { page, result, lowResolution } of run.results) {
    if (!result.ok) exceptions.push(`${page.id} (${page.render.rotation}°): ${result.reason}`);
    for (const [name, truth] of Object.entries(page.truth.fields)) {
      const reading = result.ok ? result.fields.find((f) => f.name === name) : undefined;
      const kind = reading?.kind ?? guessKind(name, truth);
      samples.push({
        set: run.set,
        page: page.id,
        font: page.render.font,
        mode: page.render.mode,
        lowResolution,
        field: name,
        kind,
        truth,
        read: reading?.value ?? null,
        confidence: reading?.confidence ?? 0,
        accepted: reading?.accepted ?? false,
        exact: reading ? same(kind, reading.value, truth) : false,
        problems: reading?.problems ?? [],
        cells: reading?.cells,
      });
    }
  }
  return { samples, exceptions };
}

const callable = (x: Sample) => isCallableLine({ value: x.read, problems: x.problems, accepted: x.accepted, confidence: x.confidence, cells: x.cells });
const pct = (n: number, d: number) => (d === 0 ? "–" : `${((100 * n) / d).toFixed(1)}%`);

/** Line numbers per scan mode: exact, accepted, accepted wrong, worth a call, called wrong. */
function lineTable(samples: Sample[]): string[] {
  const rows = [
    `| line number (phone) | fields | read exactly | accepted automatically | accepted but wrong | worth a confirmation call | called but wrong |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: |`,
  ];
  for (const mode of [...modes, "all"] as const) {
    const ph = samples.filter((x) => x.field === "phone" && (mode === "all" || x.mode === mode));
    const acc = ph.filter((x) => x.accepted);
    const call = ph.filter(callable);
    rows.push(`| ${mode} | ${ph.length} | ${pct(ph.filter((x) => x.exact).length, ph.length)} | ${pct(acc.length, ph.length)} | ${acc.filter((x) => !x.exact).length} | ${pct(call.length, ph.length)} | ${call.filter((x) => !x.exact).length} |`);
  }
  return rows;
}

/**
 * What the calibration set demands: per kind and resolution, the highest confidence a wrong value
 * reached with every check passed; a threshold must sit above it. Also the line-call rule's wrong calls.
 */
function calibrationReport(samples: Sample[]): { lines: string[]; violations: string[] } {
  const lines = [
    `| field kind | resolution | fields | wrong values with checks passed | highest confidence of those | threshold (confidence.ts) | accepted there | wrong accepted |`,
    `| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |`,
  ];
  const violations: string[] = [];
  for (const kind of FIELD_KINDS) {
    for (const low of [false, true]) {
      const xs = samples.filter((x) => x.kind === kind && x.lowResolution === low);
      if (xs.length === 0) continue;
      const wrong = xs.filter((x) => !x.exact && x.problems.length === 0);
      const top = wrong.reduce((m, x) => Math.max(m, x.confidence), 0);
      const threshold = (low ? LOW_RESOLUTION_THRESHOLDS : ACCEPT_THRESHOLDS)[kind];
      const wrongAccepted = xs.filter((x) => x.accepted && !x.exact).length;
      if (wrongAccepted > 0) violations.push(`${kind} (${low ? "FAX normal" : "fine/scan"}): ${wrongAccepted} wrong accepted, highest wrong confidence ${top.toFixed(3)} ≥ threshold ${threshold}`);
      lines.push(`| ${kind} | ${low ? "FAX normal" : "fine/scan"} | ${xs.length} | ${wrong.length} | ${wrong.length ? top.toFixed(3) : "–"} | ${threshold} | ${pct(xs.filter((x) => x.accepted).length, xs.length)} | ${wrongAccepted} |`);
    }
  }
  const wrongCalls = samples.filter((x) => x.field === "phone" && callable(x) && !x.exact);
  if (wrongCalls.length > 0) violations.push(`line calls: ${wrongCalls.length} wrong number(s) would be called (${wrongCalls.map((x) => `${x.page} read ${String(x.read)}`).join("; ")})`);
  return { lines, violations };
}

async function main(): Promise<void> {
  const cores = Math.min(2, os.availableParallelism());
  const pool = await TesseractPool.create({ size: cores });
  try {
    const runs: SetRun[] = [];
    for (const set of runSets!) {
      runs.push(await runSet(pool, set, set === "held-out" ? seed : calibrationSeed, set === "held-out" ? count : calibrationCount, set === "held-out" && !args["no-baseline"]));
    }
    const all = runs.map((r) => ({ run: r, ...samplesOf(r) }));
    if (args.dump) writeFileSync(args.dump, JSON.stringify(all.flatMap((r) => r.samples), null, 1));
    if (args["digit-votes"]) writeFileSync(args["digit-votes"], JSON.stringify(digitVoteRecords));
    for (const r of runs) {
      const n = r.pages.length;
      const st = r.stages;
      process.stdout.write(
        `\n${r.set} set, CPU seconds per form by stage (${COMPILED ? "compiled" : "tsx"}): decode ${(st.decode / n).toFixed(3)}, align ${(st.align / n).toFixed(3)}, QR ${(st.qr / n).toFixed(3)}, fields ${(st.fields / n).toFixed(3)}; total ${(r.pipeCpu / n).toFixed(3)}\n`,
      );
    }

    const cal = all.find((r) => r.run.set === "calibration");
    if (cal) {
      const { lines, violations } = calibrationReport(cal.samples);
      const calText = [
        "",
        `=== CALIBRATION set (seed ${cal.run.seed}, fonts ${fontsOf("calibration").map((f) => f.family).join(", ")}): what the thresholds are set on; not a result ===`,
        "",
        ...lines,
        "",
        ...lineTable(cal.samples),
        "",
        violations.length === 0 ? "Thresholds consistent with the calibration set: no wrong value accepted, no wrong line called." : `THRESHOLDS TOO LOW FOR THE CALIBRATION SET:\n- ${violations.join("\n- ")}`,
        "",
      ].join("\n");
      process.stdout.write(calText);
    }
    const held = all.find((r) => r.run.set === "held-out");
    if (!held) {
      process.stdout.write("\nNo held-out set run (--set calibration): nothing to report or write.\n");
      return;
    }
    const { run, samples, exceptions } = held;
    const pages = run.pages;

    // --- Accuracy on the held-out set ------------------------------------------------------------
    const byKind = new Map<FieldKind, Tally>(FIELD_KINDS.map((k) => [k, emptyTally()]));
    const byModeKind = new Map<string, Tally>();
    for (const x of samples) {
      for (const t of [byKind.get(x.kind)!, tallyFor(byModeKind, `${x.mode}|${x.kind}`)]) {
        t.fields++;
        if (x.exact) t.exact++;
        if (!x.accepted) t.review++;
        if (x.accepted && !x.exact) t.wrongAccepted++;
        if (x.accepted && x.exact) t.acceptedExact++;
      }
    }
    const lines: string[] = [];
    lines.push(`| field kind | fields | read exactly | sent to an operator | accepted and exact | wrong but accepted |`);
    lines.push(`| --- | ---: | ---: | ---: | ---: | ---: |`);
    for (const [kind, t] of byKind) {
      if (t.fields === 0) continue;
      lines.push(`| ${kind} | ${t.fields} | ${pct(t.exact, t.fields)} | ${pct(t.review, t.fields)} | ${pct(t.acceptedExact, t.fields)} | ${t.wrongAccepted} |`);
    }
    const modeLines: string[] = [];
    modeLines.push(`| scan mode | digits exact | digits to operator | check boxes exact | check boxes to operator | wrong but accepted (all kinds) |`);
    modeLines.push(`| --- | ---: | ---: | ---: | ---: | ---: |`);
    for (const mode of modes) {
      const d = tallyFor(byModeKind, `${mode}|digits`);
      const c = tallyFor(byModeKind, `${mode}|checkbox`);
      const wrong = FIELD_KINDS.reduce((n, k) => n + tallyFor(byModeKind, `${mode}|${k}`).wrongAccepted, 0);
      modeLines.push(`| ${mode} | ${pct(d.exact, d.fields)} (${d.fields}) | ${pct(d.review, d.fields)} | ${pct(c.exact, c.fields)} (${c.fields}) | ${pct(c.review, c.fields)} | ${wrong} |`);
    }
    const wrongExamples = samples.filter((x) => x.accepted && !x.exact).map((x) => `${x.mode} ${x.font}: ${x.field} read ${JSON.stringify(x.read)} for ${JSON.stringify(x.truth)} (${x.confidence})`);
    const perFormPipe = run.pipeCpu / pages.length;
    const perFormBase = run.baseCpu / pages.length;
    const speed = [
      `| | CPU seconds per form (= seconds per form per core) | wall seconds per form on ${cores} cores |`,
      `| --- | ---: | ---: |`,
      `| this pipeline (decode, align, QR, fields) | ${perFormPipe.toFixed(2)} | ${(run.pipeWall / pages.length).toFixed(2)} |`,
      ...(run.baseCpu > 0
        ? [
            `| whole-page OCR of the same images (decode + Tesseract jpn, PSM 3) | ${perFormBase.toFixed(2)} | ${(run.baseWall / pages.length).toFixed(2)} |`,
            `| ratio whole-page / pipeline | ${(perFormBase / perFormPipe).toFixed(2)}× | ${(run.baseWall / run.pipeWall).toFixed(2)}× |`,
          ]
        : []),
    ];
    const st = run.stages;
    const stageLine = `Where the pipeline's CPU goes, per form: decode ${(st.decode / pages.length).toFixed(3)} s, align (registration marks) ${(st.align / pages.length).toFixed(3)} s, QR ${(st.qr / pages.length).toFixed(3)} s, fields (crops and Tesseract, both cores) ${(st.fields / pages.length).toFixed(3)} s.`;
    const modesFlag = args.modes ? ` --modes ${modes.join(",")}` : "";
    const command = `npm run bench:ocr -- --count ${count} --seed ${seed} --calibration-seed ${calibrationSeed}${runSets!.length === 1 ? ` --set ${runSets![0]}` : ""}${modesFlag}${args["no-baseline"] ? " --no-baseline" : ""}${args.tsx ? " --tsx" : ""}${PRODUCTION_DECODE ? " --decode production" : ""}`;
    const date = new Date().toISOString().slice(0, 10);
    const section = [
      "## OCR (npm run bench:ocr)",
      "",
      `Measured ${date} with \`${command}\` on ${cores} cores (${os.cpus()[0]?.model.trim() ?? "unknown CPU"}), Node ${process.version}, ${COMPILED ? "on code compiled by esbuild as for production (names not kept, NODE_ENV=production)" : "through tsx (development transpiler)"}; decoding ${PRODUCTION_DECODE ? "as production does it: the bounded decode children (one file at a time, reused after a file read without failure; their CPU counted), pages back as PNG, decoded again for reading" : "in this process (decodeDocument; production adds the bounded decode child and a PNG round trip: `--decode production`)"}.`,
      "",
      `**Everything below is the HELD-OUT set**: seed ${seed}, fonts ${fontsOf("held-out").map((f) => f.family).join(", ")} (Klee One SemiBold is handwriting-like) — none of them set a threshold. ` +
        `The thresholds (app/lib/ocr/confidence.ts) and the line-call rule (app/domain/paper-request.ts) are set on the CALIBRATION set only: seed ${calibrationSeed}, fonts ${fontsOf("calibration").map((f) => f.family).join(", ")}` +
        (cal ? `, run in the same command (${cal.run.pages.length} pages), where ${calibrationReport(cal.samples).violations.length === 0 ? "no wrong value was accepted and no wrong line called" : "THE THRESHOLDS ACCEPTED WRONG VALUES"}.` : " (not run this time)."),
      `Both sets: the same degradations — ${pages.length} held-out pages (${count} per scan mode: ${modes.join(", ")}; application and cancellation forms; per-character jitter; skew ±2°, shift, blur, noise, stray marks; some pages turned 90°/180°/270°). ${run.cachedPages ? "They came from the bench's page cache (generated by the same code earlier; not counted)." : `Generating them took ${run.genSeconds.toFixed(1)} s (not counted).`}`,
      `Pages that went to the exceptions queue: ${exceptions.length}${exceptions.length ? ` (${exceptions.join("; ")})` : ""}; their fields count as sent to an operator.`,
      "",
      "Per field kind (all modes). “Exact” ignores the spaces OCR puts between Japanese characters.",
      "",
      ...lines,
      "",
      `Wrong values accepted: ${wrongExamples.length}${wrongExamples.length ? ` (${wrongExamples.slice(0, 10).join("; ")})` : ""}.`,
      "",
      "Per scan mode (target: ≥ 99% exact on digits and check boxes in fine-mode FAX, 0 wrong accepted):",
      "",
      ...modeLines,
      "",
      `Line numbers: accepted automatically (confidence.ts), and worth a confirmation call (app/domain/paper-request.ts: checks passed; each digit agreed at ≥ ${LINE_CALL_MIN_CONFIDENCE}, settled by ≥ ${LINE_CALL_MIN_VOTES} votes, or by ${LINE_CALL_SHAPE_VOTES} of 7 digit shapes, none of which says another digit — ADR 028) — a wrong call rings a stranger's line:`,
      "",
      ...lineTable(samples),
      "",
      "Speed (decoding included in both; the pipeline reads fields on both cores at once, whole-page OCR runs on one):",
      "",
      ...speed,
      "",
      stageLine,
      "",
    ].join("\n");
    process.stdout.write(`\n=== HELD-OUT set: the reported figures ===\n\n${section}\n`);
    if (!args["no-write"]) writeSection(section);
  } finally {
    await pool.terminate();
  }
}

function tallyFor(map: Map<string, Tally>, key: string): Tally {
  let t = map.get(key);
  if (!t) map.set(key, (t = emptyTally()));
  return t;
}

function guessKind(name: string, truth: TruthValue): FieldKind {
  if (typeof truth === "boolean") return name === "signature" ? "signature" : "checkbox";
  if (name === "kana") return "kana";
  if (name === "name") return "kanji";
  if (name === "address" || name === "reasonText") return "text";
  return "digits";
}

/** Replaces (or appends) only our section of BENCHMARKS.md. */
function writeSection(section: string): void {
  const file = "BENCHMARKS.md";
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const heading = "## OCR (npm run bench:ocr)";
  const start = current.indexOf(heading);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const after = current.indexOf("\n## ", start + heading.length);
    next = current.slice(0, start) + section + (after < 0 ? "" : `\n${current.slice(after + 1)}`);
  }
  writeFileSync(file, next.endsWith("\n") ? next : `${next}\n`);
  process.stdout.write(`\nBENCHMARKS.md updated.\n`);
}

const fail = (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
};
if (COMPILED || args.tsx) main().catch(fail);
else {
  // This bench with the OCR, compiled into node_modules/.cache/bench-ocr/ as dist/ is, run on plain Node.
  relaunchCompiled({
    entryUrl: import.meta.url,
    cacheDir: CACHE_DIR,
    flagEnv: "BENCH_OCR_COMPILED",
    // The bounded decode child, where safe-decode.server.ts looks for it next to the compiled bench.
    extraEntries: [{ entry: "app/lib/ocr/safe-decode-worker.ts", outfile: "app/lib/ocr/safe-decode-worker.js" }],
  }).then((code) => process.exit(code), fail);
}
