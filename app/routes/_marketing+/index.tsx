import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { CopyBlock } from "~/components/copy-block";

export const meta: MetaFunction = () => [
  { title: "Tablewatch — dashboards and alarms from anything a machine prints" },
  { name: "description", content: "Pipe JSON, CSV, psql, df or ps output into curl. Get charts, dashboards and alarms. No agents, no schema." },
];

export async function loader({ request }: LoaderFunctionArgs) {
  return { origin: new URL(request.url).origin };
}

const diskRows = [
  ["/dev/sda1", "41G", "38G", "93%", "/"],
  ["/dev/sdb1", "917G", "402G", "44%", "/home"],
  ["tmpfs", "3.9G", "12M", "1%", "/run"],
];

/** A small line chart of "Use% of /" rising over a week (illustration). */
function DemoChart() {
  const points = [61, 63, 62, 66, 70, 69, 74, 78, 77, 83, 86, 85, 89, 93];
  const w = 460;
  const h = 120;
  const x = (i: number) => 8 + (i * (w - 16)) / (points.length - 1);
  const y = (v: number) => h - 10 - ((v - 50) / 50) * (h - 20);
  const line = points.map((v, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  return (
    <div className="demo-chart">
      <div className="title">
        Use% of / <span>last 7 days</span>
      </div>
      <svg viewBox={`0 0 ${w} ${h}`} width="100%" role="img" aria-label="Disk use of / rising from 61% to 93% over a week">
        {[60, 70, 80, 90].map((v) => (
          <g key={v}>
            <line x1="0" x2={w} y1={y(v)} y2={y(v)} stroke="#eef0f2" />
            <text x="2" y={y(v) - 3} fontSize="9" fill="#9aa5b1">
              {v}%
            </text>
          </g>
        ))}
        <line x1="0" x2={w} y1={y(90)} y2={y(90)} stroke="#f79009" strokeDasharray="4 4" />
        <path d={`${line} L${x(points.length - 1)},${h} L${x(0)},${h} Z`} fill="rgba(15,118,110,0.08)" />
        <path d={line} fill="none" stroke="#0f766e" strokeWidth="2.5" strokeLinejoin="round" />
        <circle cx={x(points.length - 1)} cy={y(93)} r="4" fill="#f79009" />
      </svg>
    </div>
  );
}

/** Line icons in the brand colour (emoji render differently per platform, or not at all without an emoji font). */
const iconPaths = {
  table: "M5 4h14a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z M3 10h18 M3 15h18 M10 4v16",
  chart: "M3 3v18h18 M7 15l4-4 3 3 5-6",
  bell: "M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9 M13.73 21a2 2 0 0 1-3.46 0",
  users: "M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2 M9 3a4 4 0 1 1 0 8a4 4 0 0 1 0-8z M23 21v-2a4 4 0 0 0-3-3.87 M16 3.13a4 4 0 0 1 0 7.75",
};

function FeatureIcon({ name }: { name: keyof typeof iconPaths }) {
  return (
    <div className="icon" aria-hidden="true">
      <svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
        <path d={iconPaths[name]} />
      </svg>
    </div>
  );
}

export default function LandingPage() {
  const { origin } = useLoaderData<typeof loader>();
  return (
    <main>
      <section className="hero">
        <div>
          <h1>
            Whatever your machines print, <em>charted and watched.</em>
          </h1>
          <p className="lead">
            Pipe <code>df</code>, <code>ps</code>, <code>psql</code>, JSON, CSV or a single number into curl. Tablewatch
            stores each push as a table, draws it on dashboards, and emails you when a check says something is wrong.
            No agents, no schema, no configuration first.
          </p>
          <CopyBlock text={`df | curl --user $KEY: --data-binary @- ${origin}/api/v1/reports/diskfree`} />
          <div className="actions">
            <Link className="button large" to="/register">
              Start free
            </Link>
            <a className="button secondary large" href="/api/docs">
              Read the API
            </a>
          </div>
          <p className="fine">Works with existing Monique.io cron jobs: change the host, keep the scripts.</p>
        </div>
        <div className="demo" aria-label="Example">
          <div className="demo-table">
            <table>
              <thead>
                <tr>
                  <th>Filesystem</th>
                  <th>Size</th>
                  <th>Used</th>
                  <th>Use%</th>
                  <th>Mounted on</th>
                </tr>
              </thead>
              <tbody>
                {diskRows.map((row) => (
                  <tr key={row[0]}>
                    {row.map((cell, i) => (
                      <td key={i} className={cell === "93%" ? "hot" : undefined}>
                        {cell}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <DemoChart />
        </div>
      </section>

      <section className="section">
        <h2>From a cron line to a dashboard in a minute</h2>
        <p className="sub">Three steps, and nothing to install on your servers.</p>
        <div className="steps">
          <div className="step">
            <h3>1. Push</h3>
            <p>Add one curl to a cron job or a deploy script. Any output that looks like a table becomes one.</p>
          </div>
          <div className="step">
            <h3>2. Click a cell</h3>
            <p>Open the table in the browser and click the number you care about. Tablewatch charts it over time.</p>
          </div>
          <div className="step">
            <h3>3. Get told</h3>
            <p>Write a few lines of JavaScript that look at each new table; we email you when it fires and when it recovers.</p>
          </div>
        </div>
        <div className="formats" aria-label="Understood formats">
          {["JSON", "CSV", "TSV", "psql", "mysql", "df", "ps aux", "kubectl get", "docker ps", "key=value", "Markdown", "a single number"].map((f) => (
            <span key={f}>{f}</span>
          ))}
        </div>
      </section>

      <section className="section">
        <h2>Built for the people who run things</h2>
        <p className="sub">Everything a small ops team needs, and nothing it has to babysit.</p>
        <div className="features">
          <div className="feature">
            <FeatureIcon name="table" />
            <h3>Any format</h3>
            <p>Aligned columns, CSV, JSON, key=value: detected automatically, or named explicitly.</p>
          </div>
          <div className="feature">
            <FeatureIcon name="chart" />
            <h3>Live dashboards</h3>
            <p>Tiles update as data arrives. One tile per host appears by itself for tagged pushes.</p>
          </div>
          <div className="feature">
            <FeatureIcon name="bell" />
            <h3>Alarms in JavaScript</h3>
            <p>Sandboxed checks run on every push; no-data alarms catch the cron job that died.</p>
          </div>
          <div className="feature">
            <FeatureIcon name="users" />
            <h3>Teams and sharing</h3>
            <p>Invite your team with roles, and share a dashboard read-only on the office TV.</p>
          </div>
        </div>
      </section>

      <section className="cta">
        <h2>Your first dashboard is one curl away.</h2>
        <p className="sub">Free plan, no card needed.</p>
        <Link className="button large" to="/register">
          Create your account
        </Link>
      </section>
    </main>
  );
}
