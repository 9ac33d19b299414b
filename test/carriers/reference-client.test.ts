/**
 * Downloaded files checked as a carrier would: the Shift_JIS CSV decoded with iconv-lite and parsed
 * with csv-parse, its row count and SHA-256 compared with the signed manifest, the signature verified
 * with the centre's published key. First by the reference client on files this test makes and signs
 * itself (with its own key), including broken ones; then on a real batch from the centre, where the
 * test also repeats every check by hand.
 */
import { createHash, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { parse as parseCsv } from "csv-parse/sync";
import iconv from "iconv-lite";
import { createApiKey } from "../../app/lib/carrier-auth.server";
import { cutBatch } from "../../app/lib/carrier-batches.server";
import { planCarrierOrders } from "../../app/lib/carrier-orders.server";
import { publicKeyInfo } from "../../app/lib/carrier-signing.server";
import { BatchVerificationError, CSV_COLUMNS, parseManifest, ReferenceCarrierClient, verifyBatch } from "../../app/lib/carriers/reference-client";
import { createCarrierTestServices, setCarrier, verifiedApplication } from "../support/carrier-fixtures";
import { startTestServer, type TestServer } from "../support/http";
import type { TestServices } from "../support/services";

const HEADER = "record_id,seq,action,scope,phone_number,subscriber_kana,subscriber_name,prefecture,request_ref,requested_at,name_unverified,installation_address";

describe("verifyBatch on files made here (a key of the test's own)", () => {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const other = generateKeyPairSync("ed25519");
  const pem = publicKey.export({ format: "pem", type: "spki" }).toString();
  const keyIdOf = (key: KeyObject) => createHash("sha256").update((key.export({ format: "der", type: "spki" }) as Buffer).subarray(12)).digest("hex").slice(0, 16);

  const rows = [
    "0b6f7c1e-0000-4000-8000-000000000001,1,SUSPEND,incoming,0312345678,ヤマダ ハナコ,髙橋 﨑子,13,12345678901,2026-11-20T01:00:00.000Z,0,東京都千代田区千代田1～3",
    "0b6f7c1e-0000-4000-8000-000000000002,2,INQUIRY,outgoing,0612345678,ヨシダ ヨシコ,,,12345678902,2026-11-20T01:00:01.000Z,1,",
  ];
  const sjisCsv = (lines: string[]) => iconv.encode(`${[HEADER, ...lines].join("\r\n")}\r\n`, "cp932");

  function signed(bytes: Uint8Array, overrides: { records?: number; keyId?: string; signWith?: KeyObject } = {}) {
    const sha = createHash("sha256").update(bytes).digest("hex");
    const manifestText = [
      "kokusai-carrier-batch-manifest/1",
      "carrier: softbank",
      "sequence: 3",
      "cut-at: 2026-11-20T08:00:00.000Z",
      `records: ${overrides.records ?? rows.length}`,
      "csv-encoding: shift_jis",
      `csv-sha256: ${sha}`,
      `csv-bytes: ${bytes.byteLength}`,
      `json-sha256: ${"0".repeat(64)}`,
      "json-bytes: 0",
      "previous-manifest-sha256: ",
      `key-id: ${overrides.keyId ?? keyIdOf(publicKey)}`,
      "",
    ].join("\n");
    const signature = sign(null, Buffer.from(manifestText, "utf8"), overrides.signWith ?? privateKey).toString("base64");
    return { publicKey: pem, manifestText, signature, bytes, format: "csv" as const, carrier: "softbank" };
  }

  it("accepts a good Shift_JIS file and reads every field", () => {
    const verified = verifyBatch(signed(sjisCsv(rows)));
    expect(verified.manifest).toMatchObject({ carrier: "softbank", sequence: 3, records: 2, csvEncoding: "shift_jis", previousManifestSha256: "" });
    expect(verified.records).toEqual([
      expect.objectContaining({ seq: 1, action: "SUSPEND", subscriber_kana: "ヤマダ ハナコ", subscriber_name: "髙橋 﨑子", prefecture: 13, name_unverified: false, installation_address: "東京都千代田区千代田1～3" }),
      expect.objectContaining({ seq: 2, action: "INQUIRY", subscriber_name: "", prefecture: null, name_unverified: true, installation_address: "" }),
    ]);
    expect(CSV_COLUMNS.join(",")).toBe(HEADER);
  });

  it("accepts the raw base64 key as well as PEM", () => {
    const raw = (publicKey.export({ format: "der", type: "spki" }) as Buffer).subarray(12).toString("base64");
    expect(verifyBatch({ ...signed(sjisCsv(rows)), publicKey: raw }).records).toHaveLength(2);
  });

  const refusals: [string, () => Parameters<typeof verifyBatch>[0], RegExp][] = [
    ["a changed byte (hash)", () => {
      const input = signed(sjisCsv(rows));
      const bytes = Buffer.from(input.bytes);
      bytes[bytes.length - 3]! ^= 1;
      return { ...input, bytes };
    }, /hash or size/],
    ["a signature by another key", () => signed(sjisCsv(rows), { signWith: other.privateKey }), /signature does not verify/],
    ["a manifest naming another key id", () => signed(sjisCsv(rows), { keyId: keyIdOf(other.publicKey) }), /names key/],
    ["fewer rows than the signed manifest says", () => signed(sjisCsv(rows), { records: 3 }), /2 records; the signed manifest says 3/],
    ["bytes that are not Shift_JIS", () => signed(Buffer.concat([sjisCsv(rows), Buffer.from([0x81, 0x20, 0x0d, 0x0a])])), /not valid shift_jis|does not parse/],
    ["the file before installation_address (11 columns)", () => signed(iconv.encode(`${HEADER.replace(",installation_address", "")}\r\n${rows.map((r) => r.replace(/,[^,]*$/, "")).join("\r\n")}\r\n`, "cp932")), /header/],
    ["name_unverified that is not 1 or 0", () => signed(sjisCsv([rows[0]!.replace(/,0,東京/, ",yes,東京"), rows[1]!])), /name_unverified/],
    ["a row with a column too many", () => signed(sjisCsv([`${rows[0]},extra`, rows[1]!])), /does not parse/],
    ["records out of order", () => signed(sjisCsv([rows[1]!, rows[0]!])), /seq/],
    ["a batch for another carrier", () => ({ ...signed(sjisCsv(rows)), carrier: "kddi" }), /for softbank, not kddi/],
  ];
  it.each(refusals)("refuses %s", (_name, input, message) => {
    expect(() => verifyBatch(input())).toThrow(BatchVerificationError);
    expect(() => verifyBatch(input())).toThrow(message);
  });

  it("refuses a manifest that is not in the documented form", () => {
    expect(() => parseManifest("kokusai-carrier-batch-manifest/1\ncarrier: kddi\n")).toThrow(BatchVerificationError);
  });
});

describe("a real Shift_JIS batch from the centre", () => {
  let services: TestServices;
  let server: TestServer;
  let apiKey: string;

  beforeAll(async () => {
    services = await createCarrierTestServices();
    server = await startTestServer(services);
    apiKey = (await createApiKey(services, { carrierCode: "softbank", label: "reference", createdBy: null })).key;
    await setCarrier(services, "softbank", { fileFormat: "csv-sjis" });
  });
  afterAll(async () => {
    await server?.close();
    await services?.close();
  });

  it("is verified by the reference client, and by hand with iconv-lite, csv-parse, SHA-256 and the published key", async () => {
    await verifiedApplication(services, { choice: "softbank", subscriberName: "髙橋 﨑子", subscriberKana: "タカハシ サキコ" });
    await verifiedApplication(services, { choice: "softbank", subscriberName: "=吉田 𠮷子", subscriberKana: "ヨシダ ヨシコ", prefecture: null });
    await planCarrierOrders(services);
    const cut = (await cutBatch(services, "softbank"))!;
    // The key the carrier was given out of band.
    const held = publicKeyInfo(services.config);
    const client = new ReferenceCarrierClient({ baseUrl: server.url, apiKey, publicKey: held.publicKeyPem, carrier: "softbank", now: services.now });

    // The published key is the one held.
    const published = await client.publicKey();
    expect(published.key_id).toBe(held.keyId);

    const [batch] = (await client.listReady()).filter((b) => b.id === cut.batchId);
    expect(batch).toMatchObject({ csv_encoding: "shift_jis", file_format: "csv-sjis" });
    const verified = await client.download(batch!);
    expect(verified.records).toHaveLength(cut.recordCount);
    const names = verified.records.map((r) => r.subscriber_name);
    expect(names).toContain("髙橋 﨑子");
    // 𠮷 is not in Shift_JIS (〓), and a name starting with = is kept from spreadsheets (').
    expect(names).toContain("'=吉田 〓子");

    // By hand, as a carrier's own system would.
    const response = await fetch(`${server.url}/api/carrier/v1/batches/${cut.batchId}/file?format=csv`, { headers: { Authorization: `Bearer ${apiKey}` } });
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=Shift_JIS");
    const bytes = Buffer.from(await response.arrayBuffer());
    const manifestText = Buffer.from(response.headers.get("X-Kokusai-Manifest")!, "base64").toString("utf8");
    const signature = Buffer.from(response.headers.get("X-Kokusai-Signature")!, "base64");
    expect(verify(null, Buffer.from(manifestText, "utf8"), Buffer.from(published.public_key_pem), signature)).toBe(true);
    const manifest = Object.fromEntries(manifestText.trimEnd().split("\n").slice(1).map((line) => [line.slice(0, line.indexOf(": ")), line.slice(line.indexOf(": ") + 2)]));
    expect(manifest["key-id"]).toBe(published.key_id);
    expect(manifest["csv-encoding"]).toBe("shift_jis");
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(manifest["csv-sha256"]);
    expect(bytes.byteLength).toBe(Number(manifest["csv-bytes"]));
    const text = iconv.decode(bytes, "cp932");
    expect(text).not.toContain("\uFFFD");
    const table = parseCsv(text, { record_delimiter: "\r\n" }) as string[][];
    expect(table[0]!.join(",")).toBe(HEADER);
    expect(table.length - 1).toBe(Number(manifest.records));
    expect(table.slice(1).map((row) => row[6])).toEqual(names);
    expect(table.slice(1).every((row) => row[10] === "0" || row[10] === "1")).toBe(true);
  });
});
