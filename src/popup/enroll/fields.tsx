// The fields every enrollment form of the popup asks for ("Enroll me", "Enroll another user", "Enable
// for <customer>", "Match on me"): a labelled control with its error tied to it for assistive technology,
// the duration among the policy's presets, and the reason that goes into the audit log.
import type { ComponentChildren } from 'preact';
import type { DurationPreset } from '../../core/enrollment-text';

/** What a control carries when its field has an error: the error is its description. */
export type Described = { 'aria-invalid'?: true; 'aria-describedby'?: string };

/** The error under a field, with the id its control names in `aria-describedby`; nothing without one. */
export function FieldError({ id, error, testId }: { id: string; error: string | null | undefined; testId: string }) {
  return error ? (
    <span class="field-error" id={id} data-testid={testId}>
      {error}
    </span>
  ) : null;
}

/** A label, its control and the control's error. `errorId` must be unique in the page (`useId`). */
export function Field({
  label,
  error,
  errorId,
  errorTestId,
  children,
}: {
  label: string;
  error: string | null | undefined;
  errorId: string;
  errorTestId: string;
  children: (described: Described) => ComponentChildren;
}) {
  return (
    <label>
      <span>{label}</span>
      {children(error ? { 'aria-invalid': true, 'aria-describedby': errorId } : {})}
      <FieldError id={errorId} error={error} testId={errorTestId} />
    </label>
  );
}

/** "For": one of the policy's duration presets (in seconds, as a string); `children` adds options. */
export function DurationField({
  testId,
  presets,
  value,
  onChange,
  children,
}: {
  testId: string;
  presets: readonly DurationPreset[];
  value: string;
  onChange: (value: string) => void;
  children?: ComponentChildren;
}) {
  return (
    <label>
      <span>For</span>
      <select data-testid={testId} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {presets.map((p) => (
          <option key={p.seconds} value={String(p.seconds)}>
            {p.label}
          </option>
        ))}
        {children}
      </select>
    </label>
  );
}

/** "Reason (required)": what goes into the audit log, with its error. */
export function ReasonField({
  testId,
  value,
  placeholder,
  error,
  errorId,
  errorTestId,
  onInput,
}: {
  testId: string;
  value: string;
  placeholder: string;
  error: string | null | undefined;
  errorId: string;
  errorTestId: string;
  onInput: (value: string) => void;
}) {
  return (
    <Field label="Reason (required)" error={error} errorId={errorId} errorTestId={errorTestId}>
      {(described) => (
        <input
          type="text"
          data-testid={testId}
          value={value}
          placeholder={placeholder}
          {...described}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}
