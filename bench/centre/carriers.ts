/**
 * The carriers: each pulls its batches through the carrier API with the reference client (signature,
 * hash and sequence checked), acknowledges them, and answers every record a while later as a carrier
 * would from its own contracts — which are the bench's ground truth:
 *  - a line that is not its subscriber's: REJECTED NOT_OUR_SUBSCRIBER (INQUIRY included);
 *  - its own line: INQUIRY → ACCEPTED; SUSPEND/RESUME → DONE, except a SUSPEND carrying a name NOT
 *    marked unverified that clearly differs from the contract's name, with an installation address
 *    that is not the contract's either → REJECTED NAME_MISMATCH (docs/carrier-interface.md: names
 *    are advisory, the line is the identity; a differing name at the contract's address is the
 *    household's, ADR 025).
 * A number no persona owns (a misread digit) is somebody else's line, at some carrier.
 */
import { createHash } from "node:crypto";
import { createApiKey } from "../../app/lib/carrier-auth.server";
import { ReferenceCarrierClient, type BatchInfo, type ReceivedRecord, type ResultRow } from "../../app/lib/carriers/reference-client";
import { jstDate } from "../../app/domain/carrier-results";
import { CARRIER_CODES, type CarrierCode } from "../../app/domain/carriers";
import { nttRegionForNumber } from "../../app/domain/regions";
import type { Services } from "../../app/lib/services.server";
import type { Plan } from "./plan";
import { HOUR } from "./clock";

export type CarrierStats = {
  batches: number;
  records: number;
  results: Map<string, number>;
  errors: string[];
};

const squash = (s: string) => s.normalize("NFKC").replace(/\s+/g, "");
/** An address as a carrier compares it: width, spaces and the dashes people type for a hyphen. */
const addressKey = (s: string) => squash(s).replace(/[‐‑‒–—―−ーｰ－]/g, "-");

/** Does the record's installation address name the contract's place (its town and block, building aside)? */
function atContractAddress(recordAddress: string, contractLines: readonly string[]): boolean {
  const given = addressKey(recordAddress);
  const place = addressKey(contractLines[0] ?? "");
  return given !== "" && place !== "" && given.includes(place);
}

/** The carrier that owns a line nobody in the bench knows (stable by number). */
function strangerCarrier(national: string): CarrierCode {
  const h = createHash("sha256").update(national).digest()[0]!;
  if (h < 140) return nttRegionForNumber(national) ?? "ntt-east";
  return (["kddi", "softbank", "ntt-docomo-business"] as const)[h % 3]!;
}

export async function createCarriers(services: Services, plan: Plan, baseUrl: string, options: { answerAfterMs: number }) {
  const stats: CarrierStats = { batches: 0, records: 0, results: new Map(), errors: [] };
  const clients = new Map<CarrierCode, ReferenceCarrierClient>();
  for (const code of CARRIER_CODES) {
    // Onboarding (an admin's step): one API key per carrier.
    const key = await createApiKey(services, { carrierCode: code, label: "bench", createdBy: null });
    const keyResponse = await fetch(new URL("/api/carrier/v1/public-key", baseUrl), { headers: { Authorization: `Bearer ${key.key}`, Accept: "application/json" } });
    if (!keyResponse.ok) throw new Error(`public key for ${code}: ${keyResponse.status}`);
    const { public_key_pem } = (await keyResponse.json()) as { public_key_pem: string };
    clients.set(code, new ReferenceCarrierClient({ baseUrl, apiKey: key.key, publicKey: public_key_pem, carrier: code, now: services.now }));
  }
  const waiting: { carrier: CarrierCode; batch: BatchInfo; records: ReceivedRecord[]; dueAt: number }[] = [];

  function answer(carrier: CarrierCode, record: ReceivedRecord): ResultRow {
    const e164 = `+81${record.phone_number.slice(1)}`;
    const persona = plan.personas.get(e164);
    const owner = persona?.carrier ?? strangerCarrier(record.phone_number);
    const today = jstDate(services.now());
    if (owner !== carrier) return { record_id: record.record_id, result: "REJECTED", reason_code: "NOT_OUR_SUBSCRIBER" };
    if (record.action === "INQUIRY") return { record_id: record.record_id, result: "ACCEPTED" };
    if (record.action === "SUSPEND" && record.subscriber_name && !record.name_unverified) {
      const contract = persona?.contractName ?? "";
      const sameAddress = persona ? atContractAddress(record.installation_address, persona.addressLines) : false;
      if (squash(record.subscriber_name) !== squash(contract) && !sameAddress) return { record_id: record.record_id, result: "REJECTED", reason_code: "NAME_MISMATCH" };
    }
    return { record_id: record.record_id, result: "DONE", effective_date: today };
  }

  /** One pull by every carrier: take new batches, and answer those whose time has come. */
  async function poll(): Promise<void> {
    const now = services.now().getTime();
    for (const [code, client] of clients) {
      try {
        for (const batch of await client.listReady()) {
          const verified = await client.download(batch);
          await client.acknowledge(batch.id);
          stats.batches++;
          stats.records += verified.records.length;
          waiting.push({ carrier: code, batch, records: verified.records, dueAt: now + options.answerAfterMs });
        }
      } catch (error) {
        if (stats.errors.length < 20) stats.errors.push(`${code}: ${(error as Error).message}`.slice(0, 300));
      }
    }
    for (let i = 0; i < waiting.length; i++) {
      const item = waiting[i]!;
      if (item.dueAt > now) continue;
      waiting.splice(i--, 1);
      const rows = item.records.map((r) => answer(item.carrier, r));
      for (const row of rows) stats.results.set(`${row.result}${row.reason_code ? ` ${row.reason_code}` : ""}`, (stats.results.get(`${row.result}${row.reason_code ? ` ${row.reason_code}` : ""}`) ?? 0) + 1);
      try {
        await clients.get(item.carrier)!.uploadResults(item.batch.id, rows);
      } catch (error) {
        if (stats.errors.length < 20) stats.errors.push(`${item.carrier} results: ${(error as Error).message}`.slice(0, 300));
      }
    }
  }

  return { poll, stats, pending: () => waiting.length };
}

export const CARRIER_POLL_HOURS = 0.5;
export const CARRIER_ANSWER_AFTER_MS = 2 * HOUR;
