import type { ApiKeyScope } from "../../db/schema";

export const scopeInfo: Record<ApiKeyScope, { label: string; summary: string; detail: string }> = {
  ingest: { label: "Ingest", summary: "push only", detail: "May only push data. Best for servers, cron jobs and CI." },
  read: { label: "Read", summary: "read only", detail: "May only read reports and instances, e.g. for scripts or other dashboards." },
  full: { label: "Full", summary: "everything", detail: "Everything, including deleting reports and instances. Keep it safe." },
};

export function ScopeBadge({ scope }: { scope: ApiKeyScope }) {
  return <span className={`badge scope-${scope}`}>{scopeInfo[scope].label}</span>;
}
