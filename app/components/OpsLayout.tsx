import { Form, NavLink } from "@remix-run/react";
import type { ReactNode } from "react";
import { CsrfField } from "./CsrfField";

export type OpsUser = { displayName: string; role: string } | null;

const NAV = [
  { to: "/ops", label: "ダッシュボード", end: true },
  { to: "/ops/outbox", label: "送信記録（アウトボックス）", end: false },
  { to: "/ops/calls", label: "電話受付の確認", end: false },
  { to: "/ops/cancellations", label: "取り消しの確認", end: true },
  { to: "/ops/cancellations/stats", label: "取り消しの統計", end: false },
];

/** Header with navigation and sign-out, main landmark, footer of the back office. */
export function OpsLayout({ user, children }: { user: OpsUser; children: ReactNode }) {
  return (
    <>
      <header className="site-header">
        <div className="site-header__inner">
          <p className="site-header__title">
            <a href="/ops">受付センター 業務システム</a>
          </p>
          {user && (
            <nav className="site-header__nav" aria-label="業務メニュー">
              <ul>
                {NAV.map((item) => (
                  <li key={item.to}>
                    <NavLink to={item.to} end={item.end}>
                      {item.label}
                    </NavLink>
                  </li>
                ))}
                <li>
                  <span className="site-header__user">{user.displayName}</span>
                </li>
                <li>
                  <Form method="post" action="/ops/logout">
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
        {children}
      </main>
      <footer className="site-footer">
        <div className="site-footer__inner">
          <p>個人情報の閲覧と変更は、すべて記録されます。</p>
        </div>
      </footer>
    </>
  );
}
