/**
 * `npm run chaos`: production under SIGKILL (issue 12, point 3).
 *
 *   npm run chaos -- [--applications 120] [--rounds 12] [--kill-every 5] [--paper 0.1] [--seed 20261201] [--no-write]
 *
 * On PostgreSQL (DATABASE_URL, an admin URL; default postgres://postgres@127.0.0.1:5432/postgres) in a
 * scratch database: two web processes and two worker processes, started as production starts them
 * (`node dist/server.js`, `node dist/workers/main.js`, NODE_ENV=production, compiled by `npm run build`),
 * behind a small round-robin load balancer. N applications arrive over HTTP through every channel —
 * web journeys without JavaScript, phone calls signed as Twilio signs them, FAX pages dropped in the FAX
 * server's folder (INTAKE_DIR) — while one random process is killed with SIGKILL every few seconds and
 * started again: at least M rounds, and on until the last application is in. People behave as people do: a page that fails is tried again (the same
 * browser, the same step), a dropped call is called again. The subscribers answer the centre's calls
 * and the carriers pull, acknowledge and answer their batches, as in bench:centre.
 *
 * Then the killing stops, the work settles, and it checks and prints: applications lost (acknowledged to
 * the person, not in the database), duplicate orders per line/action/scope/carrier, gaps in batch
 * sequences, messages sent twice (one idempotency key, or one purpose per application twice) or never
 * (a completed application without its completion notice), and jobs stuck. Exit code 1 on any.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { createLogger } from "../app/lib/logger.server";
import { loadConfig } from "../app/lib/env.server";
import { startServices, type Services } from "../app/lib/services.server";
import { createOutboxProvider } from "../app/lib/comms.server";
import { ivrAuthToken } from "../app/lib/twilio-webhook.server";
import { wrapPostgres } from "../db/client";
import { freePort, writeBenchmarkSection } from "./support";
import { createPhones } from "./centre/calls";
import { createCarriers } from "./centre/carriers";
import { ivrApplication, type IvrContext } from "./centre/ivr";
import { applicationPage, renderFile } from "./centre/paper";
import { makePlan, type Submission } from "./centre/plan";
import { finishWebApplication, startWebApplication, type WebApplication } from "./centre/web";
import { Random } from "../test/fixtures/forms/random";

const { values: args } = parseArgs({
  options: {
    applications: { type: "string", default: "120" },
    rounds: { type: "string", default: "12" },
    "kill-every": { type: "string", default: "5" },
    paper: { type: "string", default: "0.1" },
    seed: { type: "string", default: "20261201" },
    "no-write": { type: "boolean", default: false },
  },
});
const COUNT = Number(args.applications);
const ROUNDS = Number(args.rounds);
const KILL_EVERY_MS = Number(args["kill-every"]) * 1000;
const PAPER = Number(args.paper);
const SEED = Number(args.seed);
/** How long the work may take to settle once the killing stops, before what is left counts as stuck. */
const SETTLE_LIMIT_MS = 6 * 60_000;
/** A person tries a failing page or a dropped call this many times before giving up. */
const TRIES = 6;

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const SECRETS = {
  SESSION_SECRET: `chaos-session-${randomBytes(16).toString("hex")}`,
  PII_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  PII_HASH_KEY: randomBytes(32).toString("base64"),
  CARRIER_SIGNING_KEY: randomBytes(32).toString("base64"),
};
const PUBLIC_BASE_URL = "https://centre.example.jp";


// ————— the processes —————

type Proc = { name: string; kind: "web" | "worker"; port: number | null; child: ChildProcess | null; starts: number; kills: number; logFile: string };

function startProc(proc: Proc, env: Record<string, string>): void {
  const entry = proc.kind === "web" ? "dist/server.js" : "dist/workers/main.js";
  const out = fs.openSync(proc.logFile, "a");
  const childEnv: NodeJS.ProcessEnv = { ...env, NODE_ENV: "production", ...(proc.port ? { PORT: String(proc.port) } : {}) };
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env: childEnv,
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  proc.child = child;
  proc.starts++;
  child.once("exit", () => {
    if (proc.child === child) proc.child = null;
  });
}

