/**
 * The carrier API over HTTP (the real Express + Remix server), driven by the reference carrier client:
 * API-key auth, isolation between carriers, signed downloads, acknowledgements, result uploads.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { applications, carrierBatches, carrierOrders, outbox } from "../../db/schema";
import { createApiKey, revokeApiKey } from "../../app/lib/carrier-auth.server";
import { cutBatch } from "../../app/lib/carrier-batches.server";
import { planCarrierOrders } from "../../app/lib/carrier-orders.server";
import { publicKeyInfo } from "../../app/lib/carrier-signing.server";
import { ApiError, ReferenceCarrierClient, verifyBatch, type Rules } from "../../app/lib/carriers/reference-client";
import { createCarrierTestServices, resultsCsv, verifiedApplication } from "../support/carrier-fixtures";
import { startTestServer, type TestServer } from "../support/http";
import type { TestServices } from "../support/services";

let services: TestServices;
let server: TestServer;
let kddiKey: string;
let softbankKey: string;

beforeAll(async () => {
  services = await createCarrierTestServices();
  server = await startTestServer(services);
  kddiKey = (await createApiKey(services, { carrierCode: "kddi", label: "test", createdBy: null })).key;
  softbankKey = (await createApiKey(services, { carrierCode: "softbank", label: "test", createdBy: null })).key;
});
afterAll(async () => {
  await server.close();
  await services.close();
});

const api = (path: string, key: string | null, init: RequestInit = {}) =>
  fetch(`${server.url}/api/carrier/v1${path}`, { ...init, headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...(init.headers as Record<string, string>) } });

function client(key: string, carrier: string) {
  return new ReferenceCarrierClient({ baseUrl: server.url, apiKey: key, publicKey: publicKeyInfo(services.config).publicKeyRaw, carrier, now: services.now });
}

async function batchFor(carrier: string, choice: "kddi" | "softbank") {
  const app = await verifiedApplication(services, { choice, scopes: ["incoming"] });
  await planCarrierOrders(services);
  const cut = await cutBatch(services, carrier);
  if (!cut) throw new Error("no batch");
  const [order] = await services.db.select().from(carrierOrders).where(eq(carrierOrders.applicationId, app.applicationId));
  return { app, cut, order: order! };
}

describe("authentication and isolation", () => {
  it("refuses requests without a valid key", async () => {
    const none = await api("/batches", null);
    expect(none.status).toBe(401);
    expect(none.headers.get("WWW-Authenticate")).toContain("Bearer");
    expect(await none.json()).toMatchObject({ error: "unauthorized" });
    expect((await api("/batches", "kfk_not-a-real-key")).status).toBe(401);
  });

  it("shows a carrier only its own batches; another carrier's batch is not found", async () => {
    const { cut: kddiBatch, order } = await batchFor("kddi", "kddi");
    const { cut: softbankBatch } = await batchFor("softbank", "softbank");

    const kddiList = (await (await api("/batches?status=all", kddiKey)).json()) as { carrier: string; batches: { id: string; carrier: string }[] };
    expect(kddiList.carrier).toBe("kddi");
    expect(kddiList.batches.map((b) => b.id)).toContain(kddiBatch.batchId);
    expect(kddiList.batches.map((b) => b.id)).not.toContain(softbankBatch.batchId);
    expect(kddiList.batches.every((b) => b.carrier === "kddi")).toBe(true);

    for (const path of [`/batches/${kddiBatch.batchId}`, `/batches/${kddiBatch.batchId}/file`, `/batches/${kddiBatch.batchId}/file?format=json`]) {
      const response = await api(path, softbankKey);
      expect(response.status, path).toBe(404);
    }
    expect((await api(`/batches/${kddiBatch.batchId}/ack`, softbankKey, { method: "POST" })).status).toBe(404);
    const answer = await api(`/batches/${kddiBatch.batchId}/results`, softbankKey, {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: resultsCsv([{ id: order.id, result: "DONE", date: "2026-11-21" }]),
    });
    expect(answer.status).toBe(404);
    const [untouched] = await services.db.select().from(carrierOrders).where(eq(carrierOrders.id, order.id));
    expect(untouched!.resultCode).toBeNull();
    const [batchRow] = await services.db.select().from(carrierBatches).where(eq(carrierBatches.id, kddiBatch.batchId));
    expect(batchRow!.ackedAt).toBeNull();
  });

  it("stops accepting a key once it is revoked", async () => {
    const created = await createApiKey(services, { carrierCode: "kddi", label: "to revoke", createdBy: null });
    expect((await api("/batches", created.key)).status).toBe(200);
    expect(await revokeApiKey(services, { carrierCode: "kddi", keyId: created.id, revokedBy: null })).toBe(true);
    expect((await api("/batches", created.key)).status).toBe(401);
  });
});

describe("downloads", () => {
  it("serves the exact stored bytes with their hash, manifest and a verifiable signature, in CSV and JSON", async () => {
    const { cut } = await batchFor("kddi", "kddi");
    const key = publicKeyInfo(services.config);
    const publicKeyResponse = (await (await api("/public-key", kddiKey)).json()) as { key_id: string; public_key_raw: string; algorithm: string };
    expect(publicKeyResponse).toMatchObject({ algorithm: "Ed25519", key_id: key.keyId, public_key_raw: key.publicKeyRaw });

    for (const format of ["csv", "json"] as const) {
      const first = await api(`/batches/${cut.batchId}/file?format=${format}`, kddiKey);
      expect(first.status).toBe(200);
      expect(first.headers.get("Cache-Control")).toBe("no-store");
      expect(first.headers.get("Content-Type")).toContain(format === "csv" ? "text/csv" : "application/json");
      const bytes = new Uint8Array(await first.arrayBuffer());
      const sha = createHash("sha256").update(bytes).digest("hex");
      expect(first.headers.get("X-Kokusai-Content-SHA256")).toBe(sha);
      const manifestText = Buffer.from(first.headers.get("X-Kokusai-Manifest")!, "base64").toString("utf8");
      const verified = verifyBatch({ publicKey: publicKeyResponse.public_key_raw, manifestText, signature: first.headers.get("X-Kokusai-Signature")!, bytes, format, carrier: "kddi" });
      expect(verified.records.length).toBe(cut.recordCount);
      const second = new Uint8Array(await (await api(`/batches/${cut.batchId}/file?format=${format}`, kddiKey)).arrayBuffer());
      expect(Buffer.from(second).equals(Buffer.from(bytes))).toBe(true);
      // A tampered file fails verification.
      const tampered = Buffer.from(bytes);
      tampered[tampered.length - 3] = tampered[tampered.length - 3]! ^ 1;
      expect(() => verifyBatch({ publicKey: key.publicKeyPem, manifestText, signature: first.headers.get("X-Kokusai-Signature")!, bytes: tampered, format })).toThrow();
    }
    const [row] = await services.db.select().from(carrierBatches).where(eq(carrierBatches.id, cut.batchId));
    expect(row!.status).toBe("sent");
    expect((await api(`/batches/${cut.batchId}/file?format=xml`, kddiKey)).status).toBe(400);
  });

  it("answers 405 to the wrong method", async () => {
    expect((await api("/batches", kddiKey, { method: "POST" })).status).toBe(405);
  });
});

describe("the reference carrier client end to end", () => {
  it("pulls, verifies, acknowledges and answers; the application is completed with a letter in the print queue", async () => {
    const app = await verifiedApplication(services, { choice: "softbank", scopes: ["incoming", "outgoing"] });
    await planCarrierOrders(services);
    const cut = await cutBatch(services, "softbank");
    expect(cut).not.toBeNull();
    const rules: Rules = { defaults: { SUSPEND: { result: "DONE" } }, effective_date: "+1" };
    const { processed, state } = await client(softbankKey, "softbank").processReady(rules, null);
    expect(processed.length).toBeGreaterThanOrEqual(1);
    const mine = processed.find((p) => p.batchId === cut!.batchId)!;
    expect(mine.upload.applied).toBe(cut!.recordCount);
    expect(state?.sequence).toBe(Math.max(...processed.map((p) => p.sequence)));
    const [row] = await services.db.select().from(applications).where(eq(applications.id, app.applicationId));
    expect(row!.status).toBe("completed");
    const letters = await services.db.select().from(outbox).where(and(eq(outbox.applicationId, app.applicationId), eq(outbox.channel, "letter")));
    expect(letters).toHaveLength(1);
    // Nothing left to do; a second run changes nothing.
    expect((await client(softbankKey, "softbank").processReady(rules, state)).processed).toEqual([]);
  });

  it("answers inquiries from its rules (ACCEPTED for its own numbers) and the SUSPEND follows", async () => {
    const app = await verifiedApplication(services, { choice: "unknown", prefecture: 13, scopes: ["outgoing"] });
    await planCarrierOrders(services);
    await cutBatch(services, "kddi");
    await cutBatch(services, "softbank");
    const [inquiry] = await services.db.select().from(carrierOrders).where(and(eq(carrierOrders.applicationId, app.applicationId), eq(carrierOrders.carrierCode, "kddi")));
    const national = `0${inquiry!.e164.slice(3)}`;
    await client(kddiKey, "kddi").processReady({ rules: [{ action: "INQUIRY", phone_number: national, answer: { result: "ACCEPTED" } }] });
    await client(softbankKey, "softbank").processReady({});
    const orders = await services.db.select().from(carrierOrders).where(eq(carrierOrders.applicationId, app.applicationId));
    expect(orders.filter((o) => o.action === "SUSPEND").map((o) => [o.carrierCode, o.status])).toEqual([["kddi", "pending"]]);
    await cutBatch(services, "kddi");
    await client(kddiKey, "kddi").processReady({});
    const [row] = await services.db.select().from(applications).where(eq(applications.id, app.applicationId));
    expect(row!.status).toBe("completed");
  });
});

describe("npm run carrier (the reference client's command line)", () => {
  it("polls, verifies, acknowledges and answers from a rules file; a second run finds nothing", async () => {
    const key = (await createApiKey(services, { carrierCode: "ntt-docomo-business", label: "cli", createdBy: null })).key;
    const app = await verifiedApplication(services, { choice: "ntt-docomo-business", scopes: ["incoming"] });
    await planCarrierOrders(services);
    await cutBatch(services, "ntt-docomo-business");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kokusai-carrier-cli-"));
    fs.writeFileSync(path.join(dir, "centre.pem"), publicKeyInfo(services.config).publicKeyPem);
    fs.writeFileSync(path.join(dir, "rules.json"), JSON.stringify({ defaults: { SUSPEND: { result: "DONE" } }, effective_date: "2026-11-21" }));
    const run = () =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", "app/lib/carriers/cli.ts", "ntt-docomo-business", "--base-url", server.url, "--api-key", key, "--public-key", path.join(dir, "centre.pem"), "--rules", path.join(dir, "rules.json"), "--state", path.join(dir, "state.json")],
          { stdio: ["ignore", "pipe", "pipe"] },
        );
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        child.on("exit", (code) => resolve({ code, stdout, stderr }));
      });
    const first = await run();
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/ntt-docomo-business batch #\d+ .*records verified, acknowledged; results applied \d+, unchanged 0; sequence ok/);
    const [row] = await services.db.select().from(applications).where(eq(applications.id, app.applicationId));
    expect(row!.status).toBe("completed");
    expect(JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8"))).toMatchObject({ sequence: expect.any(Number) });
    const second = await run();
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("no batches waiting");
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});

describe("result uploads", () => {
  it("refuses a bad file whole with line-level errors; the same good file twice is harmless", async () => {
    const { cut, order, app } = await batchFor("kddi", "kddi");
    const bad = await api(`/batches/${cut.batchId}/results`, kddiKey, {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: "record_id,result,effective_date\r\n" + `${order.id},DONE,2026-11-21\r\n` + `${order.id},DONE,yesterday\r\n`,
    });
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { error: string; errors: { line: number; field: string; code: string }[] };
    expect(body.error).toBe("invalid_results");
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 3, field: "record_id", code: "duplicate_record" }),
        expect.objectContaining({ line: 3, field: "effective_date", code: "invalid_date" }),
      ]),
    );
    const [still] = await services.db.select().from(carrierOrders).where(eq(carrierOrders.id, order.id));
    expect(still!.resultCode).toBeNull();

    const json = JSON.stringify({ results: [{ record_id: order.id, result: "DONE", effective_date: "2026-11-21" }] });
    const post = () => api(`/batches/${cut.batchId}/results`, kddiKey, { method: "POST", headers: { "Content-Type": "application/json" }, body: json });
    expect(await (await post()).json()).toMatchObject({ applied: 1, unchanged: 0 });
    expect(await (await post()).json()).toMatchObject({ applied: 0, unchanged: 1 });
    const [row] = await services.db.select().from(applications).where(eq(applications.id, app.applicationId));
    expect(row!.status).toBe("completed");

    const ack = await api(`/batches/${cut.batchId}/ack`, kddiKey, { method: "POST" });
    expect(await ack.json()).toMatchObject({ already_acknowledged: false });
    expect(await (await api(`/batches/${cut.batchId}/ack`, kddiKey, { method: "POST" })).json()).toMatchObject({ already_acknowledged: true });
  });

  it("reports an API error from the client as ApiError", async () => {
    await expect(new ReferenceCarrierClient({ baseUrl: server.url, apiKey: "kfk_nope", publicKey: publicKeyInfo(services.config).publicKeyRaw }).listReady()).rejects.toBeInstanceOf(ApiError);
  });
});
