/**
 * Remix v2 with the classic compiler (design card). Server-only code lives in `*.server.ts` files:
 * the classic compiler empties a `.server/` folder silently, but honours the file suffix.
 * @type {import('@remix-run/dev').AppConfig}
 */
export default {
  ignoredRouteFiles: ["**/.*", "**/*.test.*"],
  serverModuleFormat: "esm",
  serverPlatform: "node",
  // Packages with native or WASM parts stay external; everything of ours is bundled.
  serverDependenciesToBundle: [],
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    // Not yet: single fetch changes how loader data, headers and the CSP nonce of streamed scripts
    // work across every route. Set to false on purpose, so the build does not ask on every run.
    v3_singleFetch: false,
  },
};
