import { Form, useNavigation } from "@remix-run/react";
import { useEffect, useId, useRef, type ReactNode } from "react";

/**
 * A button that opens a modal dialog asking for confirmation; confirming posts `fields` (hidden
 * inputs, incl. `intent`) to the route's action. The dialog closes when the submission settles.
 */
export function ConfirmButton({
  label,
  title,
  children,
  confirmLabel,
  busyLabel = "Deleting…",
  fields,
  className = "button danger-outline small",
}: {
  label: ReactNode;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busyLabel?: string;
  fields: Record<string, string>;
  className?: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const navigation = useNavigation();
  const mine =
    navigation.state !== "idle" &&
    navigation.formData !== undefined &&
    Object.entries(fields).every(([key, value]) => navigation.formData?.get(key) === value);
  const wasBusy = useRef(false);
  useEffect(() => {
    if (mine) wasBusy.current = true;
    else if (wasBusy.current) {
      wasBusy.current = false;
      dialog.current?.close();
    }
  }, [mine]);

  return (
    <>
      <button type="button" className={className} onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} className="confirm-dialog" aria-labelledby={titleId}>
        <h2 id={titleId}>{title}</h2>
        <div className="confirm-body">{children}</div>
        <Form method="post" className="confirm-actions">
          {Object.entries(fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <button type="button" className="button secondary" onClick={() => dialog.current?.close()} autoFocus>
            Cancel
          </button>
          <button type="submit" className="button danger" disabled={mine}>
            {mine ? busyLabel : confirmLabel}
          </button>
        </Form>
      </dialog>
    </>
  );
}
