/**
 * Bounded decoding (issue 14 ①): a file's declared sizes are checked in this process
 * (safe-decode-probe.ts, no pixels), then the full decode runs in a child process with a capped
 * heap and a time limit (safe-decode-worker.ts), one file at a time. Whatever the file does — a 20000×20000 PNG, a
 * TIFF declaring a huge page, a PDF that sends the parser round in circles — this process only
 * waits for an answer, and the answer comes within the time limit: pages as PNG, or a reason.
 *
 * At most DECODE_CONCURRENCY children run at once (the machines have 2 cores); others wait.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { EXCEPTION_MESSAGES } from "./exceptions";
import { probeDeclared, type ProbedFormat } from "./safe-decode-probe";
import { DECODE_HEAP_MB, DECODE_RSS_MB, DECODE_TIMEOUT_MS, type DecodeFailureReason } from "./safe-decode-limits";
import type { ChildAnswer, ChildRequest } from "./safe-decode-worker";

export type BoundedPage = { png: Buffer; pageIndex: number; stretchedVertically: boolean };
export type BoundedDecode =
  | { ok: true; format: ProbedFormat; pages: BoundedPage[] }
  | {
      ok: false;
      reason: DecodeFailureReason;
      /** Plain Japanese for the operator (no content of the file). */
      message: string;
      /** Technical, for the log. */
      detail: string;
    };

const DECODE_CONCURRENCY = 2;
const REASONS: readonly string[] = ["unreadable_file", "file_too_large", "image_too_large", "too_many_pages", "decode_timeout", "decode_failed"];

let running = 0;
const waiting: (() => void)[] = [];
async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= DECODE_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

let entry: { file: string; root: string; needsTsx: boolean } | undefined;
/**
 * The child's entry file: next to this module (tsx, vitest; or dist/ when this module is compiled by
 * scripts/build-server.mjs), or found from the Remix build's folder — the compiled child in dist/
 * first, then the TypeScript source (run through tsx) when nothing was compiled.
 */
function workerEntry(): { file: string; root: string; needsTsx: boolean } {
  if (entry) return entry;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 8; up++) {
    for (const sub of ["", "app/lib/ocr", "dist/app/lib/ocr"]) {
      for (const ext of [".js", ".ts"]) {
        const file = path.join(dir, sub, `safe-decode-worker${ext}`);
        if (fs.existsSync(file)) {
          let root = path.dirname(file);
          while (root !== path.dirname(root) && !fs.existsSync(path.join(root, "node_modules"))) root = path.dirname(root);
          return (entry = { file, root, needsTsx: ext === ".ts" });
        }
      }
    }
    dir = path.dirname(dir);
  }
  throw new Error("safe-decode-worker not found");
}

/** Resident memory of a process in MB from /proc (Linux); undefined elsewhere or when it has ended. */
function residentMb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "latin1"));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const fail = (reason: DecodeFailureReason, detail: string, message?: string): BoundedDecode => ({
  ok: false,
  reason,
  message: message ?? EXCEPTION_MESSAGES[reason],
  detail,
});

/** Linux's USER_HZ: /proc reports CPU time in ticks of 1/100 s on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux); undefined elsewhere or when it has ended. */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1");
    // After "pid (comm) ": field 3 (state) is index 0, so utime (14) and stime (15) are 11 and 12.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A child that uses no CPU for this many times its CPU limit is stuck (waiting on nothing), not busy:
 * the wall-clock backstop. On a machine whose cores are all busy, a good page can take many times its
 * CPU time on the wall clock, so the limit a file is held to is CPU time (issue 12, point 11: a FAX was
 * refused as "too slow" under a load of 20 on 2 cores).
 */
const WALL_CLOCK_FACTOR = 10;

/** Files one decode child may read before it is replaced by a fresh process. */
const FILES_PER_CHILD = 50;
/** A child left over this resident size (or half the next file's limit) after a file is not reused. */
const REUSE_RSS_MB = 300;
/** An idle child is ended after this long. */
const IDLE_MS = 30_000;

