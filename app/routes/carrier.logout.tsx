import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { carrierSignOut, clearCarrierSessionCookie, getCarrierUser } from "~/lib/carrier-auth.server";
import { readForm } from "~/lib/csrf.server";

export async function loader() {
  return redirect("/carrier");
}

export async function action({ request, context }: ActionFunctionArgs) {
  await readForm(request, context);
  const user = await getCarrierUser(request, context);
  if (user) {
    await carrierSignOut(context, user);
  }
  return redirect("/carrier/login", { headers: { "Set-Cookie": clearCarrierSessionCookie(context) } });
}
