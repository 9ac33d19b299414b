/**
 * The decode child process (started by safe-decode.server.ts, one file per process): receives a
 * file's bytes over IPC, decodes every page with the size checks of decode-image.server.ts, and
 * answers with each page as PNG. Its heap is capped by the parent (--max-old-space-size) and the
 * parent kills it at the time limit, so a hostile file costs this process, never the web process.
 */
import { decodeDocument, UnreadableFileError } from "./decode-image.server";
import { grayToPng } from "./safe-decode-encode.server";

export type ChildRequest = { bytes: Uint8Array };
export type ChildPage = { png: Uint8Array; pageIndex: number; stretchedVertically: boolean };
export type ChildAnswer =
  | { ok: true; format: string; pages: ChildPage[] }
  | { ok: false; reason: string; message: string; detail: string };

function answer(message: ChildAnswer): void {
  process.send!(message, undefined, {}, () => process.exit(0));
}

// The parent went away (or killed the pipe): nothing to answer to.
process.on("disconnect", () => process.exit(1));
process.once("message", (raw: unknown) => {
  void (async () => {
    const { bytes } = raw as ChildRequest;
    try {
      const decoded = await decodeDocument(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes as ArrayLike<number>));
      const pages: ChildPage[] = decoded.map((page) => ({
        png: grayToPng(page.image),
        pageIndex: page.pageIndex,
        stretchedVertically: page.stretchedVertically ?? false,
      }));
      answer({ ok: true, format: decoded[0]?.format ?? "", pages });
    } catch (error) {
      if (error instanceof UnreadableFileError) answer({ ok: false, reason: error.reason, message: error.message, detail: error.detail ?? "" });
      else answer({ ok: false, reason: "decode_failed", message: "ファイルを読む途中で止まりました。", detail: error instanceof Error ? error.message : String(error) });
    }
  })();
});
process.send?.({ ready: true });
