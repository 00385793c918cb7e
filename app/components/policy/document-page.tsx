import { Link } from "@remix-run/react";
import { PolicyMarkdown } from "./markdown";

export type PolicyPageData = {
  document: "privacy" | "terms";
  title: string;
  version: number;
  body: string;
  publishedAt: string | Date;
};

const other = {
  privacy: { title: "Terms of Service", path: "/terms" },
  terms: { title: "Privacy Policy", path: "/privacy" },
};

/** "29 November 2026" (UTC), as the emails say it. */
export function policyDate(date: string | Date): string {
  return new Date(date).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

/** /privacy and /terms: the newest version of the document, with its "Last modified" date. */
export function PolicyDocumentPage({ policy }: { policy: PolicyPageData }) {
  const published = new Date(policy.publishedAt);
  return (
    <main className="policy-page">
      <article className="policy" aria-labelledby="policy-title">
        <header className="policy-head">
          <p className="policy-eyebrow">Legal</p>
          <h1 id="policy-title">{policy.title}</h1>
          <p className="policy-meta" data-testid="policy-last-modified">
            Last modified <time dateTime={published.toISOString()}>{policyDate(published)}</time>
            <span aria-hidden="true"> · </span>
            <span>{`Version ${policy.version}`}</span>
          </p>
        </header>
        <PolicyMarkdown>{policy.body}</PolicyMarkdown>
        <footer className="policy-foot">
          <span>See also our</span> <Link to={other[policy.document].path}>{other[policy.document].title}</Link>.
        </footer>
      </article>
    </main>
  );
}
