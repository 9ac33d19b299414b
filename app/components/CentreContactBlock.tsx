import type { CentreContact } from "../../templates/centre";
import { jaForms } from "~/locales/ja-forms";

/** The centre's phone, hours, FAX and postal address from configuration (issue 15, point 3). */
export function CentreContactBlock({ centre, headingLevel = 2, show = ["phone", "fax", "post"] }: { centre: CentreContact; headingLevel?: 2 | 3; show?: ("phone" | "fax" | "post")[] }) {
  const Heading = `h${headingLevel}` as const;
  const t = jaForms.centre;
  return (
    <section className="centre-contact">
      <Heading>{t.heading}</Heading>
      <dl className="summary-list">
        {show.includes("phone") && (
          <div className="summary-list__row">
            <dt className="summary-list__key">{t.phone}</dt>
            <dd className="summary-list__value">
              <span className="digits nowrap" data-testid="centre-phone">{centre.phone}</span>
              <br />
              {t.phoneNote}
              {centre.operatorHours}
            </dd>
          </div>
        )}
        {show.includes("fax") && (
          <div className="summary-list__row">
            <dt className="summary-list__key">{t.fax}</dt>
            <dd className="summary-list__value">
              <span className="digits nowrap" data-testid="centre-fax">{centre.fax}</span>
            </dd>
          </div>
        )}
        {show.includes("post") && (
          <div className="summary-list__row">
            <dt className="summary-list__key">{t.post}</dt>
            <dd className="summary-list__value" data-testid="centre-post">
              {centre.postalAddress}
              <br />
              {t.postSuffix}
            </dd>
          </div>
        )}
      </dl>
    </section>
  );
}
