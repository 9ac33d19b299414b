/**
 * Compiles the processes that production runs — the web server, the workers, the migration command
 * and the OCR decoding child — into dist/, so that production runs plain JavaScript on Node with
 * NODE_ENV=production instead of a development transpiler (tsx keeps function names by wrapping
 * closures, which made the OCR's per-pixel code twice as slow: issue 14).
 *
 * Dependencies stay external (node_modules is resolved at run time as usual); only our own
 * TypeScript is bundled, one file per entry. The Remix app itself is compiled by `remix build` into
 * build/, which dist/server.js loads at start.
 *
 * buildSync, not build: the asynchronous API keeps an esbuild service process whose goroutines were
 * seen to deadlock at exit ("all goroutines are asleep") when several builds ran on a busy machine.
 */
import { buildSync } from "esbuild";
import { cpSync, rmSync } from "node:fs";
import { productionBuildOptions } from "./production-build-options.mjs";

const entryPoints = ["server.ts", "workers/main.ts", "db/migrate-cli.ts", "app/lib/ocr/safe-decode-worker.ts"];

rmSync("dist", { recursive: true, force: true });
buildSync({
  entryPoints,
  outdir: "dist",
  outbase: ".",
  ...productionBuildOptions,
  // ESM output has no require(); a few dependencies are loaded through createRequire already.
  banner: { js: "// Compiled by scripts/build-server.mjs from the TypeScript sources; do not edit." },
});
// The migrations are data the compiled db client reads next to itself (db/client.ts MIGRATIONS_FOLDER).
cpSync("db/migrations", "dist/db/migrations", { recursive: true });
