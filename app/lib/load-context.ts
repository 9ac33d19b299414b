import type { Services } from "./services.server";

declare module "@remix-run/node" {
  interface AppLoadContext {
    services: Services;
    /** Per-response nonce for the Content-Security-Policy (Remix's inline scripts carry it). */
    cspNonce: string;
    /** The client address as seen by the server (behind a proxy: the first X-Forwarded-For hop). */
    clientIp: string;
  }
}

export {};
