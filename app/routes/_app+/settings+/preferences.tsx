import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormAlert } from "~/components/form";
import { requireAccount } from "~/utils/auth.server";
import { formAction, readForm } from "~/utils/errors.server";

export const meta: MetaFunction = () => [{ title: "Preferences · Settings · Tablewatch" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireAccount(context, request);
  return { timeZone: user.timeZone, hour12: user.hour12, zones: Intl.supportedValuesOf("timeZone") };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const values = await readForm(request);
  const result = await formAction(() => context.trpc.account.updatePreferences({ timeZone: values.timeZone ?? "", hour12: values.clock === "12" }));
  if (!result.ok) return result.response;
  return { saved: true as const };
}

function example(timeZone: string, hour12: boolean) {
  try {
    return new Intl.DateTimeFormat("en-GB", { timeZone, hour12, dateStyle: "medium", timeStyle: "short" }).format(new Date());
  } catch {
    return "";
  }
}

export default function PreferencesPage() {
  const { timeZone, hour12, zones } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <section className="card stack" aria-labelledby="prefs-title">
      <div>
        <h2 id="prefs-title">Preferences</h2>
        <p className="muted">How times are shown to you on dashboards and in tooltips. Other members keep their own.</p>
      </div>
      {result && "saved" in result ? (
        <div className="alert success" role="status">
          Saved. Charts now show times like {example(timeZone, hour12)}.
        </div>
      ) : null}
      <FormAlert errors={result && "errors" in result ? result.errors : undefined} />
      <Form method="post" className="stack">
        <div className="field">
          <label htmlFor="field-timeZone">Time zone</label>
          <input id="field-timeZone" name="timeZone" list="time-zones" defaultValue={timeZone} required autoComplete="off" />
          <datalist id="time-zones">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          <span className="hint">An IANA name such as Europe/Tallinn or America/New_York.</span>
        </div>
        <fieldset className="field">
          <legend>Clock</legend>
          <label className="radio">
            <input type="radio" name="clock" value="24" defaultChecked={!hour12} /> 24-hour (14:30)
          </label>
          <label className="radio">
            <input type="radio" name="clock" value="12" defaultChecked={hour12} /> 12-hour (2:30 PM)
          </label>
        </fieldset>
        <div>
          <button className="button primary" type="submit" disabled={busy}>
            {busy ? "Saving…" : "Save preferences"}
          </button>
        </div>
      </Form>
    </section>
  );
}
