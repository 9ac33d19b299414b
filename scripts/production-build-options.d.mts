import type { BuildOptions } from "esbuild";

export declare const productionBuildOptions: BuildOptions & {
  bundle: true;
  platform: "node";
  format: "esm";
  target: "node20";
  packages: "external";
  sourcemap: true;
  keepNames: false;
  logLevel: "warning";
};
