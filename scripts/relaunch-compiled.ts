/**
 * Runs a tool as production runs code: the calling script is bundled by esbuild with the production
 * build options (scripts/production-build-options.mjs: names not kept — keepNames wraps the per-pixel
 * closures of the OCR and makes them several times slower through tsx) into `cacheDir`, then run on
 * plain Node with NODE_ENV=production and `flagEnv`=1 set, so that the compiled copy knows it is the one
 * to do the work. Used by bench:ocr and ocr:digit-shapes.
 *
 * @param entryUrl the calling module's import.meta.url
 * @param extraEntries more files to compile next to it, at the path (relative to cacheDir) where the
 *   compiled code looks for them (e.g. the OCR's decode child)
 * @returns the child's exit code
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { productionBuildOptions } from "./production-build-options.mjs";

export async function relaunchCompiled(options: {
  entryUrl: string;
  cacheDir: string;
  flagEnv: string;
  extraEntries?: readonly { entry: string; outfile: string }[];
}): Promise<number> {
  const { buildSync } = await import("esbuild");
  const outdir = path.resolve(options.cacheDir);
  mkdirSync(outdir, { recursive: true });
  buildSync({ entryPoints: [fileURLToPath(options.entryUrl)], outfile: path.join(outdir, "main.mjs"), ...productionBuildOptions });
  for (const extra of options.extraEntries ?? []) {
    buildSync({ entryPoints: [path.resolve(extra.entry)], outfile: path.join(outdir, extra.outfile), ...productionBuildOptions });
  }
  // Started through a separate entry, so that no bundled module takes itself for the main script.
  writeFileSync(path.join(outdir, "run.mjs"), 'await import("./main.mjs");\n');
  const child = spawnSync(process.execPath, [path.join(outdir, "run.mjs"), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, [options.flagEnv]: "1", NODE_ENV: "production" },
  });
  return child.status ?? 1;
}
