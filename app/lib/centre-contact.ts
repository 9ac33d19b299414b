/**
 * The centre's phone, FAX, postal address and hours from configuration (issue 15, point 3), in the
 * display form every page, form, letter and receipt uses. Configurations built by hand (tests) may
 * leave the FAX, address and hours out: the demo values of the embedded default fill them in.
 */
import type { CentreContact } from "../../templates/centre";
import { formatDisplay } from "../domain/phone";
import type { Config } from "./env.server";

export type { CentreContact };

export const DEMO_CENTRE = {
  faxNumber: "+81570000119",
  postalAddress: "〒100-0004 東京都千代田区大手町1-1-1（デモ用の住所）",
  operatorHours: "平日 9時〜17時（土日・祝日・年末年始はお休み）",
} as const;

export function centreContact(config: Pick<Config, "centrePhoneNumber" | "centreFaxNumber" | "centrePostalAddress" | "centreOperatorHours">): CentreContact {
  return {
    phone: formatDisplay(config.centrePhoneNumber),
    fax: formatDisplay(config.centreFaxNumber ?? DEMO_CENTRE.faxNumber),
    postalAddress: config.centrePostalAddress ?? DEMO_CENTRE.postalAddress,
    operatorHours: config.centreOperatorHours ?? DEMO_CENTRE.operatorHours,
  };
}
