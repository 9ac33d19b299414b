/**
 * What makes a batch trustworthy, as pure rules: the signed manifest and the per-carrier sequence.
 *
 * The manifest is a short text the centre signs with Ed25519. It names the carrier, the sequence
 * number, the number of records, the SHA-256 and size of both renderings of the file (CSV and JSON),
 * and the SHA-256 of the carrier's previous manifest. A carrier that checks the signature and the hash
 * knows the file is complete and from the centre; checking that the sequence is the last one plus one
 * and that the previous hash matches shows that no batch went missing in between.
 */
import type { CsvEncoding } from "./carrier-files";

export const MANIFEST_VERSION = "kokusai-carrier-batch-manifest/1";

export type Manifest = {
  carrier: string;
  sequence: number;
  cutAt: string;
  records: number;
  csvEncoding: CsvEncoding;
  csvSha256: string;
  csvBytes: number;
  jsonSha256: string;
  jsonBytes: number;
  /** SHA-256 of the carrier's previous manifest text; "" for its first batch. */
  previousManifestSha256: string;
  keyId: string;
};

const FIELDS: readonly [keyof Manifest, string][] = [
  ["carrier", "carrier"],
  ["sequence", "sequence"],
  ["cutAt", "cut-at"],
  ["records", "records"],
  ["csvEncoding", "csv-encoding"],
  ["csvSha256", "csv-sha256"],
  ["csvBytes", "csv-bytes"],
  ["jsonSha256", "json-sha256"],
  ["jsonBytes", "json-bytes"],
  ["previousManifestSha256", "previous-manifest-sha256"],
  ["keyId", "key-id"],
];

/** The exact text that is signed: the version line, then "name: value" lines, each ending in LF. */
export function manifestText(manifest: Manifest): string {
  return `${MANIFEST_VERSION}\n${FIELDS.map(([key, name]) => `${name}: ${String(manifest[key])}\n`).join("")}`;
}

export function parseManifest(text: string): Manifest | null {
  const lines = text.split("\n");
  if (lines[0] !== MANIFEST_VERSION || lines.at(-1) !== "") return null;
  const values = new Map<string, string>();
  for (const line of lines.slice(1, -1)) {
    const index = line.indexOf(": ");
    if (index < 0) return null;
    values.set(line.slice(0, index), line.slice(index + 2));
  }
  const get = (name: string) => values.get(name);
  const numbers = ["sequence", "records", "csv-bytes", "json-bytes"];
  for (const [, name] of FIELDS) {
    const value = get(name);
    if (value === undefined) return null;
    if (numbers.includes(name) && !/^\d+$/.test(value)) return null;
  }
  const encoding = get("csv-encoding");
  if (encoding !== "utf-8" && encoding !== "shift_jis") return null;
  const manifest: Manifest = {
    carrier: get("carrier")!,
    sequence: Number(get("sequence")),
    cutAt: get("cut-at")!,
    records: Number(get("records")),
    csvEncoding: encoding,
    csvSha256: get("csv-sha256")!,
    csvBytes: Number(get("csv-bytes")),
    jsonSha256: get("json-sha256")!,
    jsonBytes: Number(get("json-bytes")),
    previousManifestSha256: get("previous-manifest-sha256")!,
    keyId: get("key-id")!,
  };
  // Canonical form only: a manifest that does not re-serialise to the same text is not ours.
  return manifestText(manifest) === text ? manifest : null;
}

/** Sequences start at 1 per carrier and go up by one; the cutter takes max + 1 under a lock. */
export function nextSequence(previous: number | null | undefined): number {
  return (previous ?? 0) + 1;
}

/** The sequence numbers missing from what a carrier has seen (from 1 up to the highest). */
export function missingSequences(seen: Iterable<number>): number[] {
  const set = new Set(seen);
  let max = 0;
  for (const n of set) if (n > max) max = n;
  const missing: number[] = [];
  for (let n = 1; n <= max; n++) if (!set.has(n)) missing.push(n);
  return missing;
}

export type ContinuityCheck =
  | { ok: true }
  | { ok: false; reason: "gap"; expected: number; got: number }
  | { ok: false; reason: "replayed"; expected: number; got: number }
  | { ok: false; reason: "chain_broken"; expectedPrevious: string; got: string };

/**
 * A carrier's check of a new batch against the last one it accepted: the next sequence, chained to
 * the last manifest. `last` is null before the carrier's first batch.
 */
export function checkContinuity(last: { sequence: number; manifestSha256: string } | null, next: Manifest): ContinuityCheck {
  const expected = nextSequence(last?.sequence);
  if (next.sequence < expected) return { ok: false, reason: "replayed", expected, got: next.sequence };
  if (next.sequence > expected) return { ok: false, reason: "gap", expected, got: next.sequence };
  const expectedPrevious = last?.manifestSha256 ?? "";
  if (next.previousManifestSha256 !== expectedPrevious) {
    return { ok: false, reason: "chain_broken", expectedPrevious, got: next.previousManifestSha256 };
  }
  return { ok: true };
}

export const BATCH_STATUSES = ["cutting", "ready", "sent", "acknowledged", "answered"] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const BATCH_STATUS_LABELS: Readonly<Record<BatchStatus, string>> = {
  cutting: "作成中",
  ready: "受け取り待ち",
  sent: "送信済み",
  acknowledged: "受領確認済み",
  answered: "結果登録済み",
};

/** File names carriers see: "kddi-000012.csv". */
export function batchFileName(carrier: string, sequence: number, format: "csv" | "json"): string {
  return `${carrier}-${String(sequence).padStart(6, "0")}.${format}`;
}
