/**
 * The national-volume data set of `npm run bench:backoffice`, written with COPY FROM STDIN: rows shaped
 * as the product writes them (the same columns, statuses, events, sealed personal data, keyed hashes,
 * batches and membership rows, a hash-chained audit log), at a scale of N applications.
 *
 * What is and is not like production (said in BENCHMARKS.md too):
 *  - sealed values are real AES-256-GCM seals of the bench's keys (app/lib/pii.server.ts), but each
 *    distinct value is sealed once and the seal reused: 40,000 subscriber names (200 surnames × 200
 *    given names, about 25 applications per kana name at 1,000,000), 2,000 addresses, 500 contact
 *    numbers; the keyed hashes (kana, contact, IVR caller) are those of the values, so searches
 *    find what they would; the IVR caller's number is sealed per call;
 *  - the audit rows are chained as the sequencer chains them (auditRowHash, chain_seq = id) and the
 *    head is signed with an anchor, so `audit.verifyChain()` holds over the seeded log;
 *  - page images are one small PNG, and queue pages have no OCR fields (the keying screen), so the
 *    paper pages measure the database, not the image decoder.
 */
import { createHash, randomUUID } from "node:crypto";
import { PNG } from "pngjs";
import postgres from "postgres";
import { auditRowHash, GENESIS_HASH } from "../app/lib/audit.server";
import type { PiiCipher } from "../app/lib/pii.server";
import { makeReference } from "../app/domain/reference-number";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Deterministic pseudo-random numbers (mulberry32): the same data set for the same seed. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** COPY text format: backslash, tab, newline and carriage return escaped; null as \N. */
function field(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

const iso = (ms: number) => new Date(ms).toISOString();
const arrayLiteral = (values: readonly string[]) => `{${values.join(",")}}`;
const bytea = (buffer: Buffer) => `\\x${buffer.toString("hex")}`;

/** A COPY FROM STDIN into `table`, fed row by row, flushed in chunks with back-pressure. */
export class CopyWriter {
  private buffer: string[] = [];
  private size = 0;
  private error: Error | null = null;
  rows = 0;
  private constructor(
    private readonly client: postgres.Sql,
    private readonly writable: import("node:stream").Writable,
    readonly table: string,
  ) {}

  /**
   * Each stream on a connection of its own, closed at the end: a query after a COPY on the same
   * postgres.js connection sometimes never gets its answer (see bench/carrier-batch.ts).
   */
  static async open(url: string, table: string, columns: readonly string[]): Promise<CopyWriter> {
    const client = postgres(url, { max: 1, onnotice: () => {} });
    const writable = await client.unsafe(`copy ${table} (${columns.join(", ")}) from stdin`).writable();
    const writer = new CopyWriter(client, writable, table);
    writable.on("error", (error: Error) => (writer.error = error));
    return writer;
  }

  async row(values: readonly (string | number | boolean | null | undefined)[]): Promise<void> {
    const line = `${values.map(field).join("\t")}\n`;
    this.buffer.push(line);
    this.size += line.length;
    this.rows++;
    if (this.size > 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.error) throw new Error(`COPY ${this.table}: ${this.error.message}`);
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join("");
    this.buffer = [];
    this.size = 0;
    if (!this.writable.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const fail = (error: Error) => reject(error);
        this.writable.once("error", fail);
        this.writable.once("drain", () => {
          this.writable.off("error", fail);
          resolve();
        });
      });
    }
  }

  async end(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      if (this.error) return reject(new Error(`COPY ${this.table}: ${this.error.message}`));
      this.writable.once("error", (error: Error) => reject(new Error(`COPY ${this.table}: ${error.message}`)));
      this.writable.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
    await this.client.end({ timeout: 5 });
  }
}

export type SeedOptions = { applications: number; cancellations: number; audit: number; seed: number; now: number };

/** Ids and values the load generator needs (real rows of the seeded set). */
export type SeedSamples = {
  /** Kana names that applications carry (searchable through their keyed hash). */
  kana: string[];
  /** Cancellations in their cooling-off, with the objection code the applicant was sent. */
  objections: { reference: string; code: string }[];
};

const CARRIERS = ["ntt-east", "ntt-west", "kddi", "softbank", "ntt-docomo-business"] as const;
const CARRIER_WEIGHTS = [0.35, 0.35, 0.12, 0.1, 0.08];
const EAST_PREFS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 19, 20];
const SURNAMES_KANJI = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水"];
const SURNAMES_KANA = ["サトウ", "スズキ", "タカハシ", "タナカ", "イトウ", "ワタナベ", "ヤマモト", "ナカムラ", "コバヤシ", "カトウ", "ヨシダ", "ヤマダ", "ササキ", "ヤマグチ", "マツモト", "イノウエ", "キムラ", "ハヤシ", "サイトウ", "シミズ"];
const GIVEN_KANJI = ["花子", "一郎", "美智子", "次郎", "幸子", "和子", "洋子", "節子", "弘", "茂", "博", "清", "勇", "久子", "正", "進", "恵子", "京子", "実", "明"];
const GIVEN_KANA = ["ハナコ", "イチロウ", "ミチコ", "ジロウ", "サチコ", "カズコ", "ヨウコ", "セツコ", "ヒロシ", "シゲル", "ヒロシ", "キヨシ", "イサム", "ヒサコ", "タダシ", "ススム", "ケイコ", "キョウコ", "ミノル", "アキラ"];

function pick<T>(random: () => number, values: readonly T[], weights?: readonly number[]): T {
  if (!weights) return values[Math.floor(random() * values.length)]!;
  let r = random();
  for (let i = 0; i < values.length; i++) {
    r -= weights[i]!;
    if (r <= 0) return values[i]!;
  }
  return values[values.length - 1]!;
}

/** A one-pixel PNG, sealed: what a scan's page image looks like to the pages that do not decode it. */
function tinyPng(): Buffer {
  const png = new PNG({ width: 1, height: 1 });
  png.data.fill(255);
  return PNG.sync.write(png);
}

