/**
 * The README's promise: `npm start` serves / and /healthz within 60 s on the embedded database,
 * prints the demo login, shuts down cleanly on SIGTERM, and a second start reuses the data.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

type Started = { url: string; output: () => string; stop: () => Promise<number | null> };

async function startProductionServer(dataDir: string): Promise<Started> {
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: path.resolve("."),
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, NODE_ENV: "production", DATABASE_URL: "", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  while (!url && Date.now() < deadline) {
    url = output.match(/Portal:\s+(http:\/\/\S+?)\/\s/)?.[1];
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    if (!url) await new Promise((r) => setTimeout(r, 100));
  }
  if (!url) {
    child.kill("SIGKILL");
    throw new Error(`server did not start within 60 s:\n${output}`);
  }
  return {
    url,
    output: () => output,
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

describe("npm start on the embedded database", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kokusai-start-"));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("serves / and /healthz within 60 s, prints the demo login, and stops on SIGTERM", async () => {
    const started = Date.now();
    const server = await startProductionServer(dataDir);
    try {
      const home = await fetch(`${server.url}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain("国際電話");
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(server.output()).toMatch(/Demo login:\s+username demo\s+password \S{19}/);
      expect(server.output()).toContain("demo operator created");
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 90_000);

  it("reuses the data folder on a second start", async () => {
    const secretsBefore = fs.readFileSync(path.join(dataDir, "secrets.json"), "utf8");
    const server = await startProductionServer(dataDir);
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(server.output()).not.toContain("demo operator created");
      expect(fs.readFileSync(path.join(dataDir, "secrets.json"), "utf8")).toBe(secretsBefore);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 90_000);

  it("refuses to start with a clear message for a bad value", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
      env: { ...process.env, PORT: "not-a-port", DATA_DIR: dataDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toContain("Invalid configuration");
    expect(stderr).toContain("PORT");
  }, 30_000);
});
