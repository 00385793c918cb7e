import { type ActionFunctionArgs, redirect } from "@remix-run/node";

export async function loader() {
  return redirect("/");
}

export async function action({ context }: ActionFunctionArgs) {
  await context.trpc.auth.logout();
  return redirect("/login", { headers: { "Set-Cookie": context.blankSessionCookie() } });
}
