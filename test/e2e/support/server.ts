/**
 * Starts the app the way production does (`node dist/server.js` from the repo root: the compiled
 * server, NODE_ENV=production) on a free port with a fresh data directory, and waits until GET
 * /healthz answers 200.
 *
 * The Remix build and the compiled server are made by the npm script (`npm run test:e2e` =
 * `npm run build && vitest run …`); this helper does not build.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** test/e2e/support → repo root */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export const DEFAULT_DEMO_OPERATOR_PASSWORD = "e2e-demo-pass-1234";

const STARTUP_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 200;
const STOP_GRACE_MS = 10_000;
const MAX_OUTPUT_CHARS = 2_000_000;

export interface RunningServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  url: string;
  /** The env the server was started with (PORT, DATA_DIR, DEMO_OPERATOR_PASSWORD, …). */
  env: Record<string, string>;
  /** SIGTERM, wait for exit (SIGKILL after 10 s), then remove the data directory. */
  stop(): Promise<void>;
  /** Everything the server printed so far (stdout and stderr, interleaved). */
  output(): string;
}

export function findFreePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const address = srv.address();
      if (address === null || typeof address === "string") {
        srv.close();
        reject(new Error("could not read the port of a listening socket"));
        return;
      }
      const { port } = address;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once("exit", onExit);
  });
}

export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await findFreePort();
  const dataDir = await mkdtemp(join(tmpdir(), "e2e-data-"));
  const serverEnv: Record<string, string> = {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    DEMO_OPERATOR_PASSWORD: env.DEMO_OPERATOR_PASSWORD ?? DEFAULT_DEMO_OPERATOR_PASSWORD,
    NODE_ENV: "production",
    ...env,
  };
  const url = `http://127.0.0.1:${port}`;

  let buffer = "";
  const append = (chunk: Buffer | string) => {
    buffer += chunk.toString();
    if (buffer.length > MAX_OUTPUT_CHARS) buffer = buffer.slice(-MAX_OUTPUT_CHARS);
  };

  const child = spawn(process.execPath, ["dist/server.js"], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...serverEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  let spawnError: Error | undefined;
  child.once("error", (err) => {
    spawnError = err;
    append(`\n[e2e] spawn error: ${err.message}\n`);
  });

  // If the test process goes away without stop(), do not leave the server behind.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill("SIGTERM");
      if (!(await waitForExit(child, STOP_GRACE_MS))) {
        append("\n[e2e] server did not exit within 10 s of SIGTERM; sending SIGKILL\n");
        child.kill("SIGKILL");
        await waitForExit(child, STOP_GRACE_MS);
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let lastProblem = "no answer yet";
  try {
    for (;;) {
      if (spawnError) throw new Error(`could not spawn the server: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the server exited during startup (code ${child.exitCode}, signal ${child.signalCode})`);
      }
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status === 200) break;
        lastProblem = `GET /healthz answered ${res.status}`;
      } catch (err) {
        lastProblem = `GET /healthz failed: ${(err as Error).message}`;
      }
      if (Date.now() > deadline) {
        throw new Error(`the server did not become healthy within ${STARTUP_TIMEOUT_MS / 1000} s (${lastProblem})`);
      }
      await sleep(POLL_INTERVAL_MS);
    }
  } catch (err) {
    await stop();
    const message = `${(err as Error).message}\n--- server output (node dist/server.js, cwd ${REPO_ROOT}) ---\n${buffer}\n--- end of server output ---`;
    console.error(message);
    throw new Error(message);
  }

  return { url, env: serverEnv, stop, output: () => buffer };
}
