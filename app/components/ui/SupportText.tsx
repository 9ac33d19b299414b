import type { ReactNode } from "react";

export interface SupportTextProps {
  /** Referenced by the input's aria-describedby. */
  id: string;
  children: ReactNode;
}

/** Help text shown between the label and the input (never inside the input: no placeholders). */
export function SupportText({ id, children }: SupportTextProps) {
  return (
    <div id={id} className="support-text">
      {children}
    </div>
  );
}
