import type { ReactNode } from "react";
import type { ButtonVariant } from "./Button";
import { cx } from "./cx";

export interface ButtonLinkProps {
  href: string;
  children: ReactNode;
  variant?: ButtonVariant;
  /** For file links (e.g. a printable PDF form): true, or a suggested file name. */
  download?: boolean | string;
  className?: string;
}

/** A link that looks like a button (navigation, not an action: 「申し込みをはじめる」, PDF downloads). */
export function ButtonLink({ href, children, variant = "primary", download, className }: ButtonLinkProps) {
  return (
    <a
      href={href}
      download={download === true ? "" : download || undefined}
      className={cx("button", `button--${variant}`, className)}
    >
      {children}
    </a>
  );
}
