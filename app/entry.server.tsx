/**
 * Server rendering with the CSP nonce from the load context on every script Remix emits.
 * Bots get the whole document at once (onAllReady); browsers get a stream (onShellReady).
 */
import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { NonceProvider } from "./components/nonce";

const ABORT_DELAY = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce;
  const readyEvent = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        [readyEvent]() {
          shellRendered = true;
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Log the error type only: messages can carry submitted values.
          if (shellRendered) loadContext.services?.logger.error({ error: (error as Error)?.name }, "render error");
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return;
  // A 404 or 403 is an answer, not a failure.
  if (isRouteErrorResponse(error) && error.status < 500) return;
  // Structured, without the request body or query string.
  // Name, code and a stack of file positions only: a message can quote the values that failed.
  const stack = ((error as Error)?.stack ?? "").split("\n").slice(1, 6).map((line) => line.trim());
  process.stderr.write(
    `${JSON.stringify({ level: "error", msg: "unhandled", error: (error as Error)?.name, code: (error as { code?: unknown })?.code, stack, path: new URL(request.url).pathname.replace(/\d{4,}/g, "<digits>") })}\n`,
  );
}
