/**
 * Server rendering with the CSP nonce from the load context on every script Remix emits.
 * Bots get the whole document at once (onAllReady); browsers get a stream (onShellReady).
 */
import { Transform, type TransformCallback } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { NonceProvider } from "./components/nonce";

const ABORT_DELAY = 5_000;

/**
 * React 18's streaming renderer can emit zero bytes: when a multi-byte character (most Japanese text)
 * does not fit at the end of its 2 KiB buffer, it flushes the whole buffer, unused tail included
 * (react-dom/server writeStringChunk). HTML never contains U+0000, so dropping zero bytes restores
 * exactly what was rendered.
 */
function withoutZeroBytes(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      callback(null, chunk.includes(0) ? chunk.filter((byte) => byte !== 0) : chunk);
    },
  });
}

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
          const body = withoutZeroBytes();
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
