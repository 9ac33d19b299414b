import { Form, NavLink } from "@remix-run/react";
import type { ReactNode } from "react";
import { areaOfRoute, can } from "~/lib/roles";
import { CsrfField } from "./CsrfField";

export type OpsUser = { displayName: string; role: string } | null;

/** A menu link given by the layout route (e.g. one per work queue). */
export type OpsNavItem = { to: string; label: string; end?: boolean };

const NAV = [
  { to: "/ops", label: "ダッシュボード", end: true },
  { to: "/ops/queue", label: "作業の一覧", end: true },
  { to: "/ops/search", label: "検索", end: false },
  { to: "/ops/entry", label: "電話での申し込みの入力", end: false },
  { to: "/ops/letters", label: "手紙の印刷", end: false },
  { to: "/ops/outbox", label: "送信記録（アウトボックス）", end: false },
  { to: "/ops/calls", label: "電話受付の確認", end: false },
  { to: "/ops/cancellations", label: "取り消しの確認", end: true },
  { to: "/ops/cancellations/stats", label: "取り消しの統計", end: false },
  { to: "/ops/carriers", label: "電話会社", end: true },
  { to: "/ops/carriers/exceptions", label: "電話会社への送付の例外", end: false },
  { to: "/ops/sla", label: "電話会社の対応の遅れ", end: false },
  { to: "/ops/stats", label: "統計", end: false },
  { to: "/ops/audit", label: "監査ログ", end: false },
  { to: "/ops/admin", label: "職員の管理", end: false },
];

/** Only the links the role can open (app/lib/roles.ts): "/ops/carriers/exceptions" → ops.carriers.exceptions. */
function visibleTo(role: string, to: string): boolean {
  const segments = to.split("/").filter(Boolean);
  const area = areaOfRoute(segments.length === 1 ? "ops._index" : segments.join("."));
  return area === null || area === "public" || area === "signed_in" || can(role, area, "view");
}

/**
 * The menu: the fixed pages, with `work` (each work queue and the paper upload page, from the layout
 * route) right after 「作業の一覧」. A link already in the fixed menu is not repeated.
 */
function menu(work: readonly OpsNavItem[]): OpsNavItem[] {
  const fixed = new Set(NAV.map((item) => item.to));
  const extra = work.filter((item) => !fixed.has(item.to));
  const at = NAV.findIndex((item) => item.to === "/ops/queue") + 1;
  return [...NAV.slice(0, at), ...extra, ...NAV.slice(at)];
}

/** Header with navigation and sign-out, main landmark, footer of the back office. */
export function OpsLayout({ user, work = [], children }: { user: OpsUser; work?: readonly OpsNavItem[]; children: ReactNode }) {
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
                {menu(work).filter((item) => visibleTo(user.role, item.to)).map((item) => (
                  <li key={item.to}>
                    <NavLink to={item.to} end={item.end ?? false}>
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
