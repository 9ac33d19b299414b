/** GET /api/carrier/v1/public-key — the Ed25519 public key that verifies batch manifests. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, methodNotAllowed, requireApiCaller } from "~/lib/carrier-api.server";
import { publicKeyInfo } from "~/lib/carrier-signing.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireApiCaller(request, context);
  const key = publicKeyInfo(context.services.config);
  return apiJson({ algorithm: key.algorithm, key_id: key.keyId, public_key_pem: key.publicKeyPem, public_key_raw: key.publicKeyRaw });
}

export async function action(_: ActionFunctionArgs) {
  return methodNotAllowed("GET");
}
