/** Issue 15, point 3: the centre's phone, FAX, address and hours come from configuration. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../../app/lib/env.server";
import { centreContact } from "../../app/lib/centre-contact";
import { testConfig } from "../support/services";

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "kokusai-centre-"));

describe("the centre's contact details", () => {
  it("have demo values in the embedded default", () => {
    expect(centreContact(loadConfig({ DATA_DIR: tempDir() }))).toEqual({
      phone: "0570-000-110",
      fax: "0570-000-119",
      postalAddress: "〒100-0004 東京都千代田区大手町1-1-1（デモ用の住所）",
      operatorHours: "平日 9時〜17時（土日・祝日・年末年始はお休み）",
    });
  });

  it("come from CENTRE_PHONE_NUMBER, CENTRE_FAX_NUMBER, CENTRE_POSTAL_ADDRESS and CENTRE_OPERATOR_HOURS", () => {
    const config = loadConfig({
      DATA_DIR: tempDir(),
      CENTRE_PHONE_NUMBER: "+81312345678",
      CENTRE_FAX_NUMBER: "+81312345679",
      CENTRE_POSTAL_ADDRESS: " 〒105-0011 東京都港区芝公園4-2-8 ",
      CENTRE_OPERATOR_HOURS: "毎日 9時〜20時",
    });
    expect(centreContact(config)).toEqual({ phone: "03-1234-5678", fax: "03-1234-5679", postalAddress: "〒105-0011 東京都港区芝公園4-2-8", operatorHours: "毎日 9時〜20時" });
  });

  it("refuse a FAX number that is not Japanese E.164, with a message", () => {
    expect(() => loadConfig({ DATA_DIR: tempDir(), CENTRE_FAX_NUMBER: "03-1234-5679" })).toThrow(ConfigError);
    try {
      loadConfig({ DATA_DIR: tempDir(), CENTRE_FAX_NUMBER: "03-1234-5679", CENTRE_POSTAL_ADDRESS: "x" });
    } catch (error) {
      expect((error as ConfigError).problems.join("\n")).toMatch(/CENTRE_FAX_NUMBER must be an E\.164[\s\S]*CENTRE_POSTAL_ADDRESS must be/);
    }
  });

  it("fall back to the demo values for configurations built by hand", () => {
    expect(centreContact(testConfig()).fax).toBe("0570-000-119");
  });
});
