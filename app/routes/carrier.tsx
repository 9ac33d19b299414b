/**
 * The carrier pages (/carrier): carrier staff sign in with their own accounts (not the centre's
 * operators), see their own batches, download them and upload results.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Outlet, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { CARRIER_NAMES, isCarrierCode } from "~/domain/carriers";
import { getCarrierUser } from "~/lib/carrier-auth.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getCarrierUser(request, context);
  return json({
    user: user ? { displayName: user.displayName, carrierName: isCarrierCode(user.carrierCode) ? CARRIER_NAMES[user.carrierCode] : user.carrierCode } : null,
  });
}

export default function CarrierLayout() {
  const { user } = useLoaderData<typeof loader>();
  return (
    <>
      <header className="site-header">
        <div className="site-header__inner">
          <p className="site-header__title">
            <a href="/carrier">国際電話不取扱受付センター　電話会社向けページ</a>
          </p>
          {user && (
            <nav className="site-header__nav" aria-label="電話会社向けメニュー">
              <ul>
                <li>
                  <a href="/carrier">バッチの一覧</a>
                </li>
                <li>
                  <span className="site-header__user">
                    {user.carrierName}　{user.displayName}
                  </span>
                </li>
                <li>
                  <Form method="post" action="/carrier/logout">
                    <CsrfField />
                    <button type="submit" className="button button--secondary button--small">
                      ログアウト
                    </button>
                  </Form>
                </li>
              </ul>
            </nav>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <div className="site-footer__inner">
          <p>このページの利用は記録されます。バッチには個人情報が含まれます。取り扱いにご注意ください。</p>
        </div>
      </footer>
    </>
  );
}
