/**
 * Regenerates public/form-examples/application.png, the "filled example" shown on /forms (issue 15):
 * the real blank application PDF, rasterised by MuPDF and filled in with a handwriting font, exactly
 * as the e2e test fills it. Run: npx tsx scripts/render-form-example.ts
 */
import fs from "node:fs";
import path from "node:path";
import { renderApplicationForm } from "../templates/forms/application";
import { DEMO_CENTRE } from "../app/lib/centre-contact";
import { formatDisplay } from "../app/domain/phone";
import { fillPrintedForm } from "../test/fixtures/forms/fill-pdf";
import { EXAMPLE_APPLICATION } from "../test/fixtures/forms/examples";

const pdf = await renderApplicationForm({
  centre: { phone: formatDisplay("+81570000110"), fax: formatDisplay(DEMO_CENTRE.faxNumber), postalAddress: DEMO_CENTRE.postalAddress, operatorHours: DEMO_CENTRE.operatorHours },
  creationDate: new Date("2026-04-01T00:00:00Z"),
});
const png = await fillPrintedForm(pdf, EXAMPLE_APPLICATION, { dpi: 144, seed: 4, cleanTicks: true });
const out = path.resolve("public/form-examples/application.png");
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
