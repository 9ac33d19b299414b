import type { ReactNode } from "react";

export interface ErrorTextProps {
  /** Referenced by the input's aria-describedby. */
  id: string;
  /** What is wrong and how to fix it, e.g. 「電話番号を、数字10けたで入力してください」. */
  children: ReactNode;
}

/**
 * Error text under a field. Starts with a visible marker (＊, in the error colour, bold) and, for
 * screen readers, the word 「エラー」, so it is recognisable without relying on colour.
 */
export function ErrorText({ id, children }: ErrorTextProps) {
  return (
    <p id={id} className="error-text">
      <span className="error-text__marker" aria-hidden="true">
        ＊
      </span>
      <span className="visually-hidden">エラー：</span>
      {children}
    </p>
  );
}
