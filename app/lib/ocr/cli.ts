/**
 * npm run ocr -- <file> [more files]
 *
 * Reads paper forms (PDF, TIFF incl. FAX G3/G4, PNG, JPEG) and prints, per page, the fields read
 * as JSON with their confidences and whether an operator must check them. Offline.
 */
import { readFileSync } from "node:fs";
import { createFormReader } from "./read-form.server";

async function main(files: string[]): Promise<number> {
  if (files.length === 0) {
    process.stderr.write("使い方: npm run ocr -- <ファイル> [<ファイル> ...]\n");
    return 2;
  }
  const reader = await createFormReader();
  try {
    const output = [];
    for (const file of files) {
      const pages = await reader.readFile(readFileSync(file));
      output.push({
        file,
        pages: pages.map(({ pageIndex, result }) =>
          result.ok
            ? {
                page: pageIndex + 1,
                ok: true,
                formType: result.formType,
                formVersion: result.formVersion,
                requestId: result.requestId,
                quarterTurns: result.alignment.quarterTurns,
                seconds: result.seconds,
                needsReview: result.needsReview,
                fields: Object.fromEntries(
                  result.fields.map((f) => [f.name, { value: f.value, confidence: f.confidence, accepted: f.accepted, ...(f.problems.length ? { problems: f.problems } : {}) }]),
                ),
              }
            : { page: pageIndex + 1, ...result },
        ),
      });
    }
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    return 0;
  } finally {
    await reader.close();
  }
}

main(process.argv.slice(2).filter((a) => a !== "--")).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
