/**
 * A policy document's Markdown (trusted: written by admins, but rendered the same careful way
 * as Markdown tiles): React elements from markdown-to-jsx, no raw HTML, links to other sites in
 * a new tab without an opener, and headings with ids so sections can be linked.
 */
import { Markdown } from "markdown-to-jsx/react";
import type { AnchorHTMLAttributes } from "react";

function PolicyLink({ href, children, title }: AnchorHTMLAttributes<HTMLAnchorElement>) {
  if (!href) return <>{children}</>;
  const internal = href.startsWith("/") || href.startsWith("#") || href.startsWith("mailto:");
  return (
    <a href={href} title={title} {...(internal ? {} : { target: "_blank", rel: "noopener noreferrer" })}>
      {children}
    </a>
  );
}

const OPTIONS = {
  disableParsingRawHTML: true,
  forceBlock: true,
  overrides: { a: { component: PolicyLink } },
};

export function PolicyMarkdown({ children }: { children: string }) {
  return (
    <div className="policy-body">
      <Markdown options={OPTIONS}>{children}</Markdown>
    </div>
  );
}
