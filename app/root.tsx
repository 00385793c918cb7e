import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { Logo } from "~/components/logo";
import styles from "~/styles/app.css";

export const links: LinksFunction = () => [
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
  { rel: "stylesheet", href: styles },
];

export const meta: MetaFunction = () => [
  { title: "Tablewatch — dashboards and alarms from anything a machine prints" },
  { name: "description", content: "Pipe JSON, CSV, psql, df or ps output into curl and get dashboards and alarms." },
];

export async function loader({ context }: LoaderFunctionArgs) {
  return { user: context.user, devTools: context.devTools, nonce: context.cspNonce };
}

function Document({ children, nonce }: { children: ReactNode; nonce?: string }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  const { nonce } = useLoaderData<typeof loader>();
  return (
    <Document nonce={nonce}>
      <Outlet />
    </Document>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const data = useRouteLoaderData<typeof loader>("root");
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  if (!isRouteErrorResponse(error)) console.error(error);
  return (
    <Document nonce={data?.nonce}>
      <main className="error-page">
        <Logo />
        <h1>{notFound ? "Page not found" : "Something went wrong"}</h1>
        <p>
          {notFound
            ? "There is nothing at this address. It may have moved, or the link may be mistyped."
            : "We could not show this page. Please try again in a moment."}
        </p>
        <a className="button" href="/">
          Go to the home page
        </a>
      </main>
    </Document>
  );
}
