import { Form, useNavigation } from "@remix-run/react";
import { useEffect, useId, useRef, type ReactNode, type RefObject } from "react";

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
    <ConfirmDialog dialog={dialog} label={label} title={title} className={className}>
      {children}
      <Form method="post" className="confirm-actions">
        {Object.entries(fields).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <CancelButton dialog={dialog} />
        <button type="submit" className="button danger" disabled={mine}>
          {mine ? busyLabel : confirmLabel}
        </button>
      </Form>
    </ConfirmDialog>
  );
}

/** A button that asks first in a modal dialog, then runs `onConfirm` (no form: usable inside one). */
export function ConfirmAction({
  label,
  title,
  confirmLabel,
  children,
  onConfirm,
  className = "button secondary small",
  busy,
}: {
  label: ReactNode;
  title: string;
  confirmLabel: string;
  children: ReactNode;
  onConfirm: () => void;
  className?: string;
  busy?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  return (
    <ConfirmDialog dialog={dialog} label={label} title={title} className={className} disabled={busy}>
      {children}
      <div className="confirm-actions">
        <CancelButton dialog={dialog} />
        <button
          type="button"
          className="button danger"
          onClick={() => {
            dialog.current?.close();
            onConfirm();
          }}
        >
          {confirmLabel}
        </button>
      </div>
    </ConfirmDialog>
  );
}

/** The opening button and the modal dialog both confirmations share; `children` ends with the actions. */
function ConfirmDialog({
  dialog,
  label,
  title,
  className,
  disabled,
  children,
}: {
  dialog: RefObject<HTMLDialogElement>;
  label: ReactNode;
  title: string;
  className: string;
  disabled?: boolean;
  children: [ReactNode, ReactNode];
}) {
  const titleId = useId();
  const [body, actions] = children;
  return (
    <>
      <button type="button" className={className} onClick={() => dialog.current?.showModal()} disabled={disabled}>
        {label}
      </button>
      <dialog ref={dialog} className="confirm-dialog" aria-labelledby={titleId}>
        <h2 id={titleId}>{title}</h2>
        <div className="confirm-body">{body}</div>
        {actions}
      </dialog>
    </>
  );
}

function CancelButton({ dialog }: { dialog: RefObject<HTMLDialogElement> }) {
  return (
    <button type="button" className="button secondary" onClick={() => dialog.current?.close()} autoFocus>
      Cancel
    </button>
  );
}
