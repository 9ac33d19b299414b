/**
 * `remix build` (the classic compiler) without the notices that are not ours to act on:
 * @remix-run/dev loads Vite's CommonJS entry for its Vite plugin, which the classic compiler does
 * not use, and Vite prints a deprecation notice for that on every build. The flag below is Vite's
 * documented way to silence it (https://vite.dev/guide/troubleshooting.html#vite-cjs-node-api-deprecated).
 * Future-flag notices are answered in remix.config.js instead (each flag set explicitly).
 */
import { createRequire } from "node:module";

process.env.VITE_CJS_IGNORE_WARNING ??= "true";
const { cli } = createRequire(import.meta.url)("@remix-run/dev");
// As @remix-run/dev's own bin does: exit when done (the compiler's esbuild service would keep the process alive).
cli.run(["build", ...process.argv.slice(2)]).then(
  () => process.exit(0),
  (error) => {
    if (error) console.error(error);
    process.exit(1);
  },
);
