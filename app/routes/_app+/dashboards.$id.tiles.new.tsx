import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { useActionData, useLoaderData, useParams } from "@remix-run/react";
import {
  guessAction,
  loadTileEditor,
  readConfig,
  refuseViewers,
  TileEditor,
  TileEditorError,
  tileEditorShouldRevalidate,
} from "~/components/dashboard/tile-editor";
import styles from "~/styles/tile-editor.css";
import { requireAccount } from "~/utils/auth.server";
import { formAction, loaderCall, readForm } from "~/utils/errors.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `New tile${data ? ` · ${data.dashboard.name}` : ""} · Tablewatch` },
];

export const shouldRevalidate = tileEditorShouldRevalidate;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { role } = await requireAccount(context, request);
  refuseViewers(role);
  const dashboard = await loaderCall(() => context.trpc.dashboards.get({ id: params.id ?? "" }));
  return loadTileEditor(context, request, { mode: "new", dashboard: { id: params.id ?? dashboard.id, name: dashboard.name }, tile: null });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { role } = await requireAccount(context, request);
  refuseViewers(role);
  const dashboardId = params.id ?? "";
  const values = await readForm(request);
  if (values.intent === "guess") {
    const { reply, status } = await guessAction(context, values);
    return data(reply, { status });
  }
  if (values.intent === "save") {
    const parsed = readConfig(values.config);
    if (!parsed.ok) return data({ intent: "save" as const, errors: { message: parsed.message, fieldErrors: {} } }, { status: 400 });
    const result = await formAction(() => context.trpc.dashboards.createTile({ dashboardId, config: parsed.config }));
    if (!result.ok) return data({ ...result.response.data, intent: "save" as const }, result.response.init ?? undefined);
    throw redirect(`/dashboards/${encodeURIComponent(dashboardId)}?added=${encodeURIComponent(result.value.id)}`);
  }
  throw new Response("Unknown action", { status: 400 });
}

export default function NewTilePage() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const saveErrors = actionData && actionData.intent === "save" && "errors" in actionData ? actionData.errors : undefined;
  return <TileEditor data={loaderData} saveErrors={saveErrors} />;
}

export function ErrorBoundary() {
  const params = useParams();
  return <TileEditorError dashboardId={params.id} />;
}
