/**
 * One OCR pool per worker process, started on the first page (tesseract workers take ~0.4 s each to
 * start and hold the traineddata in memory), and stopped with the workers.
 */
import { createFormReader, type FormReader } from "../app/lib/ocr/read-form.server";

let reader: Promise<FormReader> | null = null;

export function formReader(): Promise<FormReader> {
  reader ??= createFormReader();
  return reader;
}

export async function closeFormReader(): Promise<void> {
  if (!reader) return;
  const current = reader;
  reader = null;
  await (await current).close();
}
