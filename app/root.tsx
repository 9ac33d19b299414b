import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLocation,
  useRouteError,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { useNonce } from "./components/nonce";
import { PortalLayout } from "./components/PortalLayout";
import { csrfTokenFor } from "./lib/csrf.server";
import styles from "./styles/app.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.ico", sizes: "32x32" },
];

export const meta: MetaFunction = ({ error }) =>
  error ? [{ title: "エラー｜国際電話不取扱受付センター" }] : [{ title: "国際電話不取扱受付センター" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { token, setCookie } = csrfTokenFor(request, context);
  return json({ csrf: token }, setCookie ? { headers: { "Set-Cookie": setCookie } } : undefined);
}

function Document({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const { pathname } = useLocation();
  const area = pathname === "/ops" || pathname.startsWith("/ops/") ? "ops" : "portal";
  return (
    <html lang="ja">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="format-detection" content="telephone=no" />
        <Meta />
        <Links />
      </head>
      <body className={area}>
        <a className="skip-link" href="#main">
          本文へ移動
        </a>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  return <Document>{children}</Document>;
}

export default function App() {
  return <Outlet />;
}

/** The one error boundary: plain words, no technical detail, a way back. */
export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const title =
    status === 404
      ? "ページが見つかりません"
      : status === 403
        ? "この操作はできません"
        : "ただいま表示できません";
  const message =
    status === 404
      ? "入力したアドレスが正しいか、ご確認ください。"
      : status === 403 && isRouteErrorResponse(error) && typeof error.data === "string"
        ? error.data
        : "時間をおいて、もう一度お試しください。";
  return (
    <PortalLayout>
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a href="/">トップページへ戻る</a>
      </p>
    </PortalLayout>
  );
}
