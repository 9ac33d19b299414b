import type { ReactNode } from "react";

/** Header, main landmark and footer of the applicant portal. */
export function PortalLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <header className="site-header">
        <div className="site-header__inner">
          <p className="site-header__title">
            <a href="/">国際電話不取扱受付センター</a>
          </p>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <div className="site-footer__inner">
          <ul>
            <li>
              <a href="/">トップページ</a>
            </li>
            <li>
              <a href="/ops">センター職員の方</a>
            </li>
          </ul>
          <p>お申し込みは無料です。センターから、お金や暗証番号をお聞きすることはありません。</p>
        </div>
      </footer>
    </>
  );
}
