/**
 * A pool of tesseract.js workers, one slot per CPU (os.availableParallelism(), at most 2 by
 * default on these machines), fully offline:
 *  - traineddata come from the @tesseract.js-data npm packages (langPath = the package folder,
 *    gzip), never from the CDN that tesseract.js defaults to;
 *  - cacheMethod "none", or tesseract.js writes traineddata into the working directory;
 *  - one worker has one langPath, so "jpn+eng" gets a temporary folder linking both files.
 *
 * Each slot holds one worker per language and runs one job at a time (a job sets its own page
 * segmentation mode and whitelist, so a worker cannot be shared by two jobs at once).
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { createWorker, OEM, PSM, type Worker } from "tesseract.js";
import { grayToPgm, type GrayImage } from "./gray-image";

export type OcrLanguage = "jpn" | "eng" | "jpn+eng";
export { PSM };

export interface RecognizeRequest {
  image: GrayImage;
  lang: OcrLanguage;
  psm: PSM;
  /** Only these characters may be returned ("" = no restriction). */
  whitelist?: string;
}

export interface RecognizedSymbol {
  text: string;
  /** 0..100 as Tesseract reports it. */
  confidence: number;
  /** Horizontal centre in the request image's pixels. */
  centreX: number;
}

export interface Recognition {
  text: string;
  /** 0..100, Tesseract's page confidence. */
  confidence: number;
  symbols: RecognizedSymbol[];
  /** Milliseconds spent inside the worker (queueing excluded). */
  ms: number;
}

/** Where the "best_int" traineddata of a language is inside its npm package. */
export function traineddataFolder(lang: "jpn" | "eng"): string {
  const require = createRequire(import.meta.url);
  const folder = path.join(path.dirname(require.resolve(`@tesseract.js-data/${lang}/package.json`)), "4.0.0_best_int");
  if (!existsSync(path.join(folder, `${lang}.traineddata.gz`))) {
    throw new Error(`Missing ${lang}.traineddata.gz in ${folder}: is @tesseract.js-data/${lang} installed?`);
  }
  return folder;
}

export function defaultPoolSize(): number {
  return Math.max(1, Math.min(2, os.availableParallelism()));
}

type Slot = { workers: Map<OcrLanguage, Worker>; params: Map<Worker, string> };
type Job = { request: RecognizeRequest; resolve: (r: Recognition) => void; reject: (e: unknown) => void };

export class TesseractPool {
  private readonly free: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly tempFolders: string[] = [];
  private closed = false;

  private constructor(
    private readonly slots: Slot[],
    private readonly languages: readonly OcrLanguage[],
  ) {
    this.free.push(...slots);
  }

  /** Starts `size` slots with a worker for each language (about 0.4 s per worker). */
  static async create(options: { size?: number; languages?: readonly OcrLanguage[] } = {}): Promise<TesseractPool> {
    const size = options.size ?? defaultPoolSize();
    const languages = options.languages ?? ["jpn", "eng"];
    const tempFolders: string[] = [];
    const langPathFor = (lang: OcrLanguage): string => {
      if (lang !== "jpn+eng") return traineddataFolder(lang);
      const dir = mkdtempSync(path.join(os.tmpdir(), "kokusai-tessdata-"));
      for (const l of ["jpn", "eng"] as const) {
        symlinkSync(path.join(traineddataFolder(l), `${l}.traineddata.gz`), path.join(dir, `${l}.traineddata.gz`));
      }
      tempFolders.push(dir);
      return dir;
    };
    const slots: Slot[] = [];
    try {
      for (let i = 0; i < size; i++) {
        const workers = new Map<OcrLanguage, Worker>();
        slots.push({ workers, params: new Map() });
        for (const lang of languages) {
          const worker = await createWorker(lang, OEM.LSTM_ONLY, {
            langPath: langPathFor(lang),
            cacheMethod: "none",
            gzip: true,
          });
          // Tesseract prints "Estimating resolution…" and similar debug lines to stdout; send them
          // nowhere, and give a resolution so it does not have to guess.
          await worker.setParameters({ debug_file: "/dev/null", user_defined_dpi: "300" });
          workers.set(lang, worker);
        }
      }
    } catch (error) {
      await Promise.allSettled(slots.flatMap((s) => [...s.workers.values()].map((w) => w.terminate())));
      for (const dir of tempFolders) rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const pool = new TesseractPool(slots, languages);
    pool.tempFolders.push(...tempFolders);
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  recognize(request: RecognizeRequest): Promise<Recognition> {
    if (this.closed) return Promise.reject(new Error("the OCR pool is closed"));
    if (!this.languages.includes(request.lang)) return Promise.reject(new Error(`the OCR pool has no ${request.lang} worker`));
    return new Promise<Recognition>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.free.length > 0 && this.queue.length > 0) {
      const slot = this.free.pop()!;
      const job = this.queue.shift()!;
      this.run(slot, job.request)
        .then(job.resolve, job.reject)
        .finally(() => {
          this.free.push(slot);
          this.pump();
        });
    }
  }

  private async run(slot: Slot, request: RecognizeRequest): Promise<Recognition> {
    const started = performance.now();
    const worker = slot.workers.get(request.lang)!;
    const params = { tessedit_pageseg_mode: request.psm, tessedit_char_whitelist: request.whitelist ?? "" };
    const key = JSON.stringify(params);
    if (slot.params.get(worker) !== key) {
      await worker.setParameters(params);
      slot.params.set(worker, key);
    }
    const { data } = await worker.recognize(grayToPgm(request.image), {}, { text: true, blocks: true });
    const symbols: RecognizedSymbol[] = [];
    for (const block of data.blocks ?? []) {
      for (const paragraph of block.paragraphs) {
        for (const line of paragraph.lines) {
          for (const word of line.words) {
            for (const s of word.symbols) {
              symbols.push({ text: s.text, confidence: s.confidence, centreX: (s.bbox.x0 + s.bbox.x1) / 2 });
            }
          }
        }
      }
    }
    return { text: data.text, confidence: data.confidence, symbols, ms: performance.now() - started };
  }

  /** Stops every worker (call once; pending jobs are rejected). */
  async terminate(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error("the OCR pool was closed"));
    await Promise.allSettled(this.slots.flatMap((s) => [...s.workers.values()].map((w) => w.terminate())));
    for (const dir of this.tempFolders) rmSync(dir, { recursive: true, force: true });
  }
}