/** Area codes whose numbers libphonenumber takes as Japanese fixed lines (Tokyo, Osaka, Yokohama, …). */
const AREA_CODES = ["3", "6", "45", "52", "92", "75", "78", "22", "82", "48", "43", "47", "42", "53", "54", "55", "58", "72", "76", "86", "87", "89", "95", "98", "99"];

/** The k-th line's number: a valid fixed-line number, different for every k (up to 25 × 10^6). */
function fixedNumber(k: number): string {
  const code = AREA_CODES[k % AREA_CODES.length]!;
  const width = 9 - code.length;
  return `+81${code}${String(2 * 10 ** (width - 1) + Math.floor(k / AREA_CODES.length) * 7).slice(-width)}`;
}

const STATUS_PATH = ["received", "verified", "queued", "sent", "acknowledged", "completed"] as const;

/**
 * Writes the whole data set. Returns how long each table took. The operators (with known passwords
 * and TOTP secrets) are written by the caller, which passes their ids for the audit rows' actors.
 */
export async function seedBackoffice(
  url: string,
  pii: PiiCipher,
  options: SeedOptions,
  operatorIds: readonly string[],
  log: (line: string) => void,
): Promise<{ seconds: Record<string, number>; rows: Record<string, number>; samples: SeedSamples }> {
  const random = rng(options.seed);
  const N = options.applications;
  const now = options.now;
  const SPAN = 730 * DAY;
  const seconds: Record<string, number> = {};
  const rows: Record<string, number> = {};
  let started = performance.now();
  const lap = (name: string, count: number) => {
    seconds[name] = (performance.now() - started) / 1000;
    rows[name] = count;
    log(`  ${name}: ${count.toLocaleString("en-US")} rows in ${seconds[name]!.toFixed(1)} s`);
    started = performance.now();
  };

  // ————— pools of sealed values —————
  const names: { kanji: string; kana: string; kanjiEnc: string; kanaEnc: string; kanaHash: string }[] = [];
  for (let s = 0; s < 200; s++) {
    for (let g = 0; g < 200; g++) {
      const kanji = `${SURNAMES_KANJI[s % 20]}${s >= 20 ? String.fromCharCode(0x4e00 + s) : ""} ${GIVEN_KANJI[g % 20]}${g >= 20 ? String.fromCharCode(0x5b50 + g) : ""}`;
      // Kana that are all different: a surname and a given name of the pools, with a kana suffix past the first 20.
      const kana = `${SURNAMES_KANA[s % 20]}${s >= 20 ? "ア".repeat(1 + Math.floor(s / 20)) + String.fromCharCode(0x30a2 + (s % 40)) : ""} ${GIVEN_KANA[g % 20]}${g >= 20 ? "イ".repeat(1 + Math.floor(g / 20)) + String.fromCharCode(0x30a2 + (g % 40)) : ""}`;
      names.push({ kanji, kana, kanjiEnc: pii.seal(kanji), kanaEnc: pii.seal(kana), kanaHash: pii.searchHash(kana) });
    }
  }
  const addresses = Array.from({ length: 2000 }, (_, i) => ({
    postal: pii.seal(String(1000000 + i * 37).padStart(7, "0")),
    address: pii.seal(`東京都千代田区千代田${1 + (i % 9)}-${1 + (i % 30)}-${1 + (i % 20)}`),
  }));
  const contacts = Array.from({ length: 500 }, (_, i) => {
    const national = `090${String(10000000 + i * 7919).slice(-8)}`;
    return { enc: pii.seal(national), hash: pii.searchHash(national) };
  });
  const applicantNames = Array.from({ length: 200 }, (_, i) => pii.seal(`${SURNAMES_KANJI[i % 20]} ${GIVEN_KANJI[(i * 7) % 20]}`));
  const relationDetails = ["長男", "長女", "次男", "妻", "夫", "孫"].map((d) => pii.seal(d));
  const subjects = Array.from({ length: 1000 }, (_, i) => pii.seal(JSON.stringify({ name: names[i * 40]!.kanji, kana: names[i * 40]!.kana })));
  const callBodies = {
    verification: pii.seal(JSON.stringify({ kind: "url", url: "/ivr/verification/x/consent", fallbackText: "国際電話不取扱受付センターです。確認番号は、1、2、3、4です。" })),
    paper: pii.seal(JSON.stringify({ kind: "url", url: "/ivr/paper/x", fallbackText: "国際電話不取扱受付センターです。郵送でいただいたお申し込みを確認します。" })),
    completion: pii.seal(JSON.stringify({ kind: "say", text: "国際電話不取扱受付センターです。国際電話を止める手続きが終わりました。" })),
    cancellation: pii.seal(JSON.stringify({ kind: "url", url: "/ivr/cancellation/x", fallbackText: "国際電話不取扱受付センターです。解除のお申し出について確認します。" })),
  };
  const letterBodies = Array.from({ length: 200 }, (_, i) =>
    pii.seal(JSON.stringify({ name: names[i * 199]!.kanji, postalCode: String(1000000 + i * 37).padStart(7, "0"), address: `東京都千代田区千代田${1 + (i % 9)}-${1 + (i % 30)}`, reference: null })),
  );
  const letterTo = Array.from({ length: 200 }, (_, i) => pii.seal(`〒${String(1000000 + i * 37).padStart(7, "0")} 東京都千代田区千代田${1 + (i % 9)} ${names[i * 199]!.kanji} 様`));
  const image = pii.sealBytes(tinyPng());
  const ipHashes = Array.from({ length: 3000 }, (_, i) => pii.searchHash(`ip:10.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}`));
  lap("sealed pools", names.length + addresses.length * 2 + contacts.length);

  // ————— applications and lines, in time order —————
  // Created over two years, more each month (the density grows linearly: the last day has about 0.27%).
  const createdAt = new Float64Array(N);
  for (let i = 0; i < N; i++) createdAt[i] = now - SPAN * (1 - Math.sqrt((i + 0.5) / N)) - 5 * MINUTE;
  const appIds: string[] = new Array(N);
  const appStatus = new Uint8Array(N); // index into STATUSES
  const appLine = new Int32Array(N);
  const appChannel = new Uint8Array(N);
  const appScopes = new Uint8Array(N); // 0 both, 1 incoming, 2 outgoing
  const appCarrier = new Uint8Array(N);
  const appRef: string[] = new Array(N);
  const STATUSES = ["received", "verified", "needs_review", "queued", "sent", "acknowledged", "completed", "rejected", "withdrawn", "resumed"] as const;
  const CHANNELS = ["web", "ivr", "paper", "operator"] as const;
  const S = Object.fromEntries(STATUSES.map((s, i) => [s, i])) as Record<(typeof STATUSES)[number], number>;
  const statusFor = (age: number): number => {
    const r = random();
    if (age < DAY) return r < 0.1 ? S.received : r < 0.3 ? S.verified : r < 0.33 ? S.needs_review : r < 0.7 ? S.queued : S.sent;
    if (age < 7 * DAY) return r < 0.002 ? S.needs_review : r < 0.2 ? S.sent : r < 0.5 ? S.acknowledged : r < 0.95 ? S.completed : r < 0.97 ? S.rejected : S.withdrawn;
    return r < 0.005 ? S.acknowledged : r < 0.885 ? S.completed : r < 0.935 ? S.resumed : r < 0.965 ? S.rejected : S.withdrawn;
  };
  const lineIds: string[] = [];
  const lineE164: string[] = [];
  const linePref: number[] = [];
  const lineCarrier: number[] = [];
  // About 5% of applications are a second one for a line that already has one (a resumption, then again).
  for (let i = 0; i < N; i++) {
    let line: number;
    if (lineIds.length > 1000 && random() < 0.05) line = Math.floor(random() * lineIds.length);
    else {
      line = lineIds.length;
      const k = line;
      lineIds.push(randomUUID());
      lineE164.push(fixedNumber(k));
      const carrier = CARRIERS.indexOf(pick(random, CARRIERS, CARRIER_WEIGHTS));
      lineCarrier.push(carrier);
      linePref.push(carrier === 0 ? pick(random, EAST_PREFS) : carrier === 1 ? 21 + Math.floor(random() * 27) : 1 + Math.floor(random() * 47));
    }
    appLine[i] = line;
    appIds[i] = randomUUID();
    appStatus[i] = statusFor(now - createdAt[i]!);
    appChannel[i] = CHANNELS.indexOf(pick(random, CHANNELS, [0.4, 0.3, 0.25, 0.05]));
    appScopes[i] = random() < 0.6 ? 0 : random() < 0.88 ? 1 : 2;
    appCarrier[i] = lineCarrier[line]!;
    appRef[i] = makeReference(String(1_000_000_000 + i * 7 + Math.floor(random() * 7)).slice(-10));
  }
  // A review queue of a few days (applications whose line could not be confirmed), as the centre would have.
  const reviewCount = Math.max(30, Math.floor(N / 2500));
  const stride = Math.max(1, Math.floor((0.02 * N) / reviewCount));
  for (let q = 0, i = N - 1; q < reviewCount && i >= 0; q++, i -= stride) appStatus[i] = S.needs_review;
  // Each line's state is its latest application's.
  const lineState: number[] = new Array(lineIds.length).fill(-1);
  for (let i = 0; i < N; i++) lineState[appLine[i]!] = i;
  const suspension = (status: number, scopes: number, scope: "incoming" | "outgoing") => {
    const wants = scopes === 0 || (scope === "incoming" ? scopes === 1 : scopes === 2);
    if (!wants) return "none";
    if (status === S.completed) return "active";
    if (status === S.queued || status === S.sent || status === S.acknowledged || status === S.verified) return "pending";
    return "none";
  };
  {
    const w = await CopyWriter.open(url, "lines", ["id", "e164", "carrier_code", "prefecture", "outgoing_suspension", "incoming_suspension", "created_at", "updated_at"]);
    for (let l = 0; l < lineIds.length; l++) {
      const last = lineState[l]!;
      await w.row([lineIds[l], lineE164[l], CARRIERS[lineCarrier[l]!], linePref[l], suspension(appStatus[last]!, appScopes[last]!, "outgoing"), suspension(appStatus[last]!, appScopes[last]!, "incoming"), iso(createdAt[last]!), iso(createdAt[last]!)]);
    }
    await w.end();
    lap("lines", w.rows);
  }

  const scopesOf = (i: number) => (appScopes[i] === 0 ? ["incoming", "outgoing"] : appScopes[i] === 1 ? ["incoming"] : ["outgoing"]);
  const nameOf = (i: number) => names[(i * 2654435761) % names.length]!;
  {
    const w = await CopyWriter.open(url, "applications", [
      "id", "reference", "line_id", "scopes", "channel", "relation", "relation_detail_enc", "subscriber_name_enc", "subscriber_kana_enc", "subscriber_kana_hash",
      "subscriber_name_unverified", "applicant_name_enc", "postal_code_enc", "address_enc", "prefecture", "contact_phone_enc", "contact_phone_hash", "carrier_choice",
      "carrier_code", "status", "idempotency_key", "subscriber_consent_at", "verified_at", "assisted", "verification_method", "created_at", "updated_at",
    ]);
    for (let i = 0; i < N; i++) {
      const channel = CHANNELS[appChannel[i]!]!;
      const relation = random() < 0.75 ? "self" : random() < 0.88 ? "family" : "other";
      const name = nameOf(i);
      const address = addresses[i % addresses.length]!;
      const contact = relation === "self" ? null : contacts[i % contacts.length]!;
      const carrier = CARRIERS[appCarrier[i]!]!;
      const choice = random() < 0.1 ? "unknown" : carrier.startsWith("ntt-e") || carrier.startsWith("ntt-w") ? (random() < 0.7 ? "ntt" : carrier) : carrier;
      const status = STATUSES[appStatus[i]!]!;
      const verified = status !== "received" && status !== "needs_review";
      const at = createdAt[i]!;
      await w.row([
        appIds[i], appRef[i], lineIds[appLine[i]!], arrayLiteral(scopesOf(i)), channel, relation, relation === "self" ? null : relationDetails[i % relationDetails.length],
        name.kanjiEnc, channel === "ivr" ? null : name.kanaEnc, channel === "ivr" ? null : name.kanaHash, channel === "ivr" || channel === "paper",
        relation === "self" ? null : applicantNames[i % applicantNames.length], address.postal, address.address, linePref[appLine[i]!], contact?.enc ?? null, contact?.hash ?? null,
        choice, choice === "unknown" && (status === "received" || status === "verified" || status === "queued") ? null : carrier, status, `bench:app:${i}`,
        relation === "self" ? null : iso(at + MINUTE), verified ? iso(at + 2 * MINUTE) : null, random() < 0.03,
        verified ? (channel === "web" ? "callback" : channel === "ivr" ? "caller_id" : channel === "paper" ? "callback" : "callback") : null, iso(at), iso(at + 3 * DAY < now ? at + 3 * DAY : at),
      ]);
    }
    await w.end();
    lap("applications", w.rows);
  }

  // ————— events: the path to each status, as the services write them —————
  const eventTimes = (i: number): number[] => {
    const at = createdAt[i]!;
    const cap = (t: number) => Math.min(t, now - MINUTE);
    return [at, at + 2 * MINUTE, at + 3 * MINUTE, at + 5 * HOUR, at + 28 * HOUR, at + 3 * DAY].map(cap);
  };
  const completedAt = new Float64Array(N);
  {
    const w = await CopyWriter.open(url, "application_events", ["application_id", "type", "from_status", "to_status", "actor", "detail", "at"]);
    for (let i = 0; i < N; i++) {
      const status = STATUSES[appStatus[i]!]!;
      const times = eventTimes(i);
      const channel = CHANNELS[appChannel[i]!]!;
      const actor = channel === "ivr" ? "ivr" : channel === "operator" ? `operator:${operatorIds[i % operatorIds.length]}` : "applicant";
      const emit = (from: string | null, to: string, at: number, detail: object = {}, type = to, who = "system") => w.row([appIds[i], type, from, to, who, JSON.stringify(detail), iso(at)]);
      await emit(null, "received", times[0]!, { channel, scopes: scopesOf(i), assisted: false }, "received", actor);
      if (status === "received") continue;
      if (status === "needs_review") {
        await emit("received", "needs_review", times[0]!, { reason: "line_not_verified" });
        continue;
      }
      await emit("received", "verified", times[1]!, { method: channel === "ivr" ? "caller_id" : "callback" });
      if (status === "verified") continue;
      if (status === "withdrawn") {
        await emit("verified", "withdrawn", Math.min(createdAt[i]! + 2 * DAY, now - MINUTE), { cancellation: true });
        continue;
      }
      const target = status === "rejected" || status === "resumed" ? STATUS_PATH.length - 1 : STATUS_PATH.indexOf(status as (typeof STATUS_PATH)[number]);
      for (let k = 2; k <= Math.min(target, status === "rejected" ? 4 : target); k++) await emit(STATUS_PATH[k - 1]!, STATUS_PATH[k]!, times[k]!, k === 3 ? { batches: 1 } : {}, STATUS_PATH[k]!, k >= 4 ? `carrier:${CARRIERS[appCarrier[i]!]}` : "system");
      if (status === "rejected") await emit("acknowledged", "rejected", times[5]!, { reason: "NOT_OUR_SUBSCRIBER" }, "rejected", `carrier:${CARRIERS[appCarrier[i]!]}`);
      if (status === "completed" || status === "resumed") completedAt[i] = times[5]!;
      if (status === "resumed") await emit("completed", "resumed", Math.min(createdAt[i]! + 60 * DAY, now - MINUTE), { cancellation: true });
    }
    await w.end();
    lap("application_events", w.rows);
  }

  // ————— carrier orders, batches (one per carrier per day) and their membership —————
  type Batch = { id: string; carrier: number; day: number; sequence: number; count: number; acked: boolean; answered: boolean; cutAt: number };
  const batches = new Map<string, Batch>();
  const sequences = new Array(CARRIERS.length).fill(0);
  {
    const orders = await CopyWriter.open(url, "carrier_orders", [
      "id", "carrier_code", "line_id", "application_id", "action", "scope", "status", "idempotency_key", "e164", "prefecture", "request_ref", "subject_enc", "result_code", "reason_code", "effective_date", "result_at", "created_at", "updated_at",
    ]);
    const members = await CopyWriter.open(url, "carrier_batch_orders", ["batch_id", "position", "order_id"]);
    for (let i = 0; i < N; i++) {
      const status = STATUSES[appStatus[i]!]!;
      if (!["queued", "sent", "acknowledged", "completed", "rejected", "resumed"].includes(status)) continue;
      const times = eventTimes(i);
      const carrier = appCarrier[i]!;
      const orderAt = times[2]!;
      const orderStatus = status === "queued" ? "pending" : status === "sent" ? "pending" : status === "acknowledged" ? "acknowledged" : status === "rejected" ? "rejected" : "done";
      const inBatch = status !== "queued";
      const day = Math.floor((times[3]! + 9 * HOUR) / DAY);
      let batch: Batch | undefined;
      if (inBatch) {
        const key = `${carrier}:${day}`;
        batch = batches.get(key);
        if (!batch) {
          batch = { id: randomUUID(), carrier, day, sequence: ++sequences[carrier], count: 0, acked: false, answered: true, cutAt: times[3]! };
          batches.set(key, batch);
        }
        if (status !== "sent") batch.acked = true;
        if (status === "sent" || status === "acknowledged") batch.answered = false;
      }
      const make = async (action: "SUSPEND" | "RESUME", scope: string, st: string, at: number, resultAt: number | null) => {
        const id = randomUUID();
        await orders.row([
          id, CARRIERS[carrier], lineIds[appLine[i]!], appIds[i], action, scope, st, `bench:order:${i}:${action}:${scope}`, lineE164[appLine[i]!], linePref[appLine[i]!], appRef[i],
          subjects[i % subjects.length], st === "done" ? "DONE" : st === "rejected" ? "REJECTED" : null, st === "rejected" ? "NOT_OUR_SUBSCRIBER" : null,
          st === "done" && resultAt ? iso(resultAt).slice(0, 10) : null, resultAt ? iso(resultAt) : null, iso(at), iso(resultAt ?? at),
        ]);
        return id;
      };
      for (const scope of scopesOf(i)) {
        const id = await make("SUSPEND", scope, orderStatus, orderAt, orderStatus === "done" || orderStatus === "rejected" ? times[5]! : null);
        if (batch) await members.row([batch.id, ++batch.count, id]);
        if (status === "resumed") await make("RESUME", scope, "done", Math.min(createdAt[i]! + 60 * DAY, now - MINUTE), Math.min(createdAt[i]! + 62 * DAY, now - MINUTE));
      }
    }
    await orders.end();
    await members.end();
    lap("carrier_orders", orders.rows);
    rows.carrier_batch_orders = members.rows;
    const w = await CopyWriter.open(url, "carrier_batches", [
      "id", "carrier_code", "sequence", "record_count", "file_format", "file_sha256", "signature", "status", "cut_at", "sent_at", "acked_at", "results_at", "manifest", "key_id", "csv_encoding", "csv_sha256", "csv_bytes", "json_sha256", "json_bytes", "prev_sha256", "answered_at",
    ]);
    let prev = new Array(CARRIERS.length).fill("");
    for (const b of [...batches.values()].sort((x, y) => x.carrier - y.carrier || x.sequence - y.sequence)) {
      const sha = createHash("sha256").update(b.id).digest("hex");
      const status = b.answered ? "answered" : b.acked ? "acknowledged" : "sent";
      await w.row([
        b.id, CARRIERS[b.carrier], b.sequence, b.count, "csv-utf8", sha, "bench-signature", status, iso(b.cutAt), iso(b.cutAt + MINUTE), b.acked ? iso(b.cutAt + 2 * HOUR) : null, b.answered ? iso(b.cutAt + 2 * DAY) : null,
        `kokusai-batch-manifest/1\ncarrier ${CARRIERS[b.carrier]}\nsequence ${b.sequence}`, "bench-key", "utf-8", sha, b.count * 150, sha, b.count * 350, prev[b.carrier], b.answered ? iso(b.cutAt + 2 * DAY) : null,
      ]);
      prev[b.carrier] = sha;
    }
    await w.end();
    prev = [];
    lap("carrier_batches", w.rows);
  }

  // ————— verifications (web), IVR calls (phone), paper intakes and scans (paper) —————
  const verificationIds: (string | null)[] = new Array(N).fill(null);
  {
    const w = await CopyWriter.open(url, "verifications", ["id", "line_id", "application_id", "method", "purpose", "code_hash", "attempts", "sends", "expires_at", "last_sent_at", "verified_at", "consent", "created_at"]);
    for (let i = 0; i < N; i++) {
      if (CHANNELS[appChannel[i]!] !== "web") continue;
      const id = randomUUID();
      verificationIds[i] = id;
      const at = createdAt[i]!;
      const verified = appStatus[i] !== S.received && appStatus[i] !== S.needs_review;
      await w.row([id, lineIds[appLine[i]!], appIds[i], "callback", "apply", "bench-code-hash", 1, 1, iso(at + 15 * MINUTE), iso(at), verified ? iso(at + 2 * MINUTE) : null, null, iso(at)]);
    }
    await w.end();
    lap("verifications", w.rows);
  }
  const ivrAnswers = pii.seal(JSON.stringify({ scopes: ["incoming", "outgoing"], carrier: "ntt", relation: "self", nameSpeech: "ヤマダハナコ" }));
  {
    const w = await CopyWriter.open(url, "ivr_calls", ["id", "call_sid", "from_enc", "from_hash", "purpose", "node", "answers_enc", "status", "application_id", "created_at", "updated_at", "ended_at"]);
    for (let i = 0; i < N; i++) {
      if (CHANNELS[appChannel[i]!] !== "ivr") continue;
      const at = createdAt[i]!;
      const e164 = lineE164[appLine[i]!]!;
      await w.row([randomUUID(), `CA${createHash("md5").update(String(i)).digest("hex")}`, pii.seal(e164), pii.searchHash(e164), "apply", "done", ivrAnswers, "completed", appIds[i], iso(at - 3 * MINUTE), iso(at), iso(at)]);
    }
    // Incomplete calls (hung up part-way) for /ops/calls, and forms to mail whose heard name waits (the IVR queue).
    for (let k = 0; k < Math.max(20, Math.floor(N / 1000)); k++) {
      const at = now - random() * 30 * DAY;
      await w.row([randomUUID(), `CAinc${k}`, pii.seal(lineE164[k]!), pii.searchHash(lineE164[k]!), "apply", "scope", ivrAnswers, "incomplete", null, iso(at), iso(at), iso(at)]);
    }
    await w.end();
    rows.ivr_calls = w.rows;
  }
  {
    // The letters of forms asked for by phone, waiting for the heard name to be checked (IVR queue) and printed.
    const calls = await CopyWriter.open(url, "ivr_calls", ["id", "call_sid", "from_enc", "from_hash", "purpose", "node", "answers_enc", "status", "outbox_id", "created_at", "updated_at", "ended_at"]);
    const letters = await CopyWriter.open(url, "outbox", ["id", "channel", "purpose", "to_enc", "body_enc", "template", "status", "idempotency_key", "created_at", "updated_at"]);
    const formAnswers = pii.seal(JSON.stringify({ nameSpeech: "ヤマダ ハナコ", nameRecordingUrl: "https://api.twilio.com/recording/RE0", addressSpeech: "東京都千代田区千代田1の1", postalCode: "1000001" }));
    for (let k = 0; k < 40; k++) {
      const at = now - (40 - k) * HOUR;
      const outboxId = randomUUID();
      await letters.row([outboxId, "letter", "form_request", letterTo[k % letterTo.length], letterBodies[k % letterBodies.length], "form-application", "queued", `bench:form:${k}`, iso(at), iso(at)]);
      await calls.row([randomUUID(), `CAform${k}`, pii.seal(lineE164[k]!), pii.searchHash(lineE164[k]!), "form", "done", formAnswers, "completed", outboxId, iso(at), iso(at), iso(at)]);
    }
    await letters.end();
    await calls.end();
    rows.ivr_calls += calls.rows;
    lap("ivr_calls", rows.ivr_calls);
  }
  {
    const intakes = await CopyWriter.open(url, "paper_intakes", ["id", "source", "original_filename", "content_type", "file_sha256", "page_count", "status", "created_at"]);
    // The pages after their intakes have committed (foreign key).
    const scanRows: (string | number | boolean | null)[][] = [];
    const scansW = { row: async (values: (string | number | boolean | null)[]) => void scanRows.push(values), rows: 0 };
    const scanColumns = ["id", "intake_id", "page_number", "image_enc", "low_resolution", "form_type", "form_version", "line_id", "status", "application_id", "exception_reason", "verified_at", "created_at", "updated_at"];
    const imageHex = bytea(image);
    let k = 0;
    const page = async (at: number, status: string, lineId: string | null, applicationId: string | null, reason: string | null) => {
      const intakeId = randomUUID();
      const source = k % 3 === 0 ? "mail" : "fax_folder";
      await intakes.row([intakeId, source, source === "mail" ? null : `fax-${k}.tif`, "image/png", createHash("sha256").update(`bench-intake-${k}`).digest("hex"), 1, "received", iso(at)]);
      await scansW.row([randomUUID(), intakeId, 1, imageHex, k % 4 === 0, "application", "2026.1", lineId, status, applicationId, reason, status === "verified" ? iso(at + 20 * MINUTE) : null, iso(at), iso(at)]);
      k++;
    };
    for (let i = 0; i < N; i++) {
      if (CHANNELS[appChannel[i]!] !== "paper") continue;
      await page(createdAt[i]! - 10 * MINUTE, "verified", lineIds[appLine[i]!]!, appIds[i]!, null);
    }
    // The paper queue: pages waiting for a person (a few days' worth).
    const reasons = ["line_not_read", "line_unanswered", "marks_not_found"];
    for (let q = 0; q < Math.max(30, Math.floor(N / 12_000)); q++) {
      const status = q % 3 === 2 ? "exception" : "needs_review";
      await page(now - random() * 3 * DAY, status, null, null, reasons[q % 3]!);
    }
    await intakes.end();
    const scanWriter = await CopyWriter.open(url, "scans", scanColumns);
    for (const values of scanRows) await scanWriter.row(values);
    await scanWriter.end();
    lap("scans", scanWriter.rows);
    rows.paper_intakes = intakes.rows;
  }

  // ————— cancellations (N/10): approved ones behind the withdrawn and resumed applications, the rest as the rules end them —————
  const cancellationCount = options.cancellations;
  const objections: SeedSamples["objections"] = [];
  type Can = { id: string; app: number; status: string; kind: string; at: number; code: string | null };
  const cans: Can[] = [];
  {
    const candidates: number[] = [];
    for (let i = 0; i < N; i++) if (appStatus[i] === S.withdrawn || appStatus[i] === S.resumed) candidates.push(i);
    const approved = candidates.slice(0, Math.floor(cancellationCount * 0.62));
    for (const i of approved) {
      const kind = appStatus[i] === S.withdrawn ? "withdrawal" : "resumption";
      cans.push({ id: randomUUID(), app: i, status: "approved", kind, at: Math.min(createdAt[i]! + (kind === "withdrawal" ? DAY : 55 * DAY), now - HOUR), code: null });
    }
    const ended = ["refused_by_subscriber", "expired", "declined", "withdrawn_by_requester"];
    const endedWeights = [0.4, 0.32, 0.14, 0.14];
    while (cans.length < cancellationCount) {
      // Over completed applications, at any time after completion; the most recent ones still open.
      const i = Math.floor(Math.sqrt(random()) * N);
      if (appStatus[i] !== S.completed) continue;
      const at = completedAt[i]! + random() * (now - completedAt[i]!);
      cans.push({ id: randomUUID(), app: i, status: pick(random, ended, endedWeights), kind: "resumption", at, code: null });
    }
    cans.sort((a, b) => a.at - b.at);
    // The newest are still open: review queue, waiting for the subscriber, cooling off (objections possible).
    const open = Math.min(cans.length, Math.max(300, Math.floor(cancellationCount / 150)));
    for (let k = cans.length - open; k < cans.length; k++) {
      const c = cans[k]!;
      const r = k % 6;
      c.status = r === 0 ? "flagged" : r === 1 ? "in_review" : r === 2 ? "awaiting_confirmation" : r === 3 ? "objected" : "cooling_off";
      c.at = Math.max(c.at, now - 6 * DAY);
      if (c.status === "cooling_off") c.code = String(10_000_000 + k).slice(-8);
    }
    const w = await CopyWriter.open(url, "cancellations", [
      "id", "reference", "line_id", "application_id", "kind", "channel", "requester_relation", "requester_relation_detail_enc", "requester_name_enc", "requester_contact_enc", "requester_contact_hash",
      "reason_code", "reason_text_enc", "status", "risk_reasons", "evidence", "prefecture", "area_key", "subscriber_confirmed_at", "confirmation_method", "cooling_off_until", "objected_at", "objected_by",
      "objection_code_hash", "decision", "decided_at", "idempotency_key", "created_at", "updated_at",
    ]);
    // The events after their cancellations have committed (the foreign key waits for them otherwise).
    const eventRows: (string | null)[][] = [];
    const events = { row: async (values: (string | null)[]) => void eventRows.push(values) };
    const reasonsList = ["need_international", "moving", "mistaken", "not_wanted", "other", "unspecified"];
    let k = 0;
    for (const c of cans) {
      const i = c.app;
      const relation = random() < 0.55 ? "self" : random() < 0.9 ? "family" : "other";
      const contact = relation === "self" ? null : contacts[(i * 13) % contacts.length]!;
      const flagged = c.status === "flagged" || c.status === "in_review" || (c.status === "declined" && random() < 0.7);
      const confirmed = c.status === "approved" || c.status === "cooling_off" || c.status === "objected";
      const e164 = lineE164[appLine[i]!]!;
      const reference = makeReference(String(5_000_000_000 + k * 11).slice(-10));
      if (c.code) objections.push({ reference, code: c.code });
      await w.row([
        c.id, reference, lineIds[appLine[i]!], appIds[i], c.kind, pick(random, ["web", "ivr", "paper"], [0.5, 0.4, 0.1]), relation,
        relation === "self" ? null : relationDetails[k % relationDetails.length], applicantNames[k % applicantNames.length], contact?.enc ?? null, contact?.hash ?? null,
        pick(random, reasonsList), null, c.status, arrayLiteral(flagged ? ["contact_seen_on_other_lines"] : relation === "self" ? [] : ["requester_not_subscriber"]),
        JSON.stringify({ flagged, lineVerified: confirmed, contextCounts: { sameContact: flagged ? 3 : 0 } }), String(linePref[appLine[i]!]), e164.slice(3, 7),
        confirmed ? iso(c.at + HOUR) : null, confirmed ? "callback_press_1" : null, c.status === "cooling_off" ? iso(now + 5 * DAY) : c.status === "approved" && c.kind === "resumption" ? iso(c.at + 8 * DAY) : null,
        c.status === "objected" ? iso(c.at + 2 * DAY) : null, c.status === "objected" ? "original_applicant" : null, c.code ? pii.searchHash(`cancellation-objection:${c.id}:${c.code}`) : null,
        c.status === "declined" ? "declined" : c.status === "approved" ? "approved" : null, c.status === "declined" ? iso(c.at + DAY) : null, `bench:can:${k}`, iso(c.at), iso(c.at + HOUR),
      ]);
      const ev = (type: string, from: string | null, to: string | null, at: number, actor = "system") => events.row([c.id, type, from, to, actor, "{}", iso(Math.min(at, now - MINUTE))]);
      await ev("rules_evaluated", null, flagged ? "flagged" : "awaiting_confirmation", c.at, "requester");
      if (confirmed) await ev("subscriber_confirmed", "awaiting_confirmation", c.kind === "resumption" ? "cooling_off" : "approved", c.at + HOUR, "subscriber");
      if (c.status === "approved" && c.kind === "resumption") await ev("cooling_off_elapsed", "cooling_off", "approved", c.at + 8 * DAY);
      if (["refused_by_subscriber", "expired", "declined", "withdrawn_by_requester"].includes(c.status)) await ev(c.status === "refused_by_subscriber" ? "subscriber_refused" : c.status === "expired" ? "deadline_passed" : c.status === "declined" ? "operator_declined" : "requester_withdrew", flagged ? "flagged" : "awaiting_confirmation", c.status, c.at + DAY);
      if (c.status === "objected") await ev("objection_received", "cooling_off", "objected", c.at + 2 * DAY, "applicant");
      k++;
    }
    await w.end();
    const eventWriter = await CopyWriter.open(url, "cancellation_events", ["cancellation_id", "type", "from_status", "to_status", "actor", "detail", "at"]);
    for (const values of eventRows) await eventWriter.row(values);
    await eventWriter.end();
    lap("cancellations", w.rows);
    rows.cancellation_events = eventWriter.rows;
  }

  // ————— the outbox: one message per application and per cancellation; completion letters of paper applications, printed in daily batches —————
  {
    const w = await CopyWriter.open(url, "outbox", [
      "id", "channel", "purpose", "to_enc", "body_enc", "template", "status", "provider", "provider_ref", "attempts", "idempotency_key", "application_id", "cancellation_id", "verification_id", "created_at", "sent_at", "delivered_at", "call_outcome", "updated_at",
    ]);
    // Written after the batches and the letters (foreign keys to both).
    const itemRows: (string | number)[][] = [];
    const batchItems = { row: async (values: (string | number)[]) => void itemRows.push(values) };
    const letterBatches = new Map<number, { id: string; count: number; day: number }>();
    const toEnc = contacts.map((c) => c.enc);
    for (let i = 0; i < N; i++) {
      const channel = CHANNELS[appChannel[i]!]!;
      const at = createdAt[i]!;
      const id = randomUUID();
      if (channel === "web") {
        await w.row([id, "call", "verification", toEnc[i % toEnc.length], callBodies.verification, null, "held", "offline", `offline-${i}`, 1, `bench:ver:${i}`, appIds[i], null, verificationIds[i], iso(at), iso(at), null, "completed", iso(at)]);
      } else if (channel === "paper") {
        await w.row([id, "call", "paper_confirmation", toEnc[i % toEnc.length], callBodies.paper, null, "held", "offline", `offline-${i}`, 1, `bench:paper:${i}`, appIds[i], null, null, iso(at - 5 * MINUTE), iso(at - 5 * MINUTE), null, "completed", iso(at)]);
      }
      if (appStatus[i] === S.completed || appStatus[i] === S.resumed) {
        const done = completedAt[i]!;
        if (channel === "paper") {
          // A completion letter, printed in the day's batch and mailed.
          const day = Math.floor((done + 9 * HOUR) / DAY);
          let batch = letterBatches.get(day);
          if (!batch) letterBatches.set(day, (batch = { id: randomUUID(), count: 0, day }));
          const letterId = randomUUID();
          await w.row([letterId, "letter", "completion", letterTo[i % letterTo.length], letterBodies[i % letterBodies.length], "completion", "mailed", null, null, 0, `bench:letter:${i}`, appIds[i], null, null, iso(done), iso(done + 5 * HOUR), null, null, iso(done + DAY)]);
          await batchItems.row([batch.id, letterId, ++batch.count]);
        } else {
          await w.row([randomUUID(), "call", "completion", toEnc[(i + 1) % toEnc.length], callBodies.completion, null, "held", "offline", `offline-c-${i}`, 1, `bench:done:${i}`, appIds[i], null, null, iso(done), iso(done), null, "completed", iso(done)]);
        }
      }
    }
    for (const c of cans) {
      await w.row([randomUUID(), "call", "cancellation_confirmation", toEnc[0], callBodies.cancellation, null, "held", "offline", `offline-can-${c.id}`, 1, `bench:canmsg:${c.id}`, appIds[c.app], c.id, null, iso(c.at), iso(c.at), null, "completed", iso(c.at)]);
    }
    // Letters waiting to be printed (the print queue).
    for (let q = 0; q < Math.max(50, Math.floor(N / 5000)); q++) {
      const at = now - random() * DAY;
      await w.row([randomUUID(), "letter", "completion", letterTo[q % letterTo.length], letterBodies[q % letterBodies.length], "completion", "queued", null, null, 0, `bench:queued-letter:${q}`, null, null, null, iso(at), null, null, null, iso(at)]);
    }
    await w.end();
    const b = await CopyWriter.open(url, "letter_batches", ["id", "sequence", "letter_count", "pdf_sha256", "created_at", "created_by", "mailed_at", "mailed_by"]);
    let sequence = 0;
    for (const batch of [...letterBatches.values()].sort((x, y) => x.day - y.day)) {
      const at = batch.day * DAY - 9 * HOUR + 15 * HOUR;
      await b.row([batch.id, ++sequence, batch.count, createHash("sha256").update(batch.id).digest("hex"), iso(at), operatorIds[sequence % operatorIds.length], iso(at + 2 * HOUR), operatorIds[(sequence + 1) % operatorIds.length]]);
    }
    await b.end();
    rows.letter_batches = b.rows;
    const items = await CopyWriter.open(url, "letter_batch_items", ["batch_id", "outbox_id", "position"]);
    for (const values of itemRows) await items.row(values);
    await items.end();
    rows.letter_batch_items = items.rows;
    lap("outbox", w.rows);
  }

  // ————— carrier exceptions: resolved ones over time, a few open —————
  {
    const w = await CopyWriter.open(url, "carrier_exceptions", ["id", "dedupe_key", "kind", "application_id", "carrier_code", "reason_code", "detail", "created_at", "resolved_at", "resolution"]);
    const count = Math.max(40, Math.floor(N / 200));
    for (let k = 0; k < count; k++) {
      const i = Math.floor(Math.sqrt(random()) * N);
      const at = createdAt[i]! + DAY;
      const open = k >= count - 30;
      await w.row([randomUUID(), `bench:exc:${k}`, k % 2 === 0 ? "rejected" : "no_carrier", appIds[i], CARRIERS[appCarrier[i]!], k % 2 === 0 ? "NOT_OUR_SUBSCRIBER" : null, "{}", iso(open ? now - random() * 5 * DAY : at), open ? null : iso(at + DAY), open ? null : "closed"]);
    }
    await w.end();
    lap("carrier_exceptions", w.rows);
  }

  // ————— the audit log: 5 rows per application, chained as the sequencer chains them —————
  {
    const total = options.audit;
    const w = await CopyWriter.open(url, "audit_log", ["id", "at", "actor", "action", "subject_type", "subject_id", "ip_hash", "detail", "prev_hash", "hash", "chain_seq"]);
    let prevHash = GENESIS_HASH;
    const actions: { action: string; subjectType: string; weight: number; staff: boolean }[] = [
      { action: "application.create", subjectType: "application", weight: 0.2, staff: false },
      { action: "status.lookup", subjectType: "application", weight: 0.12, staff: false },
      { action: "application.view", subjectType: "application", weight: 0.18, staff: true },
      { action: "line.view", subjectType: "line", weight: 0.15, staff: true },
      { action: "search.run", subjectType: "line", weight: 0.1, staff: true },
      { action: "outbox.view", subjectType: "outbox", weight: 0.05, staff: true },
      { action: "queue.claim", subjectType: "application", weight: 0.05, staff: true },
      { action: "cancellation.view", subjectType: "cancellation", weight: 0.05, staff: true },
      { action: "operator.login", subjectType: "operator", weight: 0.03, staff: true },
      { action: "carrier.batch_download", subjectType: "carrier_batch", weight: 0.04, staff: false },
      { action: "letter.print", subjectType: "letter_batch", weight: 0.03, staff: true },
    ];
    const weights = actions.map((a) => a.weight);
    for (let id = 1; id <= total; id++) {
      // Rows in id order through the two years, denser later as the applications are.
      const at = Math.floor(now - SPAN * (1 - Math.sqrt((id - 0.5) / total)) - 2 * MINUTE);
      const a = pick(random, actions, weights);
      const i = Math.floor(Math.sqrt((id - 0.5) / total) * (N - 1));
      const operator = operatorIds[id % operatorIds.length]!;
      const actor = a.staff ? `operator:${operator}` : a.action === "carrier.batch_download" ? `carrier:${CARRIERS[id % 5]}` : a.action === "application.create" && CHANNELS[appChannel[i]!] === "ivr" ? "ivr" : "applicant";
      const subjectId = a.subjectType === "application" ? appIds[i]! : a.subjectType === "line" ? lineIds[appLine[i]!]! : a.subjectType === "operator" ? operator : a.subjectType === "cancellation" ? (cans[id % cans.length]?.id ?? null) : null;
      const detail =
        a.action === "application.view" ? { fields: ["address", "subscriberKana", "subscriberName"] } : a.action === "search.run" ? { kind: "phone", results: 1, lineIds: [lineIds[appLine[i]!]!] } : a.action === "application.create" ? { channel: CHANNELS[appChannel[i]!] } : {};
      const ipHash = a.action === "carrier.batch_download" ? null : ipHashes[id % ipHashes.length]!;
      const hash = auditRowHash(prevHash, { at: new Date(at), actor, action: a.action, subjectType: a.subjectType, subjectId, ipHash, detail });
      await w.row([id, iso(at), actor, a.action, a.subjectType, subjectId, ipHash, JSON.stringify(detail), prevHash, hash, id]);
      prevHash = hash;
    }
    await w.end();
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql.unsafe(`select setval(pg_get_serial_sequence('audit_log', 'id'), ${total})`);
    await sql.end({ timeout: 5 });
    lap("audit_log", w.rows);
  }
  const kana = Array.from({ length: 100 }, (_, k) => nameOf(Math.floor(((k + 0.5) / 100) * N)).kana);
  return { seconds, rows, samples: { kana, objections } };
}