async function healthy(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

// ————— the load balancer: round robin over the web processes that pass their health check —————

/**
 * As a real balancer does: it sends requests only to processes whose /healthz answered (checked every
 * 250 ms), and when a connection is refused (the request never reached the process) it tries the next
 * one. A process killed while it holds a request answers 502: that request may or may not have done its
 * work, and only the client decides whether to try again (the balancer never resends it).
 */
function createBalancer(webs: Proc[]) {
  let next = 0;
  let failures = 0;
  const ready = new Set<Proc>();
  let checking = true;
  const checker = (async () => {
    while (checking) {
      await Promise.all(webs.map(async (w) => ((w.child !== null && (await healthy(w.port!))) ? ready.add(w) : ready.delete(w))));
      await sleep(250);
    }
  })();
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, attempt: number) => {
    const pool = webs.filter((w) => ready.has(w) && w.child !== null);
    const target = pool.length ? pool[next++ % pool.length]! : webs[next++ % webs.length]!;
    const upstream = http.request(
      { host: "127.0.0.1", port: target.port!, method: req.method, path: req.url, headers: { ...req.headers, "x-forwarded-for": req.headers["x-forwarded-for"] ?? "127.0.0.1" } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.on("error", () => res.destroy());
      },
    );
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      ready.delete(target);
      if (error.code === "ECONNREFUSED" && attempt < 4 && !res.headersSent) {
        setTimeout(() => forward(req, res, body, attempt + 1), 200);
        return;
      }
      failures++;
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" }).end("bad gateway");
      else res.destroy();
    });
    upstream.end(body);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => forward(req, res, Buffer.concat(chunks), 0));
  });
  return {
    server,
    failures: () => failures,
    async stop() {
      checking = false;
      await checker;
    },
  };
}

// ————— main —————

