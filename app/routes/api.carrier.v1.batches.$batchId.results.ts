/**
 * POST /api/carrier/v1/batches/{id}/results — a results file (text/csv or application/json) for
 * records of this batch. Applied whole or refused whole (422, every error with its line and field).
 * Sending the same results again changes nothing.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { readLimitedBody } from "~/lib/body-limit.server";
import { apiError, apiJson, methodNotAllowed, requireApiCaller } from "~/lib/carrier-api.server";
import { MAX_UPLOAD_BYTES, uploadResults } from "~/lib/carrier-results.server";

export async function loader() {
  return methodNotAllowed("POST");
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const caller = await requireApiCaller(request, context);
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > MAX_UPLOAD_BYTES) return apiError(413, "too_large", `ファイルが大きすぎます（${MAX_UPLOAD_BYTES / 1024 / 1024} MB まで）。`);
  // Counted while it is read: a body without (or lying about) its length is cut at the limit.
  let bytes: Uint8Array;
  try {
    bytes = await readLimitedBody(request, MAX_UPLOAD_BYTES);
  } catch (error) {
    if (error instanceof Response && error.status === 413) {
      return apiError(413, "too_large", `ファイルが大きすぎます（${MAX_UPLOAD_BYTES / 1024 / 1024} MB まで）。`);
    }
    throw error;
  }
  const outcome = await uploadResults(context.services, {
    carrierCode: caller.carrierCode,
    batchId: params.batchId ?? "",
    bytes,
    contentType: request.headers.get("Content-Type"),
    actor: caller.actor,
    ip: context.clientIp,
  });
  if (outcome.ok) {
    return apiJson({ upload_id: outcome.uploadId, records: outcome.records, applied: outcome.applied, unchanged: outcome.unchanged });
  }
  if (outcome.status === 404) return apiError(404, "not_found", "バッチが見つかりません。");
  return apiError(outcome.status, outcome.status === 413 ? "too_large" : "invalid_results", "結果ファイルに誤りがあるため、受け付けませんでした。どの結果も登録していません。", {
    upload_id: outcome.uploadId ?? null,
    errors: outcome.errors,
  });
}
