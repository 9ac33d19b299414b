/**
 * Type-level contract for `npm run typecheck`: the JSON the centre builds for a batch (batchJson, in
 * app/lib/carrier-api.server.ts) has exactly the fields of the document's Batch, with types the
 * document allows. Renaming, adding or retyping a field on one side without the other (and without
 * `npm run generate:carrier-api`) fails the typecheck. `status` is left out: the centre's type also
 * has "cutting", which the API never shows (such batches are not listed).
 * The other operations' bodies are built inline in the route modules; the contract tests check them.
 */
import type { batchJson } from "../../app/lib/carrier-api.server";
import type { components } from "../../app/lib/carriers/carrier-api.generated";

type DocumentBatch = components["schemas"]["Batch"];
type CentreBatch = ReturnType<typeof batchJson>;
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : { extra: Exclude<keyof A, keyof B>; missing: Exclude<keyof B, keyof A> };

export const batchJsonHasTheDocumentsFields: SameKeys<CentreBatch, DocumentBatch> = true;
export const batchJsonFitsTheDocumentsTypes = (batch: CentreBatch): Omit<DocumentBatch, "status"> => batch;
