/**
 * The decode child process (started by safe-decode.server.ts): receives a file's bytes over IPC,
 * decodes every page with the size checks of decode-image.server.ts, and answers with each page as
 * PNG; then waits for the next file. Its heap is capped by the parent (--max-old-space-size), and the
 * parent kills it at the time or memory limit and after any failure, so a hostile file costs this
 * process, never the web process, and no file after it shares this process.
 */
import { decodeDocument, UnreadableFileError } from "./decode-image.server";
import { grayToPng } from "./safe-decode-encode.server";

export type ChildRequest = { id: number; bytes: Uint8Array };
export type ChildPage = { png: Uint8Array; pageIndex: number; stretchedVertically: boolean };
export type ChildAnswer =
  | { ok: true; format: string; pages: ChildPage[] }
  | { ok: false; reason: string; message: string; detail: string };

async function decode(bytes: Uint8Array): Promise<ChildAnswer> {
  try {
    const decoded = await decodeDocument(bytes);
    const pages: ChildPage[] = decoded.map((page) => ({
      png: grayToPng(page.image),
      pageIndex: page.pageIndex,
      stretchedVertically: page.stretchedVertically ?? false,
    }));
    return { ok: true, format: decoded[0]?.format ?? "", pages };
  } catch (error) {
    if (error instanceof UnreadableFileError) return { ok: false, reason: error.reason, message: error.message, detail: error.detail ?? "" };
    return { ok: false, reason: "decode_failed", message: "ファイルを読む途中で止まりました。", detail: error instanceof Error ? error.message : String(error) };
  }
}

// The parent went away (or killed the pipe): nothing to answer to.
process.on("disconnect", () => process.exit(1));
process.on("message", (raw: unknown) => {
  const { id, bytes } = raw as ChildRequest;
  void decode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes as ArrayLike<number>)).then((answer) => process.send!({ id, answer }));
});
process.send?.({ ready: true });
