CREATE TABLE "account_usage" (
	"account_id" uuid NOT NULL,
	"month" text NOT NULL,
	"instances" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "account_usage_account_id_month_pk" PRIMARY KEY("account_id","month")
);
--> statement-breakpoint
CREATE TABLE "billing_events" (
	"provider" text NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billing_events_provider_event_id_pk" PRIMARY KEY("provider","event_id")
);
--> statement-breakpoint
CREATE TABLE "invoice_counters" (
	"year" integer PRIMARY KEY NOT NULL,
	"last" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invoice_data" (
	"account_id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"company_name" text,
	"first_name" text,
	"last_name" text,
	"address_line1" text NOT NULL,
	"address_line2" text,
	"postal_code" text NOT NULL,
	"city" text NOT NULL,
	"country" text NOT NULL,
	"vat_id" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" uuid PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"payment_id" uuid NOT NULL,
	"number" text NOT NULL,
	"year" integer NOT NULL,
	"sequence" integer NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"plan_code" text,
	"period_start" timestamp with time zone,
	"period_end" timestamp with time zone,
	"currency" text NOT NULL,
	"net_cents" integer NOT NULL,
	"vat_cents" integer NOT NULL,
	"gross_cents" integer NOT NULL,
	"vat_rate" text NOT NULL,
	"seller" jsonb NOT NULL,
	"buyer" jsonb NOT NULL,
	"accounting_provider" text NOT NULL,
	"provider_invoice_id" text,
	"pdf" "bytea",
	"status" text DEFAULT 'pending' NOT NULL,
	"last_error" text,
	"emailed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"provider_charge_id" text NOT NULL,
	"amount_cents" integer NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"kind" text NOT NULL,
	"plan_code" text,
	"period_start" timestamp with time zone,
	"period_end" timestamp with time zone,
	"description" text DEFAULT '' NOT NULL,
	"card_last4" text,
	"failure_message" text,
	"charged_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "plan_notices" (
	"account_id" uuid NOT NULL,
	"limit_key" text NOT NULL,
	"month" text NOT NULL,
	"level" integer NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "plan_notices_account_id_limit_key_month_level_pk" PRIMARY KEY("account_id","limit_key","month","level")
);
--> statement-breakpoint
CREATE TABLE "plans" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"price_cents" integer NOT NULL,
	"currency" text DEFAULT 'EUR' NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"is_public" boolean DEFAULT true NOT NULL,
	"max_reports" integer NOT NULL,
	"max_instances_per_month" integer NOT NULL,
	"retention_days" integer NOT NULL,
	"max_members" integer NOT NULL,
	"max_dashboards" integer NOT NULL,
	"max_share_links" integer NOT NULL,
	"max_alarms" integer NOT NULL,
	"api_requests_per_minute" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"account_id" uuid PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"customer_id" text,
	"card_id" text,
	"card_last4" text,
	"provider_subscription_id" text,
	"plan_code" text,
	"status" text DEFAULT 'none' NOT NULL,
	"current_period_start" timestamp with time zone,
	"current_period_end" timestamp with time zone,
	"pending_plan_code" text,
	"cancel_at_period_end" boolean DEFAULT false NOT NULL,
	"failed_at" timestamp with time zone,
	"retry_count" integer DEFAULT 0 NOT NULL,
	"next_retry_at" timestamp with time zone,
	"last_event_at" timestamp with time zone,
	"locked_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "plan_grace_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "caught_mail" ADD COLUMN "attachments" jsonb;--> statement-breakpoint
