import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { mailedFormStatus } from "~/lib/form-requests.server";

/**
 * The request-number look-up on /forms (a GET form, works without JavaScript): to the request's page,
 * or back to /forms with what was typed and an error under the field.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const typed = new URL(request.url).searchParams.get("requestNumber") ?? "";
  const number = typed
    .normalize("NFKC")
    .toUpperCase()
    .replace(/[\s‐－ー−]/g, "-")
    .replace(/[^0-9A-Z-]/g, "")
    .replace(/^(W[0-9A-Z]{4})-?([0-9A-Z]{4})$/, "$1-$2");
  if (number && (await mailedFormStatus(context.services, number))) return redirect(`/forms/request/${number}`, 303);
  const back = new URLSearchParams({ lookup: typed.trim() === "" ? "empty" : "notfound", requestNumber: typed.slice(0, 40) });
  return redirect(`/forms?${back.toString()}#request-number`, 303);
}
