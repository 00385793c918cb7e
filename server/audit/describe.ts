/**
 * The Activity page's sentences: what an audit entry did, in words, without the actor
 * ("invited ana@example.com as editor"). Unknown actions still read as something sensible.
 */
type Entry = { action: string; target: string | null; details: Record<string, unknown> };

const text = (value: unknown): string | null => (typeof value === "string" && value.length > 0 ? value : typeof value === "number" ? String(value) : null);
const quoted = (value: string | null) => (value ? `“${value}”` : "");

const alarmChanges: Record<string, string> = {
  enabled: "turned on the alarm",
  disabled: "turned off the alarm",
  snoozed: "snoozed the alarm",
  snooze_ended: "ended the snooze of the alarm",
  badge_renewed: "renewed the status badge link of the alarm",
  webhook_secret_renewed: "renewed the webhook signing secret of the alarm",
};

export function describeAudit(entry: Entry): string {
  const d = entry.details;
  const email = text(d.email) ?? entry.target ?? "someone";
  const role = text(d.role);
  const name = text(d.name) ?? entry.target;
  switch (entry.action) {
    case "api_key.created":
      return `created the API key ${quoted(name)}${text(d.scope) ? ` (${text(d.scope)} scope)` : ""}`;
    case "api_key.revoked":
      return `revoked the API key ${quoted(name)}${text(d.prefix) ? ` (${text(d.prefix)}…)` : ""}`;
    case "member.invited":
      return `invited ${email}${role ? ` as ${role}` : ""}`;
    case "invitation.resent":
      return `resent the invitation to ${email}${role ? ` (as ${role})` : ""}`;
    case "invitation.cancelled":
      return `cancelled the invitation to ${email}`;
    case "member.joined":
      return `joined the account${role ? ` as ${role}` : ""}${text(d.invitedBy) ? `, invited by ${text(d.invitedBy)}` : ""}`;
    case "member.role_changed":
      return `changed the role of ${email}${text(d.from) ? ` from ${text(d.from)}` : ""} to ${text(d.to) ?? role ?? "another role"}`;
    case "member.removed":
      return `removed ${email}${role ? ` (${role})` : ""} from the account`;
    case "member.left":
      return "left the account";
    case "alarm.created":
      return `created the alarm ${quoted(name)}${text(d.report) ? ` on ${text(d.report)}` : ""}`;
    case "alarm.changed": {
      const change = text(d.change);
      if (change === "snoozed" && text(d.minutes)) return `snoozed the alarm ${quoted(name)} for ${text(d.minutes)} minutes`;
      return `${(change && alarmChanges[change]) ?? "changed the alarm"} ${quoted(name)}`.trim();
    }
    case "alarm.deleted":
      return `deleted the alarm ${quoted(name)}`;
    case "dashboard.shared":
      return `shared the dashboard ${quoted(entry.target)} by a public link`;
    case "share.changed":
    case "share.paused":
    case "share.resumed":
    case "share.regenerated":
    case "share.revoked": {
      const verb = entry.action.slice("share.".length);
      return `${verb} a public link to the dashboard ${quoted(entry.target)}`;
    }
    case "account.exported":
      return "downloaded the account's JSON archive";
    case "account.deletion_scheduled":
      return "scheduled the account's deletion";
    case "account.deletion_cancelled":
      return "cancelled the account's deletion";
    case "user.password_changed":
      return "changed their password";
    case "user.two_factor_enabled":
      return "turned on two-factor login";
    case "user.two_factor_disabled":
      return "turned off two-factor login";
    case "user.recovery_codes_regenerated":
      return "made new two-factor recovery codes";
    default: {
      const [noun = "", verb = ""] = entry.action.split(".");
      const what = `${verb.replace(/_/g, " ")} ${noun.replace(/_/g, " ")}`.trim();
      return entry.target ? `${what}: ${entry.target}` : what;
    }
  }
}
