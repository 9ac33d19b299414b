/**
 * Contract tests: every operation of the carrier API (docs/openapi.yaml), called on the real Express +
 * Remix server, for its success and each error the document lists; every response's status, headers
 * and body validated against the document by an independent validator (ajv on the document's schemas,
 * objects closed). The last test requires that every documented (operation, status) was seen.
 */
import fs from "node:fs";
import http from "node:http";
import { eq } from "drizzle-orm";
import { carrierBatchOrders, carrierOrders } from "../../db/schema";
import { createApiKey } from "../../app/lib/carrier-auth.server";
import { cutBatch, type CutResult } from "../../app/lib/carrier-batches.server";
import { planCarrierOrders } from "../../app/lib/carrier-orders.server";
import { createCarrierTestServices, resultsCsv, setCarrier, verifiedApplication } from "../support/carrier-fixtures";
import { startTestServer, type TestServer } from "../support/http";
import type { TestServices } from "../support/services";
import { capture, OpenApiContract, type CapturedResponse } from "./openapi-contract";
import { CONFORMING, toCaptured, WRONG } from "./fixtures/carrier-api-responses";

const contract = new OpenApiContract();
let services: TestServices;
let server: TestServer;
let kddiKey: string;
let softbankKey: string;
let kddiBatch: CutResult;
let sjisBatch: CutResult;
const NO_SUCH_BATCH = "00000000-0000-4000-8000-000000000000";

beforeAll(async () => {
  services = await createCarrierTestServices();
  server = await startTestServer(services);
  kddiKey = (await createApiKey(services, { carrierCode: "kddi", label: "contract", createdBy: null })).key;
  softbankKey = (await createApiKey(services, { carrierCode: "softbank", label: "contract", createdBy: null })).key;
  await setCarrier(services, "softbank", { fileFormat: "csv-sjis" });
  await verifiedApplication(services, { choice: "kddi", scopes: ["incoming", "outgoing"] });
  await verifiedApplication(services, { choice: "kddi", subscriberName: "=吉田 𠮷子", subscriberKana: "ヨシダ ヨシコ", prefecture: null });
  await verifiedApplication(services, { choice: "softbank", subscriberName: "髙橋 﨑子", subscriberKana: "タカハシ サキコ" });
  await planCarrierOrders(services);
  kddiBatch = (await cutBatch(services, "kddi"))!;
  sjisBatch = (await cutBatch(services, "softbank"))!;
  expect(kddiBatch).not.toBeNull();
  expect(sjisBatch).not.toBeNull();
});
afterAll(async () => {
  await server?.close();
  await services?.close();
});

const api = async (path: string, key: string | null, init: RequestInit = {}): Promise<CapturedResponse> =>
  capture(await fetch(`${server.url}/api/carrier/v1${path}`, { ...init, headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...(init.headers as Record<string, string>) } }));

/** Calls, checks the status, and checks the response against the document. */
async function expectContract(operationId: string, status: number, path: string, key: string | null, init: RequestInit = {}): Promise<CapturedResponse> {
  const response = await api(path, key, init);
  expect(response.status, `${operationId} ${path}: ${new TextDecoder().decode(response.body).slice(0, 300)}`).toBe(status);
  contract.assert(operationId, response);
  return response;
}

const json = (response: CapturedResponse) => JSON.parse(new TextDecoder().decode(response.body)) as Record<string, unknown>;

describe("the document and the routes describe the same API", () => {
  it("has a path in docs/openapi.yaml for every carrier API route module, and a route for every path", () => {
    const routes = fs
      .readdirSync("app/routes")
      .filter((f) => f.startsWith("api.carrier.v1."))
      .map((f) =>
        `/${f
          .replace(/^api\.carrier\.v1\./, "")
          .replace(/\.tsx?$/, "")
          .split(".")
          .filter((part) => part !== "_index")
          .map((part) => (part.startsWith("$") ? `{${part.slice(1)}}` : part))
          .join("/")}`,
      )
      .sort();
    expect(routes).toEqual(Object.keys(contract.document.paths as object).sort());
  });
});

