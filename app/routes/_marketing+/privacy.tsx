import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { PolicyDocumentPage } from "~/components/policy/document-page";
import { policyLoader } from "~/utils/policy.server";
import policyStyles from "~/styles/policy.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: policyStyles }];
export const meta: MetaFunction = () => [{ title: "Privacy Policy · Tablewatch" }];

export const loader = ({ context }: LoaderFunctionArgs) => policyLoader(context, "privacy");

export default function PrivacyPage() {
  const { policy } = useLoaderData<typeof loader>();
  return <PolicyDocumentPage policy={policy} />;
}
