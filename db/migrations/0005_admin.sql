CREATE TABLE "policy_deliveries" (
	"version_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"attempted_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"last_error" text,
	CONSTRAINT "policy_deliveries_version_id_user_id_pk" PRIMARY KEY("version_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "policy_drafts" (
	"document" text PRIMARY KEY NOT NULL,
	"body" text NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policy_notices" (
	"user_id" text NOT NULL,
	"document" text NOT NULL,
	"version" integer NOT NULL,
	"seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "policy_notices_user_id_document_pk" PRIMARY KEY("user_id","document")
);
--> statement-breakpoint
CREATE TABLE "policy_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"document" text NOT NULL,
	"version" integer NOT NULL,
	"body" text NOT NULL,
	"summary" text NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"published_by" text
);
--> statement-breakpoint
DROP INDEX "access_log_time_idx";--> statement-breakpoint
ALTER TABLE "access_log" ADD COLUMN "account_id" uuid;--> statement-breakpoint
ALTER TABLE "policy_deliveries" ADD CONSTRAINT "policy_deliveries_version_id_policy_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."policy_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_deliveries" ADD CONSTRAINT "policy_deliveries_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_notices" ADD CONSTRAINT "policy_notices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "policy_deliveries_due_idx" ON "policy_deliveries" USING btree ("next_attempt_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "policy_deliveries_version_status_idx" ON "policy_deliveries" USING btree ("version_id","status");--> statement-breakpoint
CREATE INDEX "policy_deliveries_attempted_idx" ON "policy_deliveries" USING btree ("attempted_at");--> statement-breakpoint
CREATE INDEX "policy_deliveries_user_idx" ON "policy_deliveries" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "policy_versions_document_version_idx" ON "policy_versions" USING btree ("document","version");--> statement-breakpoint
CREATE INDEX "access_log_time_id_idx" ON "access_log" USING btree ("time","id");--> statement-breakpoint
CREATE INDEX "access_log_ip_idx" ON "access_log" USING btree ("ip","time","id");--> statement-breakpoint
CREATE INDEX "access_log_account_idx" ON "access_log" USING btree ("account_id","time","id") WHERE account_id is not null;--> statement-breakpoint
CREATE INDEX "access_log_errors_idx" ON "access_log" USING btree ("time","id") WHERE status >= 400;--> statement-breakpoint
CREATE INDEX "access_log_account_errors_idx" ON "access_log" USING btree ("account_id","time","id") WHERE status >= 400 and account_id is not null;--> statement-breakpoint
CREATE INDEX "access_log_url_idx" ON "access_log" USING btree ("url" text_pattern_ops);
--> statement-breakpoint
-- Seed: version 1 of the Privacy Policy and the Terms of Service, the text of
-- server/policy/v1-privacy.md and server/policy/v1-terms.md (tests/integration/policies.test.ts
-- checks that they are equal). Later versions are published from /admin/policies.
INSERT INTO "policy_versions" ("id", "document", "version", "body", "summary", "published_at", "published_by") VALUES
('0194d3a0-0000-7000-8000-000000000001', 'privacy', 1, $policy$Tablewatch turns what your machines print into dashboards and alarms. This policy says what we
collect when you use it, why, how long we keep it, and who else sees it. It describes the service
as it actually works; when that changes, we publish a new version here and email every user.

## Who we are

Tablewatch ("we") runs the service at this address and is responsible for the personal data
described below. Write to **privacy@tablewatch.example** with any question or request.

## What we collect and why

### Your login

- **Name, email address and password** when you register. The password is stored only as a
  salted Argon2 hash; nobody at Tablewatch can read it. We use your email to log you in, to
  confirm the address, to reset your password and to send the messages listed under
  *Emails we send*.
- **Invitations.** When a member of an account invites someone, we store the invitee's email
  address, the role and who invited them, and email them a link valid for 7 days.
- **Two-factor login**, if you turn it on: the secret your authenticator app shares with us, and
  one-time recovery codes stored only as hashes.
- **Sessions.** Each login is a session stored on our servers with the browser it was started
  from (its User-Agent), when it was last used and which account it acts on, so you can see and
  end your sessions in Settings. A session lasts until you log out, until the browser closes, or
  for 30 days if you chose "Remember me".

### What you send us

- **Your data.** The tables your machines push (reports and their instances: the parsed table,
  the original text, tags, time and link), your dashboards, tiles, alarms and their history.
  We store it to show it to you and to the members of your account; we do not look at it, sell
  it or use it for anything else. It is kept until you delete it, or until your account is
  deleted.
- **Alarm notifications** are emails to the team members you chose, and optionally a webhook
  request to an address you entered, carrying the alarm's state and the rows of the table that
  triggered it.
- **Shared dashboard links.** If you create a public link to a dashboard, anyone who has the link
  can see that dashboard's tiles (and nothing else of your account) until you revoke it or it
  expires. We count the link's views and the time of the last one, and store nothing about the
  visitors for that count. Like every request, a visit also appears in the access log below.

### What we record when you use the service

- **Access log.** For every request to our servers we record the time, the method, the URL
  (with API keys and one-time tokens removed), the response status and how long it took, the
  IP address, the User-Agent, and the account when it is known (from your session or API key).
  We use it only to investigate technical problems and abuse. It is deleted after 30 days.
- **API usage.** For each API key we count requests per day. The count names the key, not a
  person, and holds no addresses or URLs. We use it to show you your keys' use and to see how
  the service is used as a whole.
- **Activity log.** Changes to an account (API keys created or revoked, members invited or
  removed, roles changed, dashboards shared, alarms changed, deletion scheduled) are recorded
  with who made them, when, and from which IP address, and shown to the account's owners and
  admins in Settings → Activity. They are kept as long as the account exists.
- **Abuse protection.** To slow down password guessing we keep short-lived counters of attempts
  per IP address and per email address, stored only as hashes.

### Payments and invoices

- **Card details** are typed into the payment processor's form, which sends them straight to
  the payment processor. They never reach our servers; we receive only a token for the card and
  its last four digits.
- **Invoice data** (company name or your first and last name, billing address, country and VAT
  ID) that you enter in the Invoice Data form is used only to issue invoices. It is sent to our
  accounting service only when an invoice is generated.

## Emails we send

Address confirmation, password reset, invitations, alarm notifications you set up, notices about
your account (such as a scheduled deletion) and, when this policy or the Terms of Service change,
one email telling you what changed. We send no newsletters or advertising.

## Cookies

We set exactly one cookie: `tw_session`, which keeps you logged in. It is `HttpOnly` (scripts
cannot read it), `SameSite=Lax` (other sites cannot send it along with their requests) and, over
HTTPS, `Secure`. Without "Remember me" it ends when you close the browser. We use no analytics,
advertising or tracking cookies and no third-party scripts, so no consent banner is needed.

## Who else processes your data

We do not sell personal data or share it for advertising. These kinds of providers process it
on our behalf, only for the purpose named:

- **Hosting provider**: runs our servers and database, where everything above is stored.
- **Email provider**: delivers the emails we send (recipient, subject and content).
- **Payment processor**: takes card payments; it receives the card details you enter into its
  form and the amounts we charge.
- **Accounting service**: issues invoices; it receives your invoice data when an invoice is
  generated.

The current list of these providers is available on request. We also disclose data when the
law requires it.

## How long we keep it

- Access log: 30 days.
- Your data, dashboards, alarms and activity log: until you delete them or your account is deleted.
- Invitations: until accepted or cancelled; the link stops working after 7 days.
- Deleting an account: the owner can delete it in Settings; it is scheduled for deletion 14 days
  later (and can be cancelled until then), every member is told by email, and then everything of
  the account is removed: its data, dashboards, alarms, API keys, share links, usage counts,
  invitations, invoice data, activity log and access log entries, and the logins of members who
  belong to no other account.

## Your rights

You can see and correct your name and email in Settings, export your account's data as JSON,
end your sessions, and delete your account. You may also ask us for a copy of the personal data
we hold about you, to correct or delete it, or to restrict or object to its use, and you may
complain to your data protection authority. Write to **privacy@tablewatch.example**.

## Changes

Each version of this policy has a "Last modified" date at the top. When we publish a new
version, every user gets an email with a summary of what changed, and a notice in the app.
$policy$, 'First version.', '2026-11-29T00:00:00Z', NULL),
('0194d3a0-0000-7000-8000-000000000002', 'terms', 1, $policy$These terms apply to your use of Tablewatch, the hosted service at this address that turns what
your machines print into dashboards and alarms. By creating an account or using the service you
agree to them. How we handle personal data is described in the [Privacy Policy](/privacy).

## Accounts

- An account belongs to a customer (a person or an organisation) and may have several members,
  each with a role: owner, admin, editor or viewer. Owners are responsible for who they invite
  and for what the account's members and API keys do.
- Keep your password, your recovery codes and your API keys secret. API keys act for the whole
  account within their scope; revoke a key as soon as it may have leaked.
- You must give a working email address: we use it for the messages the service depends on
  (password resets, alarm notifications, notices about your account and these terms).

## Your data

- What you push to Tablewatch, and the dashboards and alarms you build, remain yours. You give us
  permission to store, process and display it only as needed to run the service for you.
- You are responsible for having the right to send us the data you push. Do not push card
  numbers, passwords or other secrets, and do not push personal data you are not allowed to
  share with a service provider.
- A public dashboard link shows that dashboard's tiles to anyone who has the link, until you
  revoke it or it expires. You decide what to share.
- You can export your account's data at any time, and delete it: deleting the account removes
  everything of it 14 days after the owner asks (the owner can cancel until then).

## Acceptable use

Do not use Tablewatch to break the law or the rights of others, to send spam, to attack or probe
other systems (including through alarm webhooks), to get around the limits of your plan, or to
overload the service. Automated use through the API is welcome within your plan's limits.

## Plans and payment

- Paid plans are billed in advance for each period by card through our payment processor; card
  details go straight to the processor and never to us. Invoices are issued from the invoice data
  you enter.
- Plans have limits (such as reports, instances per month, retention, members, alarms and API
  requests). When a limit is reached, the service refuses what goes beyond it and tells you why.
- You can change or cancel a plan in Settings. If a payment fails and is not settled after the
  retries, the account returns to the Free plan.

## Availability and changes

We work to keep Tablewatch available and your data safe, but the service is provided "as is",
without a guarantee that it will always be available or free of errors. We may change features;
when a change takes away something you rely on, we tell you in advance. Keep your own copies of
data you cannot afford to lose.

## Suspension and termination

You may stop using Tablewatch and delete your account at any time. We may suspend or close an
account that seriously or repeatedly breaks these terms or that endangers the service or
others, with notice by email unless the law or an urgent risk prevents it.

## Liability

To the extent the law allows, we are not liable for indirect or consequential damage or lost
profits, and our total liability is limited to what you paid us in the twelve months before
the claim. Nothing in these terms limits liability that cannot be limited by law.

## Changes to these terms

Each version of these terms has a "Last modified" date at the top. When we publish a new
version, every user gets an email with a summary of what changed and a notice in the app. If
you do not agree with a change, you can delete your account before it takes effect for you.

## Contact

Write to **support@tablewatch.example**.
$policy$, 'First version.', '2026-11-29T00:00:00Z', NULL);
