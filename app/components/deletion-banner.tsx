import { Form, Link } from "@remix-run/react";

/** "Monday 8 December 2026 at 14:00 CET" in the user's time zone (the same on server and client). */
export function formatDeletionDay(date: Date | string, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
    timeZoneName: "short",
  };
  try {
    return new Intl.DateTimeFormat("en-GB", { ...options, timeZone }).format(new Date(date));
  } catch {
    return new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" }).format(new Date(date));
  }
}

/**
 * On every app page while the account is scheduled for deletion: the date and, for owners, a
 * button that cancels it (posted to Settings → Account).
 */
export function DeletionBanner({
  accountName,
  deletion,
  role,
  timeZone,
}: {
  accountName: string;
  deletion: { scheduledAt: Date | string | null; due: boolean };
  role: string;
  timeZone: string;
}) {
  if (!deletion.scheduledAt) return null;
  return (
    <div className="deletion-banner" role="alert">
      <div className="deletion-banner-inner">
        <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
          <path d="M10 2.5 18 17H2L10 2.5Z" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinejoin="round" />
          <path d="M10 8v4M10 14.3v.2" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
        </svg>
        <p>
          {deletion.due ? (
            <>
              <strong>{accountName}</strong> is being deleted. Its data will be gone shortly.
            </>
          ) : (
            <>
              <strong>{accountName}</strong> will be deleted on <strong>{formatDeletionDay(deletion.scheduledAt, timeZone)}</strong>, with all its
              reports, dashboards and alarms.{" "}
              {role === "owner" ? null : <span>Ask an owner to cancel it if this is a mistake.</span>}
            </>
          )}
        </p>
        {deletion.due ? null : (
          <div className="deletion-banner-actions">
            {role === "owner" || role === "admin" ? (
              <Link to="/settings/account" className="deletion-banner-link">
                {role === "owner" ? "Details" : "Export the data"}
              </Link>
            ) : null}
            {role === "owner" ? (
              <Form method="post" action="/settings/account">
                <input type="hidden" name="intent" value="cancel-deletion" />
                <button type="submit" className="button small">
                  Cancel deletion
                </button>
              </Form>
            ) : null}
          </div>
        )}
      </div>
    </div>
  );
}
