import type { LoaderFunctionArgs } from "@remix-run/node";
import { centreContact } from "~/lib/centre-contact";
import { blankFormPdf, pdfResponse } from "~/lib/form-pdfs.server";

/** The blank release / withdrawal form (A4 PDF). */
export async function loader({ context }: LoaderFunctionArgs) {
  return pdfResponse(await blankFormPdf("cancellation", centreContact(context.services.config)), "kokusai-kaijo-moushikomisho.pdf");
}
