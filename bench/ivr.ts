/**
 * `npm run bench:ivr`: latency (p50/p99) and throughput of the IVR webhooks under 100 concurrent
 * simulated calls (each a whole application call: 9 signed webhooks), against a bare Node HTTP
 * server that returns fixed TwiML, driven by the same simulator in the same run (ratio).
 *
 * Both servers are separate processes, the app as production runs it (dist/server.js, compiled,
 * NODE_ENV=production) on PostgreSQL (a scratch database on 127.0.0.1:5432); this process is only the
 * load generator. Then a burst of --calls first webhooks at once. Options: --calls 100 --rounds 3.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { CallSimulator } from "../app/lib/ivr-simulator.server";
import { ivrAuthToken } from "../app/lib/twilio-webhook.server";
import { loadConfig } from "../app/lib/env.server";
import { productionBenchEnv, startServerProcess, summarise, withScratchDatabase, writeBenchmarkSection } from "./support";

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
function bareServerSource(publicBaseUrl: string): string {
  const twiml = `<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf speech" language="ja-JP" action="${publicBaseUrl}/ivr/step?node=menu" method="POST" numDigits="1"><Say language="ja-JP">お電話ありがとうございます。</Say></Gather><Redirect method="POST">${publicBaseUrl}/ivr/step?node=menu&amp;silence=1</Redirect></Response>`;
  // After a spoken name the real IVR asks for a recording: the baseline answers with a Record verb
  // there, so the same simulated call script runs against both servers.
  const record = `<?xml version="1.0" encoding="UTF-8"?><Response><Say language="ja-JP">どうぞ。</Say><Record action="${publicBaseUrl}/ivr/step?node=apply_name_record" method="POST"/></Response>`;
  return `
    const http = require("node:http");
    const twiml = ${JSON.stringify(twiml)};
    const record = ${JSON.stringify(record)};
    http.createServer((req, res) => {
      if (req.url === "/healthz") { res.end("ok"); return; }
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        res.writeHead(200, { "Content-Type": "text/xml" });
        res.end(body.includes("SpeechResult=") ? record : twiml);
      });
    }).listen(Number(process.env.PORT), "127.0.0.1");`;
}

if (!fs.existsSync("dist/server.js")) throw new Error("dist/ is missing: run `npm run build` first (npm run bench:ivr does)");

await withScratchDatabase(async (url) => {
  const env = productionBenchEnv(url);
  const config = loadConfig(env);
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-ivr-"));
  // BENCH_PROFILE_DIR=<dir>: the app process writes a V8 CPU profile there (where the time goes).
  const profile = process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const app = await startServerProcess([...profile, "dist/server.js"], env, path.join(logDir, "web.log"));
  const bare = await startServerProcess(["-e", bareServerSource(config.publicBaseUrl)], { ...process.env, NODE_ENV: "production" }, path.join(logDir, "bare.log"));
  const token = ivrAuthToken(config);
  try {
    // Warm up both (JIT, connection pools), then measure the baseline and the IVR alternately.
    await drive(bare.url, config.publicBaseUrl, token, 9_000_000);
    await drive(app.url, config.publicBaseUrl, token, 9_500_000);
    const baseline = await drive(bare.url, config.publicBaseUrl, token, 1_000_000);
    const ivr = await drive(app.url, config.publicBaseUrl, token, 2_000_000);
    // A burst: 100 first webhooks at once (callers all dialling in the same second).
    const burst: number[] = [];
    await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => {
        const call = new CallSimulator({ serverUrl: app.url, publicBaseUrl: config.publicBaseUrl, authToken: token, from: `+8132${String(3_000_000 + i).padStart(7, "0")}`, fetch: timedFetch(burst) });
        return call.start();
      }),
    );
    const burstMax = Math.max(...burst);
    const rows = [
      ["bare Node HTTP, fixed TwiML (baseline)", baseline],
      ["IVR webhooks (compiled server, PostgreSQL)", ivr],
    ] as const;
    const table = [
      "| server | requests | p50 ms | p99 ms | requests/s |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...rows.map(([name, r]) => `| ${name} | ${r.requests} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.throughput.toFixed(0)} |`),
    ].join("\n");
    const ratios = `IVR / baseline: p50 ×${(ivr.p50 / baseline.p50).toFixed(1)}, p99 ×${(ivr.p99 / baseline.p99).toFixed(1)}, throughput ×${(ivr.throughput / baseline.throughput).toFixed(2)}`;
    const burstLine = `Burst: ${CONCURRENT} first webhooks at once, slowest answered in ${burstMax.toFixed(0)} ms (p50 ${summarise(burst, 1).p50.toFixed(0)} ms).`;
    console.log(table);
    console.log(ratios);
    console.log(burstLine);
    if (!values["no-write"]) {
      writeBenchmarkSection(
        "IVR webhooks (npm run bench:ivr)",
        `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:ivr\` (${CONCURRENT} concurrent simulated calls × ${ROUNDS} rounds; each call is a whole application, 9 signed webhooks). Both servers are separate processes on 127.0.0.1: the app as production runs it (\`node dist/server.js\`, compiled, NODE_ENV=production, PostgreSQL 15 scratch database, no workers in the process), the baseline a bare Node HTTP server; the load generator is this process. 2 cores shared by all three and PostgreSQL.\n\n${table}\n\n${ratios}\n\n${burstLine}\n\nEach application call writes the call state, the line, the application, its events and audit rows; the baseline does no work at all, so the ratio is the whole cost of the IVR.`,
      );
    }
  } finally {
    await bare.stop();
    await app.stop();
  }
});
