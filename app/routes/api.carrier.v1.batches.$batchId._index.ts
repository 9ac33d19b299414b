/** GET /api/carrier/v1/batches/{id} — one batch's metadata: manifest, signature, hashes, links. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, batchJson, methodNotAllowed, notFound, requireApiCaller } from "~/lib/carrier-api.server";
import { getBatch } from "~/lib/carrier-batches.server";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const caller = await requireApiCaller(request, context);
  const batch = await getBatch(context.services, caller.carrierCode, params.batchId ?? "");
  if (!batch) return notFound();
  return apiJson(batchJson(batch));
}

export async function action(_: ActionFunctionArgs) {
  return methodNotAllowed("GET");
}
