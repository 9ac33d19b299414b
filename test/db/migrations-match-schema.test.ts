/**
 * The committed migrations are what drizzle-kit generates from db/schema: generating again into a copy
 * of db/migrations finds nothing to do. (A schema change without `npm run db:generate`, or a migration
 * edited so that its snapshot no longer matches the schema, fails here.)
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..", "..");

describe("migrations", () => {
  it("match the schema: drizzle-kit generate has nothing to add", async () => {
    // drizzle-kit takes --out relative to the working directory: a folder inside the checkout.
    const out = fs.mkdtempSync(path.join(root, ".migrations-check-"));
    try {
      fs.cpSync(path.join(root, "db", "migrations"), out, { recursive: true });
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [path.join(root, "node_modules", "drizzle-kit", "bin.cjs"), "generate", "--dialect", "postgresql", "--schema", "./db/schema/index.ts", "--out", `./${path.relative(root, out)}`],
        { cwd: root, timeout: 60_000 },
      );
      expect(stdout).toContain("No schema changes");
      expect(fs.readdirSync(out).filter((f) => f.endsWith(".sql")).sort()).toEqual(fs.readdirSync(path.join(root, "db", "migrations")).filter((f) => f.endsWith(".sql")).sort());
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
