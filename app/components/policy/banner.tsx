import { useFetcher, useLocation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { policyDate } from "./document-page";

export type PolicyNotice = { document: "privacy" | "terms"; title: string; path: string; version: number; publishedAt: string | Date };

/**
 * "We updated our Privacy Policy on …": once per new version, on every app page until the user
 * closes it or opens the policy (server/policy/service.ts pendingNotices). Closing posts to
 * /policy-notice (a same-site POST: the Origin check of server/security/origin.ts applies).
 */
export function PolicyBanner({ notices }: { notices: PolicyNotice[] }) {
  const fetcher = useFetcher();
  const location = useLocation();
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  if (notices.length === 0 || fetcher.state !== "idle" || fetcher.data) return null;
  return (
    <div className="policy-banner" role="status" aria-label="Policy update">
      <div className="policy-banner-inner">
        <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
          <path d="M5 2.5h7l3.5 3.5v11.5h-10.5z" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" />
          <path d="M8 9h5M8 12h5M8 15h3" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
        </svg>
        <p>
          {notices.map((n, i) => (
            <span key={n.document}>
              {i > 0 ? " " : null}
              We updated our <a href={n.path}>{n.title}</a> on <strong>{policyDate(n.publishedAt)}</strong>.
            </span>
          ))}{" "}
          <span className="policy-banner-hint">See the summary in the email we sent you, or read the new version.</span>
        </p>
        <fetcher.Form method="post" action="/policy-notice">
          {hydrated ? <input type="hidden" name="js" value="1" /> : null}
          <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
          <button type="submit" className="policy-banner-close" aria-label="Close the policy update notice" title="Close">
            <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
              <path d="M5 5l10 10M15 5 5 15" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
            </svg>
          </button>
        </fetcher.Form>
      </div>
    </div>
  );
}
