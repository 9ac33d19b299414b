/**
 * Paper intake end to end: a filled form (rendered from the same layout as the PDF, like a FAX) is
 * uploaded, the OCR job reads it, and the verification screen creates exactly one application.
 */
import { eq } from "drizzle-orm";
import { applications, lines, scans } from "../../db/schema";
import { readScan } from "../../app/lib/paper-ocr.server";
import { createFormReader, type FormReader } from "../../app/lib/ocr/read-form.server";
import { encodeGray } from "../fixtures/forms/generate";
import { asFile, notAForm, render, truthFor } from "../ocr/helpers";
import type { PageTruth } from "../fixtures/forms/truth";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, type TestBrowser, type TestServer } from "../support/http";
import { signedInBrowser } from "../support/ops-session";

let services: TestServices;
let server: TestServer;
let reader: FormReader;
let operator: TestBrowser;

beforeAll(async () => {
  services = await createTestServices();
  server = await startTestServer(services);
  reader = await createFormReader({ poolSize: 1 });
  operator = (await signedInBrowser(server, services, "operator")).browser;
}, 120_000);
afterAll(async () => {
  await reader.close();
  await server.close();
  await services.close();
});

async function upload(name: string, bytes: Buffer, type: string) {
  const page = await operator.get("/ops/paper");
  const form = new FormData();
  form.append("csrf", operator.csrfFrom(page.html));
  form.append("files", new Blob([new Uint8Array(bytes)], { type }), name);
  return operator.request("/ops/paper", { method: "POST", body: form, headers: { Origin: server.url } });
}

const TRUTH = truthFor("application", 7, {
  phone: "0312345670",
  "carrier.kddi": true,
  "carrier.ntt-east": false,
  "carrier.ntt-west": false,
  "carrier.ntt-docomo-business": false,
  "carrier.softbank": false,
  "carrier.unknown": false,
  "relation.self": true,
  "relation.family": false,
  "relation.other": false,
  signature: true,
});

/**
 * The page as sent, with the line's number left blank: no line to confirm on, so the page is a
 * person's work (line_not_read) — what these tests key.
 */
const withoutLine = (truth: PageTruth): PageTruth => ({ ...truth, fields: { ...truth.fields, phone: "" } });

describe("paper intake", () => {
  it("reads an uploaded FAX and creates exactly one application on confirmation", async () => {
    const file = asFile(render(withoutLine(TRUTH)), "tiff-g4");
    const uploaded = await upload("fax-0001.tif", file, "image/tiff");
    expect(uploaded.status).toBe(200);
    expect(uploaded.html).toContain("1ページを受け付けました");
    const again = await upload("fax-0001-again.tif", file, "image/tiff");
    expect(again.html).toContain("同じファイルは、すでに受け付けています");

    const [scan] = await services.db.select().from(scans).orderBy(scans.createdAt).limit(1);
    expect(scan!.status).toBe("pending");
    await readScan(services, reader, scan!.id);
    // With no number to call, the page goes to a person, who keys it.
    const [read] = await services.db.select().from(scans).where(eq(scans.id, scan!.id));
    expect(read).toMatchObject({ status: "needs_review", exceptionReason: "line_not_read" });
    expect(read!.formType).toBe("application");

    const review = await operator.get(`/ops/paper/${scan!.id}`);
    expect(review.status).toBe(200);
    expect(review.html).toContain("data:image/png;base64,");
    // The operator confirms the values (correcting what OCR misread) and submits.
    const fields = {
      csrf: operator.csrfFrom(review.html),
      phone: "0312345670",
      scope: [TRUTH.fields["scope.outgoing"] ? "outgoing" : "", TRUTH.fields["scope.incoming"] ? "incoming" : ""].filter(Boolean),
      carrier: "kddi",
      relation: "self",
      name: String(TRUTH.fields.name),
      kana: String(TRUTH.fields.kana),
      postalCode: String(TRUTH.fields.postalCode),
      address: String(TRUTH.fields.address).replace(/\n/g, " "),
      contactPhone: String(TRUTH.fields.contactPhone),
      date: String(TRUTH.fields.date),
      signature: "on",
    };
    const confirmed = await operator.post(`/ops/paper/${scan!.id}`, fields);
    expect(confirmed.status).toBe(302);
    const twice = await operator.post(`/ops/paper/${scan!.id}`, fields);
    expect([302, 200]).toContain(twice.status);

    const [line] = await services.db.select().from(lines).where(eq(lines.e164, "+81312345670"));
    const apps = await services.db.select().from(applications).where(eq(applications.lineId, line!.id));
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({ channel: "paper", status: "verified", carrierCode: "kddi", verificationMethod: "letter" });
    const [done] = await services.db.select().from(scans).where(eq(scans.id, scan!.id));
    expect(done).toMatchObject({ status: "verified", applicationId: apps[0]!.id });
  }, 120_000);

  it("refuses a confirmation with a bad number, with the reason, and creates nothing", async () => {
    const file = asFile(render(withoutLine(truthFor("application", 11))), "png");
    await upload("scan-11.png", file, "image/png");
    const [scan] = await services.db.select().from(scans).where(eq(scans.status, "pending")).limit(1);
    await readScan(services, reader, scan!.id);
    const review = await operator.get(`/ops/paper/${scan!.id}`);
    const before = await services.db.select().from(applications);
    const refused = await operator.post(`/ops/paper/${scan!.id}`, { csrf: operator.csrfFrom(review.html), phone: "09012345678", scope: "incoming", carrier: "kddi", relation: "self", name: "山田", kana: "ヤマダ", postalCode: "1000001", address: "東京都千代田区千代田1-1", signature: "on" });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain("携帯電話");
    expect(await services.db.select().from(applications)).toHaveLength(before.length);
  }, 120_000);

  it("sends a page that is not a form to the exceptions queue with the reason", async () => {
    await upload("letter.png", encodeGray(notAForm(), "png"), "image/png");
    const [scan] = await services.db.select().from(scans).where(eq(scans.status, "pending")).limit(1);
    await readScan(services, reader, scan!.id);
    const [row] = await services.db.select().from(scans).where(eq(scans.id, scan!.id));
    expect(row!.status).toBe("exception");
    const list = await operator.get("/ops/paper");
    expect(list.html).toContain("読み取れない（例外）");
  }, 120_000);

  it("keeps a file that cannot be decoded, as an exception", async () => {
    const result = await upload("broken.pdf", Buffer.from("%PDF-1.4 this is not really a pdf"), "application/pdf");
    expect(result.status).toBe(200);
    const list = await operator.get("/ops/paper");
    expect(list.html).toContain("broken.pdf");
  });
});
