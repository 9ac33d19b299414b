export { Button, type ButtonProps, type ButtonVariant } from "./Button";
export { ButtonLink, type ButtonLinkProps } from "./ButtonLink";
export { Checkbox, CheckboxGroup, type CheckboxGroupProps, type CheckboxProps } from "./Checkbox";
export { cx, describedBy, errorIdFor, errorList, supportIdFor, type ErrorMessages } from "./cx";
export {
  ErrorSummary,
  normaliseErrors,
  type ErrorSummaryErrors,
  type ErrorSummaryItem,
  type ErrorSummaryProps,
} from "./ErrorSummary";
export { ErrorText, type ErrorTextProps } from "./ErrorText";
export { Field, type FieldProps } from "./Field";
export { Fieldset, type FieldsetProps } from "./Fieldset";
export { Input, type InputProps, type InputType, type InputWidth } from "./Input";
export { Label, type LabelProps } from "./Label";
export { Notice, type NoticeProps, type NoticeVariant } from "./Notice";
export { PageHeading, type PageHeadingProps } from "./PageHeading";
export { RadioGroup, choiceId, type ChoiceOption, type RadioGroupProps } from "./RadioGroup";
export { ConditionalBadge, RequirementBadge, type RequirementBadgeProps } from "./RequirementBadge";
export { SummaryList, type SummaryListProps, type SummaryRow } from "./SummaryList";
export { SupportText, type SupportTextProps } from "./SupportText";
