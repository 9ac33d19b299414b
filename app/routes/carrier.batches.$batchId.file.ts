/** A batch file for a signed-in carrier user: the exact stored bytes (audited, like API downloads). */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { defaultDownloadFormat } from "~/domain/carrier-files";
import { fileResponse } from "~/lib/carrier-api.server";
import { requireCarrierUser } from "~/lib/carrier-auth.server";
import { batchFile, getBatch, recordDownload } from "~/lib/carrier-batches.server";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireCarrierUser(request, context);
  const batch = await getBatch(context.services, user.carrierCode, params.batchId ?? "");
  if (!batch) throw new Response("Not Found", { status: 404 });
  const requested = new URL(request.url).searchParams.get("format");
  const format = requested === "csv" || requested === "json" ? requested : defaultDownloadFormat(batch.fileFormat);
  await recordDownload(context.services, { actor: user.actor, batch, format, ip: context.clientIp });
  return fileResponse(batch, batchFile(context.services, batch, format));
}
