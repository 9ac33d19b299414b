/**
 * GET /api/carrier/v1/batches/{id}/file?format=csv|json — the exact stored bytes (default: the
 * carrier's own format), with X-Kokusai-Content-SHA256, the manifest and its signature in headers.
 * The first download marks the batch sent; every download is audited.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiError, fileResponse, methodNotAllowed, notFound, requireApiCaller } from "~/lib/carrier-api.server";
import { batchFile, getBatch, recordDownload } from "~/lib/carrier-batches.server";
import { defaultDownloadFormat } from "~/domain/carrier-files";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const caller = await requireApiCaller(request, context);
  const batch = await getBatch(context.services, caller.carrierCode, params.batchId ?? "");
  if (!batch) return notFound();
  const requested = new URL(request.url).searchParams.get("format");
  if (requested !== null && requested !== "csv" && requested !== "json") {
    return apiError(400, "bad_format", "format は csv か json にしてください。");
  }
  const format = requested ?? defaultDownloadFormat(batch.fileFormat);
  await recordDownload(context.services, { actor: caller.actor, batch, format, ip: context.clientIp });
  return fileResponse(batch, batchFile(context.services, batch, format));
}

export async function action(_: ActionFunctionArgs) {
  return methodNotAllowed("GET");
}
