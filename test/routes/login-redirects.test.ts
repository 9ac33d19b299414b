/**
 * Issue 12 point 5: where a login sends someone afterwards is checked after URL resolution, as the
 * browser will resolve it: same origin and a known path only, otherwise the default page.
 */
import { createCarrierUser, safeCarrierRedirect } from "../../app/lib/carrier-auth.server";
import { safeRedirectPath } from "../../app/lib/auth.server";
import { createOperator, signIn, TEST_PASSWORD } from "../support/ops";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";
import { carrierSignIn } from "../support/carrier-session";

let services: TestServices;
let server: TestServer;

beforeAll(async () => {
  services = await createTestServices();
  server = await startTestServer(services);
  await createOperator(services, { username: "redirected", role: "operator" });
  await createCarrierUser(services, { carrierCode: "kddi", username: "kddi-redirect", displayName: "KDDI 担当", password: TEST_PASSWORD, createdBy: null });
});
afterAll(async () => {
  await server.close();
  await services.close();
});

const HOSTILE = [
  "/%09/evil.example",
  "/\t/evil.example",
  "/ops/../\\evil.example",
  "/ops/..//evil.example",
  "//evil.example",
  "/\\evil.example",
  "https://evil.example",
  "/ops/\n/evil.example",
  "/carrier/../\\evil.example",
];

/** Where a browser at our origin goes for a Location header. */
const resolvedHost = (location: string) => new URL(location, server.url).host;

describe("redirect after back-office login", () => {
  it.each(HOSTILE)("falls back to /ops for %j", async (target) => {
    expect(safeRedirectPath(target)).toBe("/ops");
    const done = await signIn(new TestBrowser(server.url), services, "redirected", TEST_PASSWORD, target);
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/ops");
  });

  it("keeps a back-office path, normalised", async () => {
    expect(safeRedirectPath("/ops/outbox?page=2")).toBe("/ops/outbox?page=2");
    expect(safeRedirectPath("/ops/x/../search")).toBe("/ops/search");
    expect(safeRedirectPath("/status")).toBe("/ops");
    const done = await signIn(new TestBrowser(server.url), services, "redirected", TEST_PASSWORD, "/ops/search");
    expect(done.headers.get("Location")).toBe("/ops/search");
    expect(resolvedHost(done.headers.get("Location")!)).toBe(new URL(server.url).host);
  });
});

describe("redirect after carrier login", () => {
  it.each(HOSTILE)("falls back to /carrier for %j", async (target) => {
    expect(safeCarrierRedirect(target)).toBe("/carrier");
    const done = await carrierSignIn(new TestBrowser(server.url), services, "kddi-redirect", TEST_PASSWORD, target);
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/carrier");
  });

  it("keeps a carrier path", async () => {
    expect(safeCarrierRedirect("/carrier/batches/abc")).toBe("/carrier/batches/abc");
    expect(safeCarrierRedirect("/carrierx")).toBe("/carrier");
    const done = await carrierSignIn(new TestBrowser(server.url), services, "kddi-redirect", TEST_PASSWORD, "/carrier/batches/abc");
    expect(done.headers.get("Location")).toBe("/carrier/batches/abc");
  });
});
