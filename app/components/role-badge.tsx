import type { Role } from "../../db/schema";

/** What each role may do: one line each (Settings → Team, the invitation page). */
export const roleInfo: Record<Role, { label: string; summary: string }> = {
  owner: { label: "Owner", summary: "Everything, including billing and deleting the account." },
  admin: { label: "Admin", summary: "Everything but billing and deleting the account: members, API keys, activity." },
  editor: { label: "Editor", summary: "Changes dashboards, tiles, alarms and reports; sees API keys but cannot create them." },
  viewer: { label: "Viewer", summary: "Looks at dashboards, reports and alarms; sees no API keys." },
};

/** The roles from most to least powerful. */
export const roleOrder: Role[] = ["owner", "admin", "editor", "viewer"];

export function RoleBadge({ role }: { role: Role }) {
  return <span className={`badge role-${role}`}>{roleInfo[role].label}</span>;
}

/** "an editor", "a viewer" */
export const withArticle = (role: Role) => `${role === "viewer" ? "a" : "an"} ${role}`;
