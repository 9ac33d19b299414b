/**
 * The real Express + Remix server (server.ts's createApp, with the built app) on an ephemeral port,
 * and a tiny browser: a cookie jar, the Origin header browsers send, and the CSRF token from forms.
 */
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { createApp } from "../../server";
import type { Services } from "../../app/lib/services.server";

let buildPromise: Promise<ServerBuild> | undefined;
function loadBuild(): Promise<ServerBuild> {
  buildPromise ??= import(pathToFileURL(path.resolve("build/index.js")).href) as Promise<ServerBuild>;
  return buildPromise;
}

export type TestServer = { url: string; close(): Promise<void> };

export async function startTestServer(services: Services): Promise<TestServer> {
  const app = createApp({ config: services.config, build: await loadBuild(), services });
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Page = { status: number; html: string; headers: Headers; url: string };

export class TestBrowser {
  private cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  private remember(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const index = pair!.indexOf("=");
      const name = pair!.slice(0, index);
      const value = pair!.slice(index + 1);
      if (/Max-Age=0/i.test(header) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** Takes a Set-Cookie header value as a response would give it. */
  setCookie(header: string) {
    const [pair] = header.split(";");
    const index = pair!.indexOf("=");
    this.cookies.set(pair!.slice(0, index), pair!.slice(index + 1));
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async request(pathname: string, init: RequestInit = {}): Promise<Page> {
    const response = await fetch(new URL(pathname, this.base), {
      ...init,
      redirect: "manual",
      headers: { Cookie: this.cookieHeader(), ...(init.headers as Record<string, string>) },
    });
    this.remember(response);
    return { status: response.status, html: await response.text(), headers: response.headers, url: pathname };
  }

  /** GET, following redirects like a browser. */
  async get(pathname: string): Promise<Page> {
    let page = await this.request(pathname);
    for (let hops = 0; hops < 5 && page.status >= 300 && page.status < 400; hops++) {
      page = await this.request(page.headers.get("Location")!);
    }
    return page;
  }

  csrfFrom(html: string): string {
    const match = html.match(/name="csrf" value="([^"]+)"/);
    if (!match) throw new Error("no CSRF field on the page");
    return match[1]!;
  }

  /** POST a form as a browser without JavaScript would: same Origin, urlencoded, no redirect follow. */
  async post(pathname: string, fields: Record<string, string | string[]>, options: { origin?: string } = {}): Promise<Page> {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(key, v);
    return this.request(pathname, {
      method: "POST",
      body,
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: options.origin ?? this.base },
    });
  }

  /**
   * Loads the page, takes its CSRF token, and posts the fields where the page's main form posts
   * (Remix renders index routes' forms with "?index").
   */
  async submit(pathname: string, fields: Record<string, string | string[]>, action?: string): Promise<Page> {
    const page = await this.get(pathname);
    const formAction = page.html.match(/<form[^>]*method="post"[^>]*action="([^"]+)"/)?.[1]?.replace(/&amp;/g, "&");
    return this.post(action ?? formAction ?? pathname, { csrf: this.csrfFrom(page.html), ...fields });
  }
}
