import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { CentreContactBlock } from "~/components/CentreContactBlock";
import { Button, ButtonLink, ErrorSummary, Field, Notice, PageHeading } from "~/components/ui";
import { centreContact } from "~/lib/centre-contact";
import { jaForms } from "~/locales/ja-forms";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.lookup ? "エラー：" : ""}${jaForms.index.title}｜国際電話不取扱受付センター` },
  { name: "description", content: jaForms.index.lead },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const lookup = url.searchParams.get("lookup");
  return json({
    centre: centreContact(context.services.config),
    lookup: lookup === "empty" ? jaForms.lookup.empty : lookup === "notfound" ? jaForms.lookup.notFound : null,
    requestNumber: (url.searchParams.get("requestNumber") ?? "").slice(0, 40),
  });
}

export default function FormsIndex() {
  const { centre, lookup, requestNumber } = useLoaderData<typeof loader>();
  const t = jaForms.index;
  return (
    <>
      <ErrorSummary errors={{ "request-number": lookup ? [lookup] : undefined }} />
      <PageHeading>{t.title}</PageHeading>
      <p>{t.lead}</p>
      <p>{t.printWhere}</p>
      <Notice title="印刷するときは">{t.printHow}</Notice>

      <h2>{t.applicationHeading}</h2>
      <p>
        <ButtonLink href="/forms/application.pdf" download>
          {t.applicationLink}
        </ButtonLink>
      </p>

      <h2>{t.cancellationHeading}</h2>
      <p>
        <ButtonLink href="/forms/cancellation.pdf" variant="secondary" download>
          {t.cancellationLink}
        </ButtonLink>
      </p>

      <h2>{t.howHeading}</h2>
      <ol>
        {t.how.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ol>

      <h2>{t.exampleHeading}</h2>
      <figure className="form-example">
        <img src="/form-examples/application.png" alt={t.exampleAlt} width={595} height={842} loading="lazy" />
        <figcaption>申込書の記入の例（山田 花子さんが、ご自分の電話を止めるとき）</figcaption>
      </figure>

      <h2>{t.sendHeading}</h2>
      <p>{t.sendLead}</p>
      <CentreContactBlock centre={centre} headingLevel={3} />

      <h2>{t.afterHeading}</h2>
      <p>{t.after}</p>

      <h2>{t.requestHeading}</h2>
      <p>{t.requestText}</p>
      <p>
        <Link to="/forms/request">{t.requestLink}</Link>
      </p>
      <p>{t.policeNote}</p>

      <h2>{jaForms.lookup.heading}</h2>
      <form method="get" action="/forms/request/check">
        <Field
          id="request-number"
          name="requestNumber"
          label={jaForms.lookup.label}
          required
          support={jaForms.lookup.support}
          autoComplete="off"
          width={13}
          defaultValue={requestNumber}
          error={lookup ?? undefined}
        />
        <Button variant="secondary">{jaForms.lookup.submit}</Button>
      </form>
      <p>
        <Link to="/">トップページへ戻る</Link>
      </p>
    </>
  );
}
