/**
 * A Content tile: a `single` report's input as preformatted text, or a `markdown` report
 * rendered as Markdown.
 *
 * Markdown is rendered by markdown-to-jsx into React elements (no innerHTML): raw HTML in the
 * input is not parsed (`disableParsingRawHTML`: it shows as text), `javascript:`/`vbscript:`/
 * `data:` URLs are dropped by its sanitizer, links open in a new tab without an opener, and
 * images become links (the CSP allows no outside images anyway).
 *
 * The library (~32 KB gzipped) is loaded with React.lazy, so only pages that show a Markdown
 * tile download it. The server renders the Markdown into the page; in the browser the
 * boundary stays as the server drew it until the chunk arrives (no hydration mismatch).
 */
import { type AnchorHTMLAttributes, type ComponentType, lazy, memo, Suspense } from "react";

type MarkdownProps = { children?: string | null; options?: object };

/** Markdown shown as plain text: while the renderer loads, or if its chunk cannot be fetched (e.g. after a deploy). */
function PlainMarkdown({ children }: MarkdownProps) {
  return <div className="tw-markdown-pending">{children}</div>;
}

const Markdown = lazy<ComponentType<MarkdownProps>>(() =>
  import("markdown-to-jsx/react").then(
    (m) => ({ default: m.Markdown }),
    () => ({ default: PlainMarkdown }),
  ),
);

export type ContentProps = { content: string; format: "text" | "markdown" };

function ExternalLink({ href, children, title }: AnchorHTMLAttributes<HTMLAnchorElement>) {
  if (!href) return <>{children}</>;
  const internal = href.startsWith("#");
  return (
    <a href={href} title={title} {...(internal ? {} : { target: "_blank", rel: "noopener noreferrer nofollow" })}>
      {children}
    </a>
  );
}

function ImageLink({ src, alt, title }: { src?: string; alt?: string; title?: string }) {
  if (!src) return alt ? <>{alt}</> : null;
  return (
    <a href={src} title={title} target="_blank" rel="noopener noreferrer nofollow" className="tw-md-image">
      <svg width="14" height="14" viewBox="0 0 24 24" fill="none" aria-hidden="true">
        <rect x="3" y="4" width="18" height="16" rx="2" stroke="currentColor" strokeWidth="1.8" />
        <path d="M3 16l5-5 4 4 3-3 6 6" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" />
      </svg>
      {alt || "image"}
    </a>
  );
}

const MARKDOWN_OPTIONS = {
  disableParsingRawHTML: true,
  forceBlock: true,
  overrides: {
    a: { component: ExternalLink },
    img: { component: ImageLink },
  },
};

/**
 * Memoised: a tile that re-renders with new data but the same content must not update the
 * Markdown boundary while it may still be waiting to hydrate.
 */
export const Content = memo(function Content({ content, format }: ContentProps) {
  if (format === "text") return <pre className="tw-pre">{content}</pre>;
  return (
    <div className="tw-markdown">
      <Suspense fallback={<PlainMarkdown>{content}</PlainMarkdown>}>
        <Markdown options={MARKDOWN_OPTIONS}>{content}</Markdown>
      </Suspense>
    </div>
  );
});
