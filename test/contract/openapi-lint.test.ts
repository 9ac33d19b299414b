/**
 * docs/openapi.yaml passes Redocly CLI's `lint` with its recommended rules, run offline from
 * node_modules (telemetry and the update check off). The one warning allowed is info-license: the
 * centre has not published a licence for the document.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const CLI = path.resolve("node_modules/@redocly/cli/bin/cli.js");
const ALLOWED_WARNINGS = ["info-license"];

type LintReport = { totals: { errors: number; warnings: number }; problems: { ruleId: string; severity: string; message: string; location: { pointer: string; start?: { line: number } }[] }[] };

function lint(file: string): LintReport {
  const run = spawnSync(process.execPath, [CLI, "lint", file, "--extends", "recommended", "--format", "json"], {
    encoding: "utf8",
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", REDOCLY_SUPPRESS_NOTIFICATIONS: "true", NO_COLOR: "1" },
    timeout: 60_000,
  });
  const start = run.stdout.indexOf("{");
  if (start < 0) throw new Error(`redocly lint printed no report (exit ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout.slice(start)) as LintReport;
}

const describeProblems = (report: LintReport) =>
  report.problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer} (line ${p.location[0]?.start?.line}): ${p.message}`).join("\n");

describe("docs/openapi.yaml under Redocly CLI lint (recommended rules)", () => {
  it("has no error, and no warning but the allowed ones", () => {
    const report = lint("docs/openapi.yaml");
    expect(report.totals.errors, describeProblems(report)).toBe(0);
    expect(report.problems.filter((p) => !ALLOWED_WARNINGS.includes(p.ruleId)), describeProblems(report)).toEqual([]);
  }, 90_000);

  it("catches the mistake it was failing on: an unquoted comma in a YAML flow mapping", () => {
    const broken = fs
      .readFileSync("docs/openapi.yaml", "utf8")
      .replace('public_key_raw: { type: string, description: "The 32 raw bytes, base64" }', "public_key_raw: { type: string, description: The 32 raw bytes, base64 }");
    expect(broken).toContain("The 32 raw bytes, base64 }");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kokusai-openapi-"));
    try {
      fs.writeFileSync(path.join(dir, "openapi.yaml"), broken);
      const report = lint(path.join(dir, "openapi.yaml"));
      expect(report.totals.errors).toBeGreaterThan(0);
      expect(report.problems.map((p) => p.ruleId)).toContain("struct");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
