import type { InputHTMLAttributes } from "react";

export type FormErrors = { message: string; fieldErrors: Record<string, string> } | undefined;

export function Field({
  label,
  name,
  error,
  hint,
  ...input
}: { label: string; name: string; error?: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = `field-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
        {...input}
      />
      {error ? (
        <FieldError id={`${id}-error`} error={error} />
      ) : hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}

/** A field's error message, referenced by its input's aria-describedby; nothing without an error. */
export function FieldError({ id, error }: { id: string; error?: string }) {
  return error ? (
    <span className="error" id={id}>
      {error}
    </span>
  ) : null;
}

export function FormAlert({ errors }: { errors: FormErrors }) {
  if (!errors) return null;
  return (
    <div className="alert error" role="alert">
      {errors.message}
    </div>
  );
}