async function main() {
  if (!fs.existsSync("dist/server.js") || !fs.existsSync("dist/workers/main.js")) throw new Error("dist/ is missing: run `npm run build` first (npm run chaos does)");
  const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const dbName = `kokusai_chaos_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${dbName}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "kokusai-chaos-"));
  const intakeDir = path.join(work, "fax");
  fs.mkdirSync(intakeDir);
  const procs: Proc[] = [];
  const started = performance.now();
  try {
    const lbPort = await freePort();
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...SECRETS,
      NODE_ENV: "production",
      DATABASE_URL: url.toString(),
      DATABASE_POOL_SIZE: "5",
      PUBLIC_BASE_URL,
      SEED_DEMO_DATA: "false",
      LOG_LEVEL: "warn",
      HOST: "127.0.0.1",
    };
    delete env.TWILIO_ACCOUNT_SID;
    delete env.TWILIO_AUTH_TOKEN;
    delete env.TWILIO_FROM_NUMBER;
    for (const i of [1, 2]) procs.push({ name: `web-${i}`, kind: "web", port: await freePort(), child: null, starts: 0, kills: 0, logFile: path.join(work, `web-${i}.log`) });
    for (const i of [1, 2]) procs.push({ name: `worker-${i}`, kind: "worker", port: null, child: null, starts: 0, kills: 0, logFile: path.join(work, `worker-${i}.log`) });
    const envFor = (p: Proc) => (p.kind === "web" ? { ...env, RUN_WORKERS: "false" } : { ...env, INTAKE_DIR: intakeDir });
    // All four at once on the empty database: the concurrent start of point 1, every time.
    for (const p of procs) startProc(p, envFor(p));
    const webs = procs.filter((p) => p.kind === "web");
    for (const w of webs) {
      const deadline = Date.now() + 180_000;
      while (!(await healthy(w.port!))) {
        if (Date.now() > deadline || (w.child === null && w.starts > 0)) throw new Error(`${w.name} did not start; see ${w.logFile}`);
        await sleep(250);
      }
    }
    log(`4 processes up in ${((performance.now() - started) / 1000).toFixed(0)} s; logs in ${work}`);

    const balancer = createBalancer(webs);
    await new Promise<void>((r) => balancer.server.listen(lbPort, "127.0.0.1", () => r()));
    balancer.server.keepAliveTimeout = 60_000;
    const base = `http://127.0.0.1:${lbPort}`;

    // The harness's own view of the database (the phones read the outbox, the checks read everything).
    const config = loadConfig({ ...env, RUN_WORKERS: "false" });
    const services: Services = await startServices(config, createLogger({ level: "silent" }), {
      database: wrapPostgres(url.toString(), 4),
      provider: createOutboxProvider(),
      runsWorkers: false,
    });
    // Batches are cut when a few orders wait, so that cuts happen while processes die.
    await services.database.sql("update carriers set batch_max_size = 5");

    const plan = makePlan({ seed: SEED, count: COUNT, shares: { web: (1 - PAPER) * 0.6, ivr: (1 - PAPER) * 0.4, paper: PAPER }, cancellationRate: 0, start: new Date() });
    // Everyone here wants the suspension and answers the centre's calls: what is measured is what the
    // system does when its processes die, not what people decide (bench:centre measures that).
    for (const persona of plan.personas.values()) persona.pickup = "always";
    plan.submissions = plan.submissions.filter((sub) => plan.personas.get(sub.e164)!.wanted.length > 0);
    const ivr: IvrContext = { serverUrl: base, publicBaseUrl: PUBLIC_BASE_URL, authToken: ivrAuthToken(config), centreNumber: config.centrePhoneNumber };
    const codes = new Map<string, string>();
    const phones = createPhones(services, plan, ivr, { onCode: (to, code) => void codes.set(to, code), onNotice: async () => {}, onResumeConfirmed: () => {}, onCallBackMessage: () => {} }, SEED);
    const carriers = await createCarriers(services, plan, base, { answerAfterMs: 0 });

    // ——— the killer ———
    const rnd = new Random(SEED ^ 0x7f4a7c15);
    let killing = true;
    let rounds = 0;
    let peopleDone = false;
    // At least M rounds, and on until the last person is through: every application meets the kills.
    const killer = (async () => {
      while (killing && (rounds < ROUNDS || !peopleDone)) {
        await sleep(KILL_EVERY_MS);
        if (!killing) break;
        const victim = procs[rnd.int(0, procs.length - 1)]!;
        if (!victim.child) continue;
        victim.child.kill("SIGKILL");
        victim.kills++;
        rounds++;
        await sleep(300);
        startProc(victim, envFor(victim));
        log(`  round ${rounds} (at least ${ROUNDS}): killed ${victim.name} (SIGKILL) and started it again`);
      }
    })();
    // ——— the phones and the carriers, in the background ———
    let background = true;
    const backgroundLoop = (async () => {
      let tick = 0;
      while (background) {
        await phones.poll().catch(() => 0);
        if (tick++ % 5 === 0) await carriers.poll().catch(() => {});
        await sleep(1000);
      }
    })();

    // ——— the people ———
    type Outcome = { sub: Submission; acknowledged: boolean; reference: string | null; tries: number; error: string | null };
    const outcomes: Outcome[] = [];
    const retry = async <T>(what: () => Promise<T>, o: Outcome): Promise<T | null> => {
      for (let t = 0; t < TRIES; t++) {
        o.tries++;
        try {
          return await what();
        } catch (error) {
          o.error = (error as Error).message.slice(0, 200);
          await sleep(1000 + t * 1000);
        }
      }
      return null;
    };
    async function web(sub: Submission, o: Outcome) {
      let journey: WebApplication | null = null;
      for (let t = 0; t < TRIES && !journey; t++) {
        codes.delete(sub.e164);
        journey = await retry(() => startWebApplication(base, sub, new Date()), o);
        if (!journey) return;
        const deadline = Date.now() + 90_000;
        while (!codes.has(sub.e164) && Date.now() < deadline) await sleep(500);
        if (!codes.has(sub.e164)) journey = null; // no call came: start again, as a person would
      }
      if (!journey) return;
      const done = await retry(() => finishWebApplication(journey!, plan.personas.get(sub.e164)!, codes.get(sub.e164)!), o);
      if (done?.reference) {
        o.acknowledged = true;
        o.reference = done.reference;
      }
    }
    async function phone(sub: Submission, o: Outcome) {
      for (let t = 0; t < TRIES; t++) {
        o.tries++;
        try {
          const call = await ivrApplication(ivr, sub);
          // A call that dropped after the application was taken: the next call hears its reference.
          const already = call.says.join(" ").match(/すでにお申し込みを受け付けています.*?受付番号、([0-9、の]+)、のお申し込み/);
          const reference = call.reference ?? (already ? already[1]!.replace(/[、の]/g, "") : null);
          if (reference) {
            o.acknowledged = true;
            o.reference = reference;
            return;
          }
          o.error = `the call ended with: ${call.says.slice(-1).join(" ").slice(0, 120)}`;
        } catch (error) {
          o.error = (error as Error).message.slice(0, 200);
        }
        await sleep(1000);
      }
    }
    async function paper(sub: Submission, o: Outcome) {
      const file = renderFile(applicationPage(sub, plan.personas.get(sub.e164)!), sub.pageSeed, sub.id);
      // The FAX server writes the file whole, then renames it into the folder (as FAX servers do).
      const tmp = path.join(work, file.fileName);
      fs.writeFileSync(tmp, file.bytes);
      fs.renameSync(tmp, path.join(intakeDir, file.fileName));
      o.tries = 1;
      o.acknowledged = true; // the FAX went through: the sender's machine printed "OK"
      o.reference = file.fileName;
    }
    const queue = [...plan.submissions];
    const people = Array.from({ length: 4 }, async () => {
      for (let sub = queue.shift(); sub; sub = queue.shift()) {
        const o: Outcome = { sub, acknowledged: false, reference: null, tries: 0, error: null };
        outcomes.push(o);
        if (sub.channel === "web") await web(sub, o);
        else if (sub.channel === "ivr") await phone(sub, o);
        else await paper(sub, o);
      }
    });
    await Promise.all(people);
    peopleDone = true;
    log(`applications in: ${outcomes.filter((o) => o.acknowledged).length}/${outcomes.length} acknowledged; ${rounds} kills so far`);
    while (rounds < ROUNDS) await sleep(500);
    killing = false;
    await killer;

    // ——— settle: no process dies any more; the schedules run; nothing may be left behind ———
    for (const p of procs) if (!p.child) startProc(p, envFor(p));
    const settleStart = Date.now();
    let pending = -1;
    while (Date.now() - settleStart < SETTLE_LIMIT_MS) {
      // The cut schedules fire as cron would (hourly and daily cuts would otherwise wait for their hour).
      for (const job of ["carriers.cut.every-15-min", "carriers.cut.hourly", "carriers.cut.daily-1700", "carriers.plan", "comms.sweep", "paper.sweep", "paper.confirm-sweep"]) {
        await services.queue.enqueue(job as never, {} as never).catch(() => {});
      }
      await sleep(5000);
      const [row] = await services.database.sql<{ n: number }>(
        "select count(*)::int as n from pgboss.job where name not like '__pgboss%' and state in ('created','retry','active')",
      );
      const [paperOpen] = await services.database.sql<{ n: number }>("select count(*)::int as n from scans where status in ('queued','reading','ocr_done')");
      const [ordersOpen] = await services.database.sql<{ n: number }>("select count(*)::int as n from carrier_orders o where status = 'pending' and not exists (select 1 from carrier_batch_orders m where m.order_id = o.id)");
      pending = row!.n + paperOpen!.n + ordersOpen!.n;
      if (pending === 0 && fs.readdirSync(intakeDir).filter((f) => !fs.statSync(path.join(intakeDir, f)).isDirectory()).length === 0) break;
    }
    background = false;
    await backgroundLoop;

    // ——— the checks ———
    const q = <T>(text: string) => services.database.sql<T>(text);
    const acknowledged = outcomes.filter((o) => o.acknowledged);
    const lineApps = await q<{ e164: string; n: number }>("select l.e164, count(a.id)::int as n from lines l join applications a on a.line_id = l.id group by l.e164");
    const appsByLine = new Map(lineApps.map((r) => [r.e164, r.n]));
    // A web or phone application is lost when its line has no application; a FAX page when the centre
    // has no record of the file (a page that waits for a person, or was refused with a reason, is not lost).
    const intakeFiles = new Set((await q<{ f: string }>("select original_filename as f from paper_intakes")).map((r) => r.f));
    const lost = acknowledged.filter((o) => (o.sub.channel === "paper" ? !intakeFiles.has(o.reference!) : !appsByLine.has(o.sub.e164)));
    const paperWaiting = acknowledged.filter((o) => o.sub.channel === "paper" && intakeFiles.has(o.reference!) && !appsByLine.has(o.sub.e164)).length;
    const duplicateOrders = await q<{ line_id: string; action: string; scope: string; carrier_code: string; n: number }>(
      "select line_id, action, scope, carrier_code, count(*)::int as n from carrier_orders where status <> 'cancelled' group by 1,2,3,4 having count(*) > 1",
    );
    const gaps = await q<{ carrier_code: string; batches: number; max: number }>(
      "select carrier_code, count(*)::int as batches, max(sequence)::int as max from carrier_batches group by carrier_code having count(*) <> max(sequence) or min(sequence) <> 1",
    );
    const batches = await q<{ n: number }>("select count(*)::int as n from carrier_batches");
    const twice = await q<{ purpose: string; application_id: string; n: number }>(
      "select purpose, application_id, count(*)::int as n from outbox where application_id is not null and purpose in ('completion','application_not_accepted','paper_not_accepted') group by 1,2 having count(*) > 1",
    );
    const never = await q<{ n: number }>(
      "select count(*)::int as n from applications a where a.status = 'completed' and not exists (select 1 from outbox o where o.application_id = a.id and o.purpose = 'completion')",
    );
    const stuckJobs = await q<{ name: string; state: string; n: number }>(
      "select name, state, count(*)::int as n from pgboss.job where name not like '__pgboss%' and state in ('created','retry','active') and start_after < now() - interval '2 minutes' group by 1,2",
    );
    const stuckScans = await q<{ status: string; n: number }>("select status, count(*)::int as n from scans where status in ('queued','reading','ocr_done') group by 1");
    const leftInFolder = fs.readdirSync(intakeDir).filter((f) => !fs.statSync(path.join(intakeDir, f)).isDirectory());
    const failedFolder = fs.existsSync(path.join(intakeDir, "failed")) ? fs.readdirSync(path.join(intakeDir, "failed")) : [];
    const orders = await q<{ n: number }>("select count(*)::int as n from carrier_orders");
    const messages = await q<{ n: number }>("select count(*)::int as n from outbox");
    const appsTotal = lineApps.reduce((s, r) => s + r.n, 0);
    const stuck = stuckJobs.reduce((s, r) => s + r.n, 0) + stuckScans.reduce((s, r) => s + r.n, 0) + leftInFolder.length;
    const wallS = (performance.now() - started) / 1000;

    const byChannel = (["web", "ivr", "paper"] as const).map((c) => {
      const runs = outcomes.filter((o) => o.sub.channel === c);
      return `${c} ${runs.filter((o) => o.acknowledged).length}/${runs.length}`;
    });
    const md: string[] = [
      `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run chaos -- --applications ${COUNT} --rounds ${ROUNDS} --kill-every ${KILL_EVERY_MS / 1000} --paper ${PAPER} --seed ${SEED}\` on ${os.cpus().length} cores, Node ${process.version}, PostgreSQL (scratch database): 2 web and 2 worker processes compiled (\`node dist/…\`, NODE_ENV=production) behind a round-robin balancer; one random process killed with SIGKILL every ${KILL_EVERY_MS / 1000} s and started again while the applications arrived, ${rounds} rounds (${procs.map((p) => `${p.name} ${p.kills}`).join(", ")}). Wall time ${wallS.toFixed(0)} s.`,
      "",
      `Applications acknowledged to the person (reference shown or spoken; FAX sent): ${acknowledged.length} of ${outcomes.length} (${byChannel.join(", ")}); 502s from the balancer while processes died: ${balancer.failures()}; people's tries: ${outcomes.reduce((s, o) => s + o.tries, 0)}. FAX pages taken in but not (yet) an application (waiting for a person or for the line's answer): ${paperWaiting}. In the database: ${appsTotal} applications, ${orders[0]!.n} carrier orders in ${batches[0]!.n} batches, ${messages[0]!.n} messages.`,
      "",
      "| check | result |",
      "| --- | ---: |",
      `| applications lost (acknowledged, not in the database) | **${lost.length}** |`,
      `| duplicate orders (line, action, scope, carrier) | **${duplicateOrders.length}** |`,
      `| gaps in batch sequences | **${gaps.length}** |`,
      `| messages sent twice (a completion or a not-accepted notice per application) | **${twice.length}** |`,
      `| completion notices never sent (completed applications) | **${never[0]!.n}** |`,
      `| jobs, pages or FAX files stuck after ${SETTLE_LIMIT_MS / 60_000} min of settling | **${stuck}** |`,
    ];
    const details = [
      ...lost.slice(0, 5).map((o) => `lost: ${o.sub.channel} …${o.sub.e164.slice(-4)} (${o.reference ?? "no reference"})`),
      ...duplicateOrders.slice(0, 5).map((d) => `duplicate: ${d.action} ${d.scope} to ${d.carrier_code} ×${d.n}`),
      ...gaps.map((g) => `gap: ${g.carrier_code} has ${g.batches} batches up to sequence ${g.max}`),
      ...twice.slice(0, 5).map((t) => `twice: ${t.purpose} ×${t.n}`),
      ...stuckJobs.map((s) => `stuck job: ${s.name} ${s.state} ×${s.n}`),
      ...stuckScans.map((s) => `stuck page: ${s.status} ×${s.n}`),
      ...(leftInFolder.length ? [`FAX files never taken: ${leftInFolder.length}`] : []),
      ...(failedFolder.length ? [`FAX files moved to failed/: ${failedFolder.length}`] : []),
      ...outcomes.filter((o) => !o.acknowledged).slice(0, 5).map((o) => `not acknowledged: ${o.sub.channel} after ${o.tries} tries: ${o.error ?? "?"}`),
      ...phones.stats.errors.slice(0, 3).map((e) => `phone: ${e}`),
      ...carriers.stats.errors.slice(0, 3).map((e) => `carrier: ${e}`),
    ];
    if (details.length) md.push("", ...details.map((d) => `- ${d}`));
    const markdown = md.join("\n");
    process.stdout.write(`\n## Chaos (npm run chaos)\n\n${markdown}\n`);
    if (!args["no-write"]) writeBenchmarkSection("Chaos (npm run chaos)", markdown);
    await services.close();
    await balancer.stop();
    balancer.server.closeAllConnections();
    await new Promise<void>((r) => balancer.server.close(() => r()));
    const bad = lost.length + duplicateOrders.length + gaps.length + twice.length + never[0]!.n + stuck;
    process.exitCode = bad === 0 ? 0 : 1;
  } finally {
    for (const p of procs) p.child?.kill("SIGKILL");
    await sleep(500);
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
    if (process.exitCode === 0) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
