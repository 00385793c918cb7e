/**
 * The alarm check's code editor: CodeMirror 6 with JavaScript highlighting, completions for the
 * check's globals (instance, previous, table, num, console.log) and an "Examples" menu
 * (docs/decisions/0016-code-editor.md).
 *
 * It renders a plain <textarea name={name}> first: before hydration, without JavaScript, or if
 * the editor's code fails to load, that textarea is the editor and the form still submits it.
 * Once mounted (client only, loaded on demand), CodeMirror shows instead and keeps the hidden
 * textarea in sync, so the form posts the same field either way.
 */
import type { EditorView } from "codemirror";
import { useEffect, useRef, useState } from "react";

export type CodeExample = { title: string; code: string };

type Props = {
  /** The textarea's id and name: the form field. */
  id: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  /** The id of the visible label (CodeMirror's text box is labelled by it). */
  labelId: string;
  describedBy?: string;
  invalid?: boolean;
  readOnly?: boolean;
  examples?: readonly CodeExample[];
  placeholder?: string;
};

/** What a check can use, offered as completions (alarms.md "The check's world"). */
const CHECK_GLOBALS = [
  { label: "instance", type: "variable", detail: "{ rows, header, input, tags, created, link }", info: "The new instance." },
  { label: "previous", type: "variable", detail: "instance | null", info: "The previous instance of the same report and tag set, or null." },
  { label: "table", type: "function", detail: "(x) → objects", info: "The non-header rows of instance x as objects keyed by the header cells.", apply: "table(instance)" },
  { label: "num", type: "function", detail: "(v) → number", info: "Reads a cell as a number (\"95%\" → 95); NaN when it is not one.", apply: "num(" },
  { label: "console.log", type: "function", detail: "(...values)", info: "Lines kept with the evaluation, shown in Test.", apply: "console.log(" },
] as const;

type CompletionQuery = { matchBefore(expr: RegExp): { from: number; to: number; text: string } | null; explicit: boolean };

function completeCheckGlobals(context: CompletionQuery) {
  const word = context.matchBefore(/[\w$.]*/);
  if (!word || (word.from === word.to && !context.explicit)) return null;
  // `instance.r…` completes members, not globals.
  if (word.text.includes(".") && !"console.log".startsWith(word.text)) return null;
  return { from: word.from, options: [...CHECK_GLOBALS], validFor: /^[\w$.]*$/ };
}

export function CodeEditor({ id, name, value, onChange, labelId, describedBy, invalid, readOnly = false, examples, placeholder }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const menu = useRef<HTMLDetailsElement>(null);
  const [mounted, setMounted] = useState(false);
  const latest = useRef({ value, onChange });
  latest.current = { value, onChange };

  useEffect(() => {
    let cancelled = false;
    let created: EditorView | null = null;
    Promise.all([import("codemirror"), import("@codemirror/lang-javascript")])
      .then(([cm, js]) => {
        if (cancelled || !host.current) return;
        const { EditorView: View } = cm;
        created = new View({
          doc: latest.current.value,
          parent: host.current,
          extensions: [
            cm.basicSetup,
            js.javascript(),
            js.javascriptLanguage.data.of({ autocomplete: completeCheckGlobals }),
            View.lineWrapping,
            View.editable.of(!readOnly),
            View.contentAttributes.of({
              "aria-labelledby": labelId,
              ...(readOnly ? { "aria-readonly": "true" } : {}),
              "data-testid": "code-editor",
            }),
            View.updateListener.of((update) => {
              if (update.docChanged) latest.current.onChange(update.state.doc.toString());
            }),
          ],
        });
        view.current = created;
        setMounted(true);
      })
      .catch((error: unknown) => {
        // The textarea stays: the check can still be written and saved.
        console.error("The code editor could not be loaded", error);
      });
    return () => {
      cancelled = true;
      created?.destroy();
      view.current = null;
      setMounted(false);
    };
  }, [readOnly, labelId]);

  // The field's error state and hint, without rebuilding the editor (that would lose its undo history).
  useEffect(() => {
    const content = view.current?.contentDOM;
    if (!content) return;
    if (invalid) content.setAttribute("aria-invalid", "true");
    else content.removeAttribute("aria-invalid");
    if (describedBy) content.setAttribute("aria-describedby", describedBy);
    else content.removeAttribute("aria-describedby");
  }, [invalid, describedBy, mounted]);

  // Changes from outside (a form reset, another alarm) reach the editor.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value, mounted]);

  const insertExample = (code: string) => {
    if (menu.current) menu.current.open = false;
    const v = view.current;
    if (v) {
      // One transaction: Ctrl+Z brings back what was there.
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: code }, selection: { anchor: code.length }, scrollIntoView: true });
      v.focus();
    } else {
      onChange(code);
      document.getElementById(id)?.focus();
    }
  };

  return (
    <div className={`code-editor${mounted ? " mounted" : ""}${invalid ? " invalid" : ""}${readOnly ? " readonly" : ""}`}>
      {examples?.length && !readOnly ? (
        <div className="code-editor-bar">
          <span className="code-editor-lang">JavaScript · function body</span>
          <details className="code-examples" ref={menu}>
            <summary className="button secondary small">
              Examples <span aria-hidden="true">▾</span>
            </summary>
            <div className="code-examples-menu" role="menu" aria-label="Examples">
              {examples.map((example) => (
                <button key={example.title} type="button" role="menuitem" onClick={() => insertExample(example.code)}>
                  <strong>{example.title}</strong>
                  <code>{example.code.split("\n")[0]}</code>
                </button>
              ))}
            </div>
          </details>
        </div>
      ) : null}
      <textarea
        id={id}
        name={name}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        hidden={mounted}
        readOnly={readOnly}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        rows={10}
        placeholder={placeholder}
        aria-invalid={invalid ? true : undefined}
        aria-describedby={describedBy}
        className="code-editor-fallback"
      />
      <div ref={host} className="code-editor-host" hidden={!mounted} />
    </div>
  );
}
