import type { ReactNode } from "react";
import { cx, describedBy, errorIdFor, errorList, type ErrorMessages } from "./cx";
import { ErrorText } from "./ErrorText";
import { Fieldset } from "./Fieldset";
import { choiceId, type ChoiceOption } from "./RadioGroup";
import { RequirementBadge } from "./RequirementBadge";

export interface CheckboxProps {
  name: string;
  label: ReactNode;
  /** Submitted value when checked (default "on"). */
  value?: string;
  defaultChecked?: boolean;
  hint?: ReactNode;
  /** Shows ※必須 / ※任意 after the label when given (e.g. a required confirmation). */
  required?: boolean;
  error?: ErrorMessages;
  /** Defaults to `name`. */
  id?: string;
  className?: string;
}

/** A single check box (e.g. 「内容を確認しました」) with a 44px target. */
export function Checkbox({
  name,
  label,
  value = "on",
  defaultChecked,
  hint,
  required,
  error,
  id = name,
  className,
}: CheckboxProps) {
  const errors = errorList(error);
  const invalid = errors.length > 0;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errorIdFor(id);
  return (
    <div className={cx("field", invalid && "field--error", className)}>
      <div className={cx("choice", invalid && "choice--error")}>
        <input
          className="choice__input"
          type="checkbox"
          id={id}
          name={name}
          value={value}
          defaultChecked={defaultChecked}
          aria-invalid={invalid ? true : undefined}
          aria-required={required ? true : undefined}
          aria-describedby={describedBy(hintId, invalid && errorId)}
        />
        <div className="choice__body">
          <label className="choice__label" htmlFor={id}>
            {label}
            {required !== undefined && (
              <>
                {" "}
                <RequirementBadge required={required} />
              </>
            )}
          </label>
          {hint && (
            <div id={hintId} className="choice__hint">
              {hint}
            </div>
          )}
        </div>
      </div>
      {invalid && <ErrorText id={errorId}>{errors.join(" ")}</ErrorText>}
    </div>
  );
}

export interface CheckboxGroupProps {
  name: string;
  legend: ReactNode;
  options: readonly ChoiceOption[];
  required: boolean;
  support?: ReactNode;
  error?: ErrorMessages;
  defaultValues?: readonly string[];
  /** Base id; the first check box gets this id. Defaults to `name`. */
  id?: string;
  className?: string;
}

/** Several check boxes sharing one name (e.g. 発信休止 / 着信休止), in a fieldset. */
export function CheckboxGroup({
  name,
  legend,
  options,
  required,
  support,
  error,
  defaultValues = [],
  id = name,
  className,
}: CheckboxGroupProps) {
  return (
    <Fieldset id={id} legend={legend} required={required} support={support} error={error} className={className}>
      <div className="choices">
        {options.map((option, index) => {
          const optionId = choiceId(id, index);
          const hintId = option.hint ? `${optionId}-hint` : undefined;
          return (
            <div className="choice" key={option.value}>
              <input
                className="choice__input"
                type="checkbox"
                id={optionId}
                name={name}
                value={option.value}
                defaultChecked={defaultValues.includes(option.value)}
                aria-describedby={hintId}
              />
              <div className="choice__body">
                <label className="choice__label" htmlFor={optionId}>
                  {option.label}
                </label>
                {option.hint && (
                  <div id={hintId} className="choice__hint">
                    {option.hint}
                  </div>
                )}
              </div>
            </div>
          );
        })}
      </div>
    </Fieldset>
  );
}
