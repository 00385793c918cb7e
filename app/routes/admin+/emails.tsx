import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { adminCall } from "~/utils/admin.server";

export const meta: MetaFunction = () => [{ title: "Emails · Admin · Tablewatch" }];

export async function loader({ context }: LoaderFunctionArgs) {
  return adminCall(context, async (admin) => ({ templates: await admin.emails() }));
}

/**
 * Every React Email template (server/mail/templates.ts) rendered with its sample data, as it is
 * sent: the HTML in a sandboxed frame (no scripts, no same-origin access) and the plain text.
 */
export default function AdminEmails() {
  const { templates } = useLoaderData<typeof loader>();
  const count = templates.reduce((n, t) => n + t.samples.length, 0);
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Emails</h1>
          <p className="page-sub">
            All {templates.length} templates in <code>emails/</code>, rendered with their sample data ({count} renderings), HTML and plain text as
            they are sent.
          </p>
        </div>
      </div>
      <div className="emails-grid">
        <nav className="subnav emails-toc" aria-label="Templates">
          {templates.map((t) => (
            <a key={t.file} href={`#${t.file}`}>
              {t.title}
              {t.samples.length > 1 ? <span className="count">{t.samples.length}</span> : null}
            </a>
          ))}
        </nav>
        <div className="stack">
          {templates.map((t) => (
            <section key={t.file} id={t.file} className="card email-template" aria-labelledby={`${t.file}-title`}>
              <div className="card-head row">
                <h2 id={`${t.file}-title`}>{t.title}</h2>
                <code className="small muted">emails/{t.file}.tsx</code>
              </div>
              {t.samples.map((s) => (
                <div key={s.label} className="email-sample">
                  <div className="email-sample-head">
                    {t.samples.length > 1 ? <span className="badge sample">{s.label}</span> : null}
                    <span className="email-subject">
                      <span className="muted">Subject:</span> <strong>{s.subject}</strong>
                    </span>
                  </div>
                  <div className="email-views">
                    <figure>
                      <figcaption>HTML</figcaption>
                      <iframe title={`${t.title}${t.samples.length > 1 ? ` (${s.label})` : ""}: HTML`} sandbox="" srcDoc={s.html} />
                    </figure>
                    <figure>
                      <figcaption>Plain text</figcaption>
                      <pre className="email-text">{s.text}</pre>
                    </figure>
                  </div>
                </div>
              ))}
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
