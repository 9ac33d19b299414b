import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { clearCarrierSessionCookie, getCarrierUser, revokeCarrierSession } from "~/lib/carrier-auth.server";
import { readForm } from "~/lib/csrf.server";

export async function loader() {
  return redirect("/carrier");
}

export async function action({ request, context }: ActionFunctionArgs) {
  await readForm(request, context);
  const user = await getCarrierUser(request, context);
  if (user) {
    await revokeCarrierSession(context, user.sessionId);
    await context.services.audit.record({ actor: user.actor, action: "carrier_user.logout", subjectType: "carrier_user", subjectId: user.id, ip: context.clientIp });
  }
  return redirect("/carrier/login", { headers: { "Set-Cookie": clearCarrierSessionCookie(context) } });
}
