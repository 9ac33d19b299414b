import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { parseWithZod } from "@conform-to/zod";
import { formRequestSchema } from "~/domain/form-request";
import { centreContact } from "~/lib/centre-contact";
import { readForm } from "~/lib/csrf.server";
import { flashCookie } from "~/lib/flash-cookie.server";
import { pdfResponse } from "~/lib/form-pdfs.server";
import { FORM_REQUEST_COOKIE, newRequestNumber, prefilledFormPdf, queueMailedForm } from "~/lib/form-requests.server";

/** Nothing to show here: the form is on /forms/request. */
export async function loader(_: LoaderFunctionArgs) {
  return redirect("/forms/request");
}

/**
 * The prefilled form request (a resource route, so that "print" can answer with the PDF itself).
 * Errors go back to /forms/request with what was typed; "mail" goes to the request number's page.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  const submission = parseWithZod(form, { schema: formRequestSchema });
  if (submission.status !== "success") {
    return redirect("/forms/request", { status: 303, headers: { "Set-Cookie": flashCookie(context, FORM_REQUEST_COOKIE, submission.reply()) } });
  }
  const { services } = context;
  const requestNumber = newRequestNumber();
  if (submission.value.delivery === "print") {
    // Nothing is stored: the PDF goes straight to the browser (a plain form post, see reloadDocument).
    const pdf = await prefilledFormPdf(submission.value, requestNumber, centreContact(services.config));
    return pdfResponse(pdf, `kokusai-moushikomisho-${requestNumber}.pdf`, "attachment", "private");
  }
  const queued = await queueMailedForm(services, submission.value, requestNumber, context.clientIp);
  if (queued.kind === "limited") {
    const reply = submission.reply({ formErrors: ["この端末からの郵送のご請求が、1時間の上限に達しました。1時間ほどたってから、もう一度お試しください。急ぐときは、「自分で印刷する」をえらぶか、センターにお電話ください。"] });
    return redirect("/forms/request", { status: 303, headers: { "Set-Cookie": flashCookie(context, FORM_REQUEST_COOKIE, reply) } });
  }
  return redirect(`/forms/request/${requestNumber}`, { status: 303 });
}

