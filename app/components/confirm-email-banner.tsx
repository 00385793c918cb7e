import { useState } from "react";
import { trpc } from "~/utils/trpc";

/** Until the email is confirmed: a reminder with a "resend" button (client-side tRPC). */
export function ConfirmEmailBanner({ email }: { email: string }) {
  const [state, setState] = useState<"idle" | "sending" | "sent" | "failed">("idle");
  return (
    <div className="alert warn" role="status">
      <span>
        Please confirm <strong>{email}</strong> with the link we emailed you: alarm emails go only to confirmed addresses.
      </span>
      {state === "sent" ? (
        <span>A new link is on its way.</span>
      ) : (
        <button
          type="button"
          className="link-button"
          disabled={state === "sending"}
          onClick={() => {
            setState("sending");
            trpc.auth.resendConfirmation.mutate().then(
              () => setState("sent"),
              () => setState("failed"),
            );
          }}
        >
          {state === "failed" ? "Sending failed — try again" : state === "sending" ? "Sending…" : "Resend the email"}
        </button>
      )}
    </div>
  );
}
