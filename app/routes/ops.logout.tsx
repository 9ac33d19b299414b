import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { clearSessionCookie, getOperator, signOut } from "~/lib/auth.server";
import { readForm } from "~/lib/csrf.server";

export async function loader() {
  return redirect("/ops");
}

export async function action({ request, context }: ActionFunctionArgs) {
  await readForm(request, context);
  const operator = await getOperator(request, context);
  if (operator) {
    await signOut(context, operator);
  }
  return redirect("/ops/login", { headers: { "Set-Cookie": clearSessionCookie(context) } });
}
