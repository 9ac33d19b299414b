/**
 * How production code is compiled (esbuild), shared by scripts/build-server.mjs (dist/) and the
 * benchmarks that measure compiled code the same way (bench/apply.ts, bench/ocr.ts).
 */
export const productionBuildOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  // Names are not kept: keepNames wraps every function, closures in hot loops included.
  keepNames: false,
  logLevel: "warning",
};