ALTER TABLE "account_usage" ADD CONSTRAINT "account_usage_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_data" ADD CONSTRAINT "invoice_data_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_notices" ADD CONSTRAINT "plan_notices_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_plan_code_plans_code_fk" FOREIGN KEY ("plan_code") REFERENCES "public"."plans"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_pending_plan_code_plans_code_fk" FOREIGN KEY ("pending_plan_code") REFERENCES "public"."plans"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_payment_idx" ON "invoices" USING btree ("payment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_year_sequence_idx" ON "invoices" USING btree ("year","sequence");--> statement-breakpoint
CREATE INDEX "invoices_account_idx" ON "invoices" USING btree ("account_id","issued_at");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_provider_charge_idx" ON "payments" USING btree ("provider","provider_charge_id");--> statement-breakpoint
CREATE INDEX "payments_account_idx" ON "payments" USING btree ("account_id","charged_at");--> statement-breakpoint
CREATE UNIQUE INDEX "subscriptions_customer_idx" ON "subscriptions" USING btree ("provider","customer_id");--> statement-breakpoint
CREATE INDEX "subscriptions_retry_idx" ON "subscriptions" USING btree ("next_retry_at") WHERE next_retry_at is not null;--> statement-breakpoint
CREATE INDEX "subscriptions_period_end_idx" ON "subscriptions" USING btree ("current_period_end") WHERE status <> 'none';--> statement-breakpoint
INSERT INTO "plans" ("code", "name", "price_cents", "currency", "position", "is_public", "max_reports", "max_instances_per_month", "retention_days", "max_members", "max_dashboards", "max_share_links", "max_alarms", "api_requests_per_minute") VALUES
  ('free', 'Free', 0, 'EUR', 0, true, 20, 50000, 30, 3, 5, 2, 5, 120),
  ('team', 'Team', 1900, 'EUR', 1, true, 200, 1000000, 180, 15, 50, 20, 100, 1200),
  ('business', 'Business', 7900, 'EUR', 2, true, 2000, 10000000, 730, 100, 500, 200, 1000, 6000);
--> statement-breakpoint
-- Version 2 of the Privacy Policy, the text of server/policy/v2-privacy.md (tests/integration/policies.test.ts
-- checks that they are equal): plans bring history retention, plan usage counts, the payment history and
-- invoices. Every existing user is queued for the policy-change email, as publishing at /admin/policies does.
INSERT INTO "policy_versions" ("id", "document", "version", "body", "summary", "published_at", "published_by") VALUES
('0194d3a0-0000-7000-8000-000000000003', 'privacy', 2, $policy$Tablewatch turns what your machines print into dashboards and alarms. This policy says what we
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
  it or use it for anything else. Instances are kept for your plan's history retention (see
  "How long we keep it"); the rest until you delete it, or until your account is deleted.
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
- **Plan usage.** To apply your plan's limits we count the instances your account pushes each
  month, each API key's requests in the current minute (stored under a hash), and which limit
  notices we have emailed (at 80 % and 100 % of a limit, once a month).

### Payments and invoices

- **Card details** are typed into the payment processor's form, which sends them straight to
  the payment processor. They never reach our servers; we receive only a token for the card and
  its last four digits.
- **Payment history.** For each charge: its amount, date, plan and period, whether it succeeded
  (and the processor's reason when it did not) and the card's last four digits. It is shown to
  the account's owners in Settings → Billing.
- **Invoice data** (company name or your first and last name, billing address, country and VAT
  ID) that you enter in the Invoice Data form is used only to issue invoices. It is sent to our
  accounting service only when an invoice is generated.
- **Invoices.** Each invoice keeps the seller's and your invoice data as they were when it was
  generated, its amounts and a PDF copy; it is emailed to the account's owners.

## Emails we send

Address confirmation, password reset, invitations, alarm notifications you set up, notices about
your account (such as a scheduled deletion, a plan limit reached, a failed payment, a move to the
Free plan, an invoice) and, when this policy or the Terms of Service change,
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
  form, the amounts we charge, and the email address of the owner who added the card with the
  account's name.
- **Accounting service**: issues invoices; it receives your invoice data when an invoice is
  generated.

The current list of these providers is available on request. We also disclose data when the
law requires it.

## How long we keep it

- Access log: 30 days.
- Report instances: for your plan's history retention (shown on the pricing page and in
  Settings → Plan & usage); older instances are deleted daily. After a move to a smaller plan,
  data beyond its limits is kept, read-only, for 30 days, and then removed.
- Your reports, dashboards, alarms and activity log: until you delete them or your account is
  deleted.
- Payment history and invoices: as long as the account exists.
- Invitations: until accepted or cancelled; the link stops working after 7 days.
- Deleting an account: the owner can delete it in Settings; it is scheduled for deletion 14 days
  later (and can be cancelled until then), every member is told by email, and then everything of
  the account is removed: its data, dashboards, alarms, API keys, share links, usage counts,
  invitations, invoice data, payment history and invoices, activity log and access log entries, and the logins of members who
  belong to no other account.

## Your rights

You can see and correct your name and email in Settings, export your account's data as JSON,
end your sessions, and delete your account. You may also ask us for a copy of the personal data
we hold about you, to correct or delete it, or to restrict or object to its use, and you may
complain to your data protection authority. Write to **privacy@tablewatch.example**.

## Changes

Each version of this policy has a "Last modified" date at the top. When we publish a new
version, every user gets an email with a summary of what changed, and a notice in the app.
$policy$, 'Plans and payments: report instances are now kept for your plan''s history retention; we count plan usage (instances per month, API requests per minute); we keep a payment history and the invoices we issue; the payment processor receives the email address of the owner who adds a card.', now(), NULL);
--> statement-breakpoint
INSERT INTO "policy_deliveries" ("version_id", "user_id") SELECT '0194d3a0-0000-7000-8000-000000000003', "id" FROM "users";
