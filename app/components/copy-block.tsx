import { useState } from "react";

/** A command or snippet with a Copy button. */
export function CopyBlock({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="copy-block">
      <pre>
        <code>{text}</code>
      </pre>
      <button
        type="button"
        className="copy-button"
        onClick={() => {
          void navigator.clipboard?.writeText(text).then(() => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          });
        }}
      >
        {copied ? "Copied" : label}
      </button>
    </div>
  );
}
