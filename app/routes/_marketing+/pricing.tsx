import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatPrice, PlanCards, planFeatures } from "~/components/plan/plan-cards";
import styles from "~/styles/plan.css";

export const meta: MetaFunction = () => [
  { title: "Pricing · Tablewatch" },
  { name: "description", content: "Tablewatch plans: start free, upgrade for more reports, history, people and alarms. Prices per month, VAT included where applicable." },
];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export async function loader({ context }: LoaderFunctionArgs) {
  const plans = await context.trpc.plan.list();
  return { plans, loggedIn: Boolean(context.user) };
}

export default function Pricing() {
  const { plans, loggedIn } = useLoaderData<typeof loader>();
  // The middle paid plan is drawn as recommended.
  const paid = plans.filter((p) => p.priceCents > 0);
  const highlight = paid[0]?.code;
  return (
    <main className="pricing">
      <div className="pricing-head">
        <h1>Pricing that grows with your machines</h1>
        <p>
          Start free, no card needed. Move to a larger plan when you need more reports, longer history, more people or more alarms — every plan has
          every feature.
        </p>
      </div>

      {plans.length === 0 ? (
        <section className="card card-empty-lg">
          <h2>Plans are being updated</h2>
          <p className="muted">Please check back in a moment, or start with a free account.</p>
          <Link className="button" to="/register">
            Start free
          </Link>
        </section>
      ) : (
        <PlanCards
          plans={plans}
          highlightCode={highlight}
          action={(plan) =>
            loggedIn ? (
              plan.priceCents === 0 ? (
                <Link className="button secondary" to="/settings/plan">
                  See your usage
                </Link>
              ) : (
                <Link className={`button${plan.code === highlight ? "" : " secondary"}`} to={`/settings/billing?plan=${encodeURIComponent(plan.code)}`}>
                  Choose {plan.name}
                </Link>
              )
            ) : plan.priceCents === 0 ? (
              <Link className="button secondary" to="/register">
                Start free
              </Link>
            ) : (
              <Link className={`button${plan.code === highlight ? "" : " secondary"}`} to="/register">
                Start free, upgrade to {plan.name}
              </Link>
            )
          }
        />
      )}
      <p className="plan-fine">
        Prices per month, VAT included where applicable. Paid plans are billed monthly by card; cancel any time and the account returns to Free at the
        end of the paid month.
      </p>

      {plans.length ? (
        <section className="pricing-compare" aria-labelledby="compare-title">
          <h2 id="compare-title">Compare the plans</h2>
          <div className="table-scroll">
            <table className="compare-table">
              <thead>
                <tr>
                  <th scope="col">Limit</th>
                  {plans.map((p) => (
                    <th scope="col" key={p.code}>
                      {p.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">Price per month</th>
                  {plans.map((p) => (
                    <td key={p.code}>{formatPrice(p.priceCents, p.currency)}</td>
                  ))}
                </tr>
                {planFeatures(plans[0]!).map((feature, i) => (
                  <tr key={feature.key}>
                    <th scope="row">{feature.label}</th>
                    {plans.map((p) => (
                      <td key={p.code}>{planFeatures(p)[i]!.value}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      <section className="pricing-faq" aria-labelledby="faq-title">
        <h2 id="faq-title">Questions</h2>
        <div>
          <h3>What is an instance?</h3>
          <p>
            One push: each <code>curl</code> to a report stores one instance, whatever its size (up to 1 MiB). Instances are counted per calendar month
            (UTC).
          </p>
        </div>
        <div>
          <h3>What happens at a limit?</h3>
          <p>
            Nothing breaks: what you have keeps working. Creating more is refused with a clear message — in the app and in the API (HTTP 429,
            ERROR_PLAN_LIMIT). Owners get an email at 80 % and at 100 %.
          </p>
        </div>
        <div>
          <h3>And if I move to a smaller plan?</h3>
          <p>
            Nothing is deleted at once: for 30 days, what is over the new limits stays readable but read-only. After that, history older than the plan
            keeps and the newest reports beyond its limit are removed.
          </p>
        </div>
        <div>
          <h3>How do API rate limits work?</h3>
          <p>
            Each API key may make the plan’s requests per minute. Every answer carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset;
            beyond the limit the API answers 429 with Retry-After.
          </p>
        </div>
      </section>
    </main>
  );
}