describe("listBatches: GET /batches", () => {
  it("200 for ready, all and the default; 401 without a valid key", async () => {
    for (const query of ["", "?status=ready", "?status=all"]) {
      const body = json(await expectContract("listBatches", 200, `/batches${query}`, kddiKey));
      expect(body.carrier).toBe("kddi");
      expect((body.batches as { id: string }[]).map((b) => b.id)).toContain(kddiBatch.batchId);
    }
    await expectContract("listBatches", 401, "/batches", null);
    await expectContract("listBatches", 401, "/batches", "kfk_not-a-key");
  });
});

describe("getBatch: GET /batches/{batchId}", () => {
  it("200 for its own batch; 404 for another carrier's, an unknown or a malformed id; 401", async () => {
    const body = json(await expectContract("getBatch", 200, `/batches/${kddiBatch.batchId}`, kddiKey));
    expect(body).toMatchObject({ id: kddiBatch.batchId, carrier: "kddi", csv_encoding: "utf-8" });
    await expectContract("getBatch", 404, `/batches/${kddiBatch.batchId}`, softbankKey);
    await expectContract("getBatch", 404, `/batches/${NO_SUCH_BATCH}`, kddiKey);
    await expectContract("getBatch", 404, "/batches/not-a-uuid", kddiKey);
    await expectContract("getBatch", 401, `/batches/${kddiBatch.batchId}`, null);
  });
});

describe("downloadBatch: GET /batches/{batchId}/file", () => {
  it("200 as UTF-8 CSV, JSON and Shift_JIS CSV (the carrier's default) with every documented header", async () => {
    const csv = await expectContract("downloadBatch", 200, `/batches/${kddiBatch.batchId}/file?format=csv`, kddiKey);
    expect(csv.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    const text = new TextDecoder().decode(csv.body);
    expect(text.split("\r\n")[0]).toBe("record_id,seq,action,scope,phone_number,subscriber_kana,subscriber_name,prefecture,request_ref,requested_at,name_unverified,installation_address");
    const doc = json(await expectContract("downloadBatch", 200, `/batches/${kddiBatch.batchId}/file?format=json`, kddiKey));
    expect(doc.record_count).toBe(kddiBatch.recordCount);
    const sjis = await expectContract("downloadBatch", 200, `/batches/${sjisBatch.batchId}/file`, softbankKey);
    expect(sjis.headers.get("Content-Type")).toBe("text/csv; charset=Shift_JIS");
  });

  it("400 for an unknown format; 404 for another carrier's batch; 401", async () => {
    expect(json(await expectContract("downloadBatch", 400, `/batches/${kddiBatch.batchId}/file?format=xml`, kddiKey))).toMatchObject({ error: "bad_format" });
    await expectContract("downloadBatch", 404, `/batches/${kddiBatch.batchId}/file`, softbankKey);
    await expectContract("downloadBatch", 404, `/batches/${NO_SUCH_BATCH}/file?format=json`, kddiKey);
    await expectContract("downloadBatch", 401, `/batches/${kddiBatch.batchId}/file`, null);
  });
});

describe("acknowledgeBatch: POST /batches/{batchId}/ack", () => {
  it("200 the first time and again; 404 for another carrier's batch; 401", async () => {
    await expectContract("acknowledgeBatch", 404, `/batches/${sjisBatch.batchId}/ack`, kddiKey, { method: "POST" });
    await expectContract("acknowledgeBatch", 401, `/batches/${sjisBatch.batchId}/ack`, null, { method: "POST" });
    expect(json(await expectContract("acknowledgeBatch", 200, `/batches/${sjisBatch.batchId}/ack`, softbankKey, { method: "POST" }))).toMatchObject({ already_acknowledged: false });
    expect(json(await expectContract("acknowledgeBatch", 200, `/batches/${sjisBatch.batchId}/ack`, softbankKey, { method: "POST" }))).toMatchObject({ already_acknowledged: true });
  });
});

/** POST with a declared Content-Length over the limit; the server answers before the body is sent. */
function oversizedPost(pathname: string, key: string): Promise<CapturedResponse> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { hostname, port, path: pathname, method: "POST", headers: { Authorization: `Bearer ${key}`, "Content-Type": "text/csv", "Content-Length": String(11 * 1024 * 1024) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
          request.destroy();
          resolve({ status: response.statusCode ?? 0, headers, body: new Uint8Array(Buffer.concat(chunks)) });
        });
      },
    );
    request.on("error", (error) => {
      if (!request.destroyed) reject(error);
    });
    request.write(Buffer.alloc(64 * 1024, "a"));
  });
}

