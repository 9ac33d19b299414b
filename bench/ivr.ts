/**
 * `npm run bench:ivr`: latency (p50/p99) and throughput of the IVR webhooks under 100 concurrent
 * simulated calls (each a whole application call: 9 signed webhooks), against a bare Node HTTP
 * server that returns fixed TwiML, driven by the same simulator in the same run (ratio).
 *
 * The server runs in this process on PostgreSQL (a scratch database on 127.0.0.1:5432) — production's
 * driver. Options: --calls 100 (concurrency) --rounds 3.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { createApp } from "../server";
import { createLogger } from "../app/lib/logger.server";
import { startServices } from "../app/lib/services.server";
import { CallSimulator } from "../app/lib/ivr-simulator.server";
import { ivrAuthToken } from "../app/lib/twilio-webhook.server";
import { createOutboxProvider } from "../app/lib/comms.server";
import { wrapPostgres } from "../db/client";
import { loadConfig } from "../app/lib/env.server";
import { summarise, withScratchDatabase, writeBenchmarkSection } from "./support";

const { values } = parseArgs({ options: { calls: { type: "string", default: "100" }, rounds: { type: "string", default: "3" }, "no-write": { type: "boolean", default: false } } });
const CONCURRENT = Number(values.calls);
const ROUNDS = Number(values.rounds);

/** Wraps fetch to time every webhook request. */
function timedFetch(latencies: number[]): typeof fetch {
  return async (input, init) => {
    const started = performance.now();
    const response = await fetch(input, init);
    await response.clone().arrayBuffer();
    latencies.push(performance.now() - started);
    return response;
  };
}

async function applicationCall(serverUrl: string, publicBaseUrl: string, token: string, from: string, latencies: number[]) {
  const call = new CallSimulator({ serverUrl, publicBaseUrl, authToken: token, from, fetch: timedFetch(latencies) });
  await call.start();
  await call.press("1");
  await call.press("2");
  await call.press("2");
  await call.press("1");
  await call.speak("山田 花子");
  await call.record();
  await call.press("1");
  await call.press("1");
}

async function drive(serverUrl: string, publicBaseUrl: string, token: string, numberBase: number) {
  const latencies: number[] = [];
  const started = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => {
        const n = numberBase + round * CONCURRENT + i;
        return applicationCall(serverUrl, publicBaseUrl, token, `+8131${String(n).padStart(7, "0")}`, latencies);
      }),
    );
  }
  return summarise(latencies, performance.now() - started);
}

/** The baseline: the cheapest possible webhook server, answering every request with one Gather. */
async function bareServer(publicBaseUrl: string): Promise<{ url: string; close: () => Promise<void> }> {
  const twiml = `<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf speech" language="ja-JP" action="${publicBaseUrl}/ivr/step?node=menu" method="POST" numDigits="1"><Say language="ja-JP">お電話ありがとうございます。</Say></Gather><Redirect method="POST">${publicBaseUrl}/ivr/step?node=menu&amp;silence=1</Redirect></Response>`;
  // After a spoken name the real IVR asks for a recording: the baseline answers with a Record verb
  // there, so the same simulated call script runs against both servers.
  const record = `<?xml version="1.0" encoding="UTF-8"?><Response><Say language="ja-JP">どうぞ。</Say><Record action="${publicBaseUrl}/ivr/step?node=apply_name_record" method="POST"/></Response>`;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      res.writeHead(200, { "Content-Type": "text/xml" });
      res.end(body.includes("SpeechResult=") ? record : twiml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

await withScratchDatabase(async (url) => {
  const env = { ...process.env, DATABASE_URL: url, SESSION_SECRET: "bench-session-secret-0123456789abcdef", PII_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"), PII_HASH_KEY: Buffer.alloc(32, 2).toString("base64"),
    CARRIER_SIGNING_KEY: Buffer.alloc(32, 3).toString("base64"), PUBLIC_BASE_URL: "https://centre.example.jp", LOG_LEVEL: "silent" };
  const config = loadConfig(env);
  const database = wrapPostgres(url, 20);
  const services = await startServices(config, createLogger({ level: "silent" }), { database, provider: createOutboxProvider(), runsWorkers: false });
  const build = (await import(pathToFileURL(path.resolve("build/index.js")).href)) as ServerBuild;
  const app = createApp({ config, build, services });
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((r) => server.once("listening", () => r()));
  const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bare = await bareServer(config.publicBaseUrl);
  const token = ivrAuthToken(config);
  try {
    // Warm up both (JIT, connection pools), then measure the baseline and the IVR alternately.
    await drive(bare.url, config.publicBaseUrl, token, 9_000_000);
    await drive(appUrl, config.publicBaseUrl, token, 9_500_000);
    const baseline = await drive(bare.url, config.publicBaseUrl, token, 1_000_000);
    const ivr = await drive(appUrl, config.publicBaseUrl, token, 2_000_000);
    const rows = [
      ["bare Node HTTP, fixed TwiML (baseline)", baseline],
      ["IVR webhooks (Remix + PostgreSQL)", ivr],
    ] as const;
    const table = [
      "| server | requests | p50 ms | p99 ms | requests/s |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...rows.map(([name, r]) => `| ${name} | ${r.requests} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.throughput.toFixed(0)} |`),
    ].join("\n");
    const ratios = `IVR / baseline: p50 ×${(ivr.p50 / baseline.p50).toFixed(1)}, p99 ×${(ivr.p99 / baseline.p99).toFixed(1)}, throughput ×${(ivr.throughput / baseline.throughput).toFixed(2)}`;
    console.log(table);
    console.log(ratios);
    if (!values["no-write"]) {
      writeBenchmarkSection(
        "IVR webhooks (npm run bench:ivr)",
        `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:ivr\` (${CONCURRENT} concurrent simulated calls × ${ROUNDS} rounds; each call is a whole application, 9 signed webhooks; server in the same process on PostgreSQL 15 at 127.0.0.1, 2 cores shared with the load generator).\n\n${table}\n\n${ratios}\n\nEach application call writes the call state, the line, the application, its events and an audit row; the baseline does no work at all, so the ratio is the whole cost of the IVR.`,
      );
    }
  } finally {
    await bare.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await services.close();
    await database.close();
  }
});
