import type { MouseEventHandler, ReactNode } from "react";
import { cx } from "./cx";

export type ButtonVariant = "primary" | "secondary";

export interface ButtonProps {
  children: ReactNode;
  variant?: ButtonVariant;
  /** Default "submit": every form works without JavaScript. */
  type?: "submit" | "button" | "reset";
  name?: string;
  value?: string;
  disabled?: boolean;
  /** Submit a different form by id. */
  form?: string;
  formNoValidate?: boolean;
  onClick?: MouseEventHandler<HTMLButtonElement>;
  /** For an error summary link that points at this button. */
  id?: string;
  className?: string;
}

/** Button at least 44px tall with 18px text. */
export function Button({
  children,
  variant = "primary",
  type = "submit",
  name,
  value,
  disabled,
  form,
  formNoValidate,
  onClick,
  className,
  id,
}: ButtonProps) {
  return (
    <button
      id={id}
      type={type}
      name={name}
      value={value}
      disabled={disabled}
      form={form}
      formNoValidate={formNoValidate}
      onClick={onClick}
      className={cx("button", `button--${variant}`, className)}
    >
      {children}
    </button>
  );
}
