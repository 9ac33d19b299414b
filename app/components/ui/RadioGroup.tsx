import type { ReactNode } from "react";
import { cx, errorList, type ErrorMessages } from "./cx";
import { Fieldset } from "./Fieldset";

export interface ChoiceOption {
  value: string;
  label: ReactNode;
  /** Extra explanation under the option label (linked with aria-describedby). */
  hint?: ReactNode;
}

export interface RadioGroupProps {
  name: string;
  legend: ReactNode;
  options: readonly ChoiceOption[];
  required: boolean;
  support?: ReactNode;
  error?: ErrorMessages;
  defaultValue?: string;
  /** Base id; the first radio gets this id (ErrorSummary links to `#id`). Defaults to `name`. */
  id?: string;
  /** Options side by side (only for two or three short options such as はい／いいえ). */
  inline?: boolean;
  legendAsPageHeading?: boolean;
  className?: string;
}

/** Radio id for option `index` of group `id`: the first is `id` itself, then `${id}-2`, … */
export function choiceId(id: string, index: number): string {
  return index === 0 ? id : `${id}-${index + 1}`;
}

/** Radios in a fieldset; each row (input + label) is at least 44px tall. */
export function RadioGroup({
  name,
  legend,
  options,
  required,
  support,
  error,
  defaultValue,
  id = name,
  inline = false,
  legendAsPageHeading,
  className,
}: RadioGroupProps) {
  const invalid = errorList(error).length > 0;
  return (
    <Fieldset
      id={id}
      legend={legend}
      required={required}
      support={support}
      error={error}
      legendAsPageHeading={legendAsPageHeading}
      className={className}
    >
      <div className={cx("choices", inline && "choices--inline", invalid && "choices--error")}>
        {options.map((option, index) => {
          const optionId = choiceId(id, index);
          const hintId = option.hint ? `${optionId}-hint` : undefined;
          return (
            <div className="choice" key={option.value}>
              <input
                className="choice__input"
                type="radio"
                id={optionId}
                name={name}
                value={option.value}
                defaultChecked={defaultValue === option.value}
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
