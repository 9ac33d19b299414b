import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { clearSessionCookie, getOperator, revokeSession } from "~/lib/auth.server";
import { readForm } from "~/lib/csrf.server";

export async function loader() {
  return redirect("/ops");
}

export async function action({ request, context }: ActionFunctionArgs) {
  await readForm(request, context);
  const operator = await getOperator(request, context);
  if (operator) {
    await revokeSession(context, operator.sessionId);
    await context.services.audit.record({
      actor: `operator:${operator.id}`,
      action: "operator.logout",
      subjectType: "operator",
      subjectId: operator.id,
      ip: context.clientIp,
    });
  }
  return redirect("/ops/login", { headers: { "Set-Cookie": clearSessionCookie(context) } });
}