/**
 * A decode child kept between files: starting Node and loading the decoders costs about 0.15 CPU-s,
 * as much as decoding a FAX page (issue 14, point 5). A child is reused only after a file it read
 * without any failure; any failure, limit or doubt ends it, so a hostile file never shares a process
 * with the next one. At most DECODE_CONCURRENCY idle children are kept, each for IDLE_MS.
 */
type DecodeChild = { process: ChildProcess; heapMb: number; files: number; ready: Promise<boolean>; stderr: string; idleTimer?: NodeJS.Timeout };
const idleChildren: DecodeChild[] = [];
/** Every decode child not yet ended, idle or busy. */
const liveChildren = new Set<ChildProcess>();
let childrenStarted = 0;
let requestIds = 0;

/** How many decode children this process has started (tests: a child is reused, or not). */
export function decodeChildrenStarted(): number {
  return childrenStarted;
}

/**
 * CPU seconds used so far by the decode children still running (Linux; 0 elsewhere). A child's
 * time moves to this process's cutime/cstime only when it ends, so a measurement of the decoding's
 * cost (bench:ocr) adds both.
 */
export function liveDecodeChildrenCpuSeconds(): number {
  let ms = 0;
  for (const child of liveChildren) ms += (child.pid ? cpuMs(child.pid) : undefined) ?? 0;
  return ms / 1000;
}

function startChild(heapMb: number): DecodeChild {
  const { file, root, needsTsx } = workerEntry();
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, ...(needsTsx ? ["--import", "tsx"] : []), file], {
    cwd: root,
    stdio: ["ignore", "ignore", "pipe", "ipc"],
    serialization: "advanced",
    env: { PATH: process.env.PATH ?? "", NODE_ENV: process.env.NODE_ENV ?? "production" },
  });
  childrenStarted++;
  liveChildren.add(child);
  child.once("exit", () => liveChildren.delete(child));
  const decodeChild: DecodeChild = {
    process: child,
    heapMb,
    files: 0,
    stderr: "",
    ready: new Promise<boolean>((resolve) => {
      child.once("message", (raw: unknown) => resolve(Boolean(raw && typeof raw === "object" && "ready" in raw)));
      child.once("exit", () => resolve(false));
      child.once("error", () => resolve(false));
    }),
  };
  child.stderr?.on("data", (chunk: Buffer) => {
    decodeChild.stderr = (decodeChild.stderr + chunk.toString("utf8")).slice(-400);
  });
  return decodeChild;
}

const alive = (c: DecodeChild) => c.process.exitCode === null && c.process.signalCode === null;

function endChild(c: DecodeChild): void {
  clearTimeout(c.idleTimer);
  const at = idleChildren.indexOf(c);
  if (at >= 0) idleChildren.splice(at, 1);
  if (alive(c)) c.process.kill("SIGKILL");
}

/** An idle child with the same heap cap whose memory leaves room under `rssMb`, or a new one. */
function takeChild(heapMb: number, rssMb: number): DecodeChild {
  for (;;) {
    const at = idleChildren.findIndex((c) => c.heapMb === heapMb);
    if (at < 0) return startChild(heapMb);
    const [c] = idleChildren.splice(at, 1);
    clearTimeout(c!.idleTimer);
    const rss = c!.process.pid ? residentMb(c!.process.pid) : undefined;
    if (alive(c!) && rss !== undefined && rss < Math.min(REUSE_RSS_MB, rssMb / 2)) {
      c!.process.ref();
      c!.process.channel?.ref();
      return c!;
    }
    endChild(c!);
  }
}

/** After a file read without failure: kept for the next file, or ended. */
function releaseChild(c: DecodeChild): void {
  c.files++;
  const rss = c.process.pid ? residentMb(c.process.pid) : undefined;
  if (!alive(c) || c.files >= FILES_PER_CHILD || rss === undefined || rss >= REUSE_RSS_MB || idleChildren.length >= DECODE_CONCURRENCY) {
    endChild(c);
    return;
  }
  // Idle children do not keep this process running.
  c.process.unref();
  c.process.channel?.unref();
  c.idleTimer = setTimeout(() => endChild(c), IDLE_MS);
  c.idleTimer.unref();
  idleChildren.push(c);
}

