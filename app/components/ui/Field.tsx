import type { ReactNode } from "react";
import { cx, errorIdFor, errorList, supportIdFor, type ErrorMessages } from "./cx";
import { ErrorText } from "./ErrorText";
import { Input, type InputProps, type InputType, type InputWidth } from "./Input";
import { Label } from "./Label";
import { SupportText } from "./SupportText";

export interface FieldProps {
  name: string;
  label: ReactNode;
  required: boolean;
  /** Replaces the ※必須/※任意 badge (ConditionalBadge); `required` still sets the input's own attributes. */
  badge?: ReactNode;
  /** Help shown above the input, e.g. 「市外局番から入力してください。例：0312345678」. */
  support?: ReactNode;
  /** Message(s) saying what is wrong and how to fix it. */
  error?: ErrorMessages;
  defaultValue?: string;
  type?: InputType;
  inputMode?: InputProps["inputMode"];
  autoComplete?: InputProps["autoComplete"];
  width?: InputWidth;
  /** Input id; defaults to `name`. ErrorSummary links point to `#id`. */
  id?: string;
  maxLength?: number;
  spellCheck?: boolean;
  className?: string;
}

/** Label + ※必須/※任意 + support text + input + error text, wired for assistive technology. */
export function Field({
  name,
  label,
  required,
  badge,
  support,
  error,
  defaultValue,
  type,
  inputMode,
  autoComplete,
  width,
  id = name,
  maxLength,
  spellCheck,
  className,
}: FieldProps) {
  const errors = errorList(error);
  const invalid = errors.length > 0;
  const supportId = support ? supportIdFor(id) : undefined;
  const errorId = errorIdFor(id);
  return (
    <div className={cx("field", invalid && "field--error", className)}>
      <Label htmlFor={id} required={required} badge={badge}>
        {label}
      </Label>
      {support && supportId && <SupportText id={supportId}>{support}</SupportText>}
      <Input
        id={id}
        name={name}
        defaultValue={defaultValue}
        type={type}
        inputMode={inputMode}
        autoComplete={autoComplete}
        invalid={invalid}
        supportId={supportId}
        errorId={errorId}
        required={required}
        width={width}
        maxLength={maxLength}
        spellCheck={spellCheck}
      />
      {invalid && <ErrorText id={errorId}>{errors.join(" ")}</ErrorText>}
    </div>
  );
}
