import type { InputHTMLAttributes } from "react";
import { cx, describedBy } from "./cx";

/** Visible width of the box, in characters (digits), or the full column. */
export type InputWidth = 2 | 3 | 4 | 5 | 7 | 10 | 13 | 16 | 20 | 30 | "full";

export type InputType = "text" | "tel" | "email" | "number" | "date" | "password" | "search" | "url";

export interface InputProps {
  id: string;
  name: string;
  defaultValue?: string;
  type?: InputType;
  inputMode?: InputHTMLAttributes<HTMLInputElement>["inputMode"];
  autoComplete?: InputHTMLAttributes<HTMLInputElement>["autoComplete"];
  /** Sets aria-invalid="true". */
  invalid?: boolean;
  /** Ids of the support text and the error text, in reading order. */
  supportId?: string;
  errorId?: string;
  /** Sets aria-required (no native `required`: the server validates and explains in Japanese). */
  required?: boolean;
  width?: InputWidth;
  maxLength?: number;
  spellCheck?: boolean;
  autoCapitalize?: string;
  readOnly?: boolean;
  disabled?: boolean;
  lang?: string;
  className?: string;
  /** Placeholders are not allowed (DADS): put hints in SupportText. */
  placeholder?: never;
}

export function Input({
  id,
  name,
  defaultValue,
  type = "text",
  inputMode,
  autoComplete,
  invalid = false,
  supportId,
  errorId,
  required,
  width = "full",
  maxLength,
  spellCheck,
  autoCapitalize,
  readOnly,
  disabled,
  lang,
  className,
}: InputProps) {
  return (
    <input
      id={id}
      name={name}
      type={type}
      defaultValue={defaultValue}
      inputMode={inputMode}
      autoComplete={autoComplete}
      aria-invalid={invalid ? true : undefined}
      aria-describedby={describedBy(supportId, invalid && errorId)}
      aria-required={required ? true : undefined}
      maxLength={maxLength}
      spellCheck={spellCheck}
      autoCapitalize={autoCapitalize}
      readOnly={readOnly}
      disabled={disabled}
      lang={lang}
      className={cx("input", width === "full" ? "input--full" : `input--w${width}`, invalid && "input--error", className)}
    />
  );
}