/**
 * Decodes a file into page PNGs within the limits of safe-decode-limits.ts. Never throws for a bad file.
 * `timeoutMs` is the CPU time the decoding child may use for this file (Linux; the wall-clock time
 * elsewhere); `rssMb` the child's whole resident memory.
 */
export async function decodeBounded(bytes: Uint8Array, options: { timeoutMs?: number; heapMb?: number; rssMb?: number } = {}): Promise<BoundedDecode> {
  const probe = probeDeclared(bytes);
  if (!probe.ok) return fail(probe.reason, probe.detail);
  const timeoutMs = options.timeoutMs ?? DECODE_TIMEOUT_MS;
  const heapMb = options.heapMb ?? DECODE_HEAP_MB;
  const rssMb = options.rssMb ?? DECODE_RSS_MB;
  const format = probe.format;
  return withSlot(
    () =>
      new Promise<BoundedDecode>((resolve) => {
        const decodeChild = takeChild(heapMb, rssMb);
        const child = decodeChild.process;
        const id = ++requestIds;
        let settled = false;
        let cpuAtStart: number | undefined;
        const cpuUsed = () => {
          const now = child.pid ? cpuMs(child.pid) : undefined;
          return now === undefined || cpuAtStart === undefined ? undefined : now - cpuAtStart;
        };
        const finish = (result: BoundedDecode, reusable = false) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          clearInterval(watch);
          child.off("message", onMessage);
          child.off("exit", onExit);
          child.off("error", onError);
          if (reusable) releaseChild(decodeChild);
          else endChild(decodeChild);
          resolve(result);
        };
        const cpuKnown = child.pid !== undefined && cpuMs(child.pid) !== undefined;
        const wallMs = cpuKnown ? timeoutMs * WALL_CLOCK_FACTOR : timeoutMs;
        const timer = setTimeout(() => finish(fail("decode_timeout", `no answer within ${wallMs} ms`)), wallMs);
        // The whole child's resident memory (native buffers included) and its CPU time for this file,
        // where Linux tells them.
        const watch = setInterval(() => {
          const rss = child.pid ? residentMb(child.pid) : undefined;
          if (rss !== undefined && rss > rssMb) finish(fail("decode_failed", `decode process over ${rssMb} MB resident (${Math.round(rss)} MB)`));
          const cpu = cpuUsed();
          if (cpu !== undefined && cpu > timeoutMs) finish(fail("decode_timeout", `decode process used more than ${timeoutMs} ms of CPU`));
        }, 50);
        const onError = (error: Error) => finish(fail("decode_failed", `decode process: ${error.message}`));
        const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
          finish(fail("decode_failed", `decode process ended (${signal ?? `code ${code}`}) ${decodeChild.stderr.trim()}`));
        const onMessage = (raw: unknown) => {
          if (!raw || typeof raw !== "object" || !("id" in raw) || (raw as { id: unknown }).id !== id) return;
          // The limit holds for the whole decode, also when the answer comes between two watches.
          const cpu = cpuUsed();
          if (cpu !== undefined && cpu > timeoutMs) return finish(fail("decode_timeout", `decode process used more than ${timeoutMs} ms of CPU`));
          const { answer } = raw as unknown as { answer: ChildAnswer };
          if (answer.ok) {
            finish(
              {
                ok: true,
                format,
                pages: answer.pages.map((p) => ({ png: Buffer.from(p.png.buffer, p.png.byteOffset, p.png.byteLength), pageIndex: p.pageIndex, stretchedVertically: p.stretchedVertically })),
              },
              true,
            );
          } else {
            const reason = (REASONS.includes(answer.reason) ? answer.reason : "decode_failed") as DecodeFailureReason;
            finish(fail(reason, answer.detail, answer.message));
          }
        };
        child.on("error", onError);
        child.on("exit", onExit);
        child.on("message", onMessage);
        void decodeChild.ready.then((ready) => {
          if (settled) return;
          if (!ready) return finish(fail("decode_failed", `decode process did not start ${decodeChild.stderr.trim()}`));
          cpuAtStart = child.pid ? cpuMs(child.pid) : undefined;
          const request: ChildRequest = { id, bytes };
          child.send(request, (error) => {
            if (error) finish(fail("decode_failed", `could not send the file: ${error.message}`));
          });
        });
      }),
  );
}
