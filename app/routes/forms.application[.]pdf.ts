import type { LoaderFunctionArgs } from "@remix-run/node";
import { centreContact } from "~/lib/centre-contact";
import { blankFormPdf, pdfResponse } from "~/lib/form-pdfs.server";

/** The blank application form (A4 PDF) to print and send by FAX or mail. */
export async function loader({ context }: LoaderFunctionArgs) {
  return pdfResponse(await blankFormPdf("application", centreContact(context.services.config)), "kokusai-moushikomisho.pdf");
}