describe("uploadResults: POST /batches/{batchId}/results", () => {
  it("200 for CSV and JSON; 422 for a bad CSV and a bad JSON file; 404; 401; 413", async () => {
    const orders = await services.db
      .select({ id: carrierOrders.id, action: carrierOrders.action })
      .from(carrierOrders)
      .innerJoin(carrierBatchOrders, eq(carrierBatchOrders.orderId, carrierOrders.id))
      .where(eq(carrierBatchOrders.batchId, kddiBatch.batchId));
    expect(orders.length).toBe(kddiBatch.recordCount);
    const path = `/batches/${kddiBatch.batchId}/results`;
    const csv = (rows: Parameters<typeof resultsCsv>[0]) => ({ method: "POST", headers: { "Content-Type": "text/csv; charset=utf-8" }, body: resultsCsv(rows) });

    const bad = json(await expectContract("uploadResults", 422, path, kddiKey, csv([{ id: orders[0]!.id, result: "DONE", date: "yesterday" }])));
    expect(bad).toMatchObject({ error: "invalid_results" });
    const badJson = json(await expectContract("uploadResults", 422, path, kddiKey, { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"results": [' }));
    expect((badJson.errors as { code: string }[])[0]!.code).toBe("json_syntax");
    await expectContract("uploadResults", 404, `/batches/${sjisBatch.batchId}/results`, kddiKey, csv([{ id: orders[0]!.id, result: "DONE", date: "2026-11-21" }]));
    await expectContract("uploadResults", 401, path, null, csv([{ id: orders[0]!.id, result: "DONE", date: "2026-11-21" }]));

    const [first, ...rest] = orders;
    expect(json(await expectContract("uploadResults", 200, path, kddiKey, csv([{ id: first!.id, result: "DONE", date: "2026-11-21" }])))).toMatchObject({ records: 1, applied: 1, unchanged: 0 });
    const results = [first!, ...rest].map((o) => ({ record_id: o.id, result: "DONE", effective_date: "2026-11-21" }));
    expect(json(await expectContract("uploadResults", 200, path, kddiKey, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ results }) }))).toMatchObject({
      records: orders.length,
      applied: orders.length - 1,
      unchanged: 1,
    });

    const tooLarge = await oversizedPost(`/api/carrier/v1${path}`, kddiKey);
    expect(tooLarge.status).toBe(413);
    contract.assert("uploadResults", tooLarge);
  });
});

describe("publicKey: GET /public-key", () => {
  it("200 with the key; 401", async () => {
    expect(json(await expectContract("publicKey", 200, "/public-key", kddiKey))).toMatchObject({ algorithm: "Ed25519" });
    await expectContract("publicKey", 401, "/public-key", null);
  });
});

describe("the validator fails wrong responses", () => {
  it("passes the conforming fixtures", () => {
    for (const [name, fixture] of Object.entries(CONFORMING)) expect(new OpenApiContract().check(fixture.operationId, toCaptured(fixture)), name).toEqual([]);
  });

  it.each(WRONG)("fails $name", ({ fixture, expect: problem }) => {
    const checker = new OpenApiContract();
    const problems = checker.check(fixture.operationId, toCaptured(fixture));
    expect(problems.join("\n")).toContain(problem);
    expect(() => checker.assert(fixture.operationId, toCaptured(fixture))).toThrow(/does not conform to docs\/openapi\.yaml/);
  });

  it("fails a real response once a field is renamed or dropped", async () => {
    const real = await api(`/batches/${kddiBatch.batchId}`, kddiKey);
    const checker = new OpenApiContract();
    expect(checker.check("getBatch", real)).toEqual([]);
    const { record_count, ...rest } = json(real);
    const renamed = { ...real, body: new TextEncoder().encode(JSON.stringify({ ...rest, records: record_count })) };
    expect(checker.check("getBatch", renamed).join("\n")).toMatch(/record_count|records/);
  });
});

describe("coverage", () => {
  it("called every documented response of every operation", () => {
    expect(contract.documentedResponses().filter((r) => !contract.seen.has(r))).toEqual([]);
  });
});
