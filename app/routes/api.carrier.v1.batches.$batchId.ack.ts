/** POST /api/carrier/v1/batches/{id}/ack — the carrier has the batch. Harmless to repeat. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { apiJson, methodNotAllowed, notFound, requireApiCaller } from "~/lib/carrier-api.server";
import { acknowledgeBatch } from "~/lib/carrier-batches.server";

export async function loader() {
  return methodNotAllowed("POST");
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const caller = await requireApiCaller(request, context);
  const result = await acknowledgeBatch(context.services, caller.carrierCode, params.batchId ?? "", caller.actor);
  if (!result) return notFound();
  return apiJson({ status: result.status, acknowledged_at: result.ackedAt, already_acknowledged: result.alreadyAcknowledged });
}
