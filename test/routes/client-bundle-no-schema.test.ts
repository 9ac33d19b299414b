/**
 * Issue 12, point 8: the database schema never ships to the browser. /status and /cancel/object used to
 * import db/schema for their rate limits, and the whole drizzle schema (every table and column) went
 * out in a 55 KB chunk on those public pages.
 *
 * Reads the client build (public/build, made by `npm run build` / `npm test` before vitest) and fails if
 * any file holds a table or column name of the schema as a string literal. Names with an underscore
 * are distinctive enough to search for as they are; single-word table names ("lines", "outbox") are
 * searched in the form drizzle's pgTable("name", …) leaves after minification: `("name",{`.
 * Also checks the source: no route module imports db/ at all.
 */
import fs from "node:fs";
import path from "node:path";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import { is } from "drizzle-orm";
import { PgTable as PgTableClass } from "drizzle-orm/pg-core";
import * as schema from "../../db/schema";

const ROOT = path.resolve(__dirname, "../..");
const CLIENT_BUILD = path.join(ROOT, "public", "build");

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : [full];
  });
}

const tables = (Object.values(schema) as unknown[]).filter((value): value is PgTable => is(value, PgTableClass));

/**
 * Words that are also public names of something else, so they are looked for only in the shape a
 * table or column definition leaves: "carrier_exceptions" is a back-office area (app/lib/roles.ts);
 * "reason_code" and "effective_date" are column headers of the carriers' result file
 * (docs/carrier-interface.md), which the carrier pages show.
 */
const ALSO_PUBLIC_WORDS = new Set(["carrier_exceptions", "reason_code", "effective_date"]);

/** Literal forms a name takes in minified JavaScript. */
function needles(): { name: string; forms: string[] }[] {
  const out: { name: string; forms: string[] }[] = [];
  const definition = (word: string) => [`("${word}",{`, `('${word}',{`, `("${word}")`, `('${word}')`];
  const literal = (word: string) => (word.includes("_") && !ALSO_PUBLIC_WORDS.has(word) ? [`"${word}"`, `'${word}'`] : definition(word));
  for (const table of tables) {
    const config = getTableConfig(table);
    const name = config.name;
    out.push({ name, forms: literal(name).concat(definition(name)) });
    for (const column of config.columns) {
      if (column.name.includes("_")) out.push({ name: `${name}.${column.name}`, forms: literal(column.name) });
    }
  }
  return out;
}

describe("the client bundle holds no database schema (issue 12)", () => {
  it("finds the schema's tables to look for", () => {
    expect(tables.length).toBeGreaterThan(20);
    expect(needles().some((n) => n.name === "audit_log")).toBe(true);
    expect(needles().some((n) => n.name === "rate_limit_events")).toBe(true);
  });

  it("no file of public/build contains a table or column name of the schema", () => {
    // The build must exist: `npm test` builds first; a missing build is a failure, not a pass.
    expect(fs.existsSync(CLIENT_BUILD), "public/build is missing: run `npm run build` first").toBe(true);
    const scripts = files(CLIENT_BUILD).filter((file) => file.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(5);
    const found: string[] = [];
    const all = needles();
    for (const file of scripts) {
      const text = fs.readFileSync(file, "utf8");
      for (const needle of all) {
        if (needle.forms.some((form) => text.includes(form))) found.push(`${path.relative(ROOT, file)}: ${needle.name}`);
      }
    }
    expect(found).toEqual([]);
  });

  it("no route module imports the database layer (queries live in *.server.ts services)", () => {
    const routes = path.join(ROOT, "app", "routes");
    const offenders = files(routes).filter((file) => /from\s+["'](?:\.\.\/)+db\/|from\s+["']drizzle-orm/.test(fs.readFileSync(file, "utf8")));
    expect(offenders.map((f) => path.relative(ROOT, f))).toEqual([]);
  });
});
