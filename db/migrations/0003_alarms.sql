CREATE TABLE "alarm_evaluations" (
	"account_id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"report_id" uuid NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	CONSTRAINT "alarm_evaluations_account_id_instance_id_pk" PRIMARY KEY("account_id","instance_id")
);
--> statement-breakpoint
CREATE TABLE "alarm_history" (
	"account_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"alarm_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"from_state" text NOT NULL,
	"to_state" text NOT NULL,
	"message" text,
	"instance_id" uuid,
	CONSTRAINT "alarm_history_account_id_id_pk" PRIMARY KEY("account_id","id")
);
--> statement-breakpoint
CREATE TABLE "alarm_states" (
	"account_id" uuid NOT NULL,
	"alarm_id" uuid NOT NULL,
	"tag_key" text NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"state" text DEFAULT 'ok' NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL,
	"message" text,
	"rows" integer[],
	"seq" integer DEFAULT 0 NOT NULL,
	"last_instance_id" uuid,
	"last_instance_created" timestamp with time zone,
	"last_seen_at" timestamp with time zone,
	"last_notified_at" timestamp with time zone,
	"renotify_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "alarm_states_account_id_alarm_id_tag_key_pk" PRIMARY KEY("account_id","alarm_id","tag_key")
);
--> statement-breakpoint
CREATE TABLE "alarms" (
	"account_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"name" text NOT NULL,
	"report" text NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"kind" text NOT NULL,
	"code" text DEFAULT '' NOT NULL,
	"no_data_minutes" integer,
	"recipients" text[] DEFAULT '{}'::text[] NOT NULL,
	"notify_recovery" boolean DEFAULT true NOT NULL,
	"renotify_minutes" integer,
	"webhook_url" text,
	"webhook_secret" text NOT NULL,
	"badge_token_hash" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"snoozed_until" timestamp with time zone,
	"maintenance" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alarms_account_id_id_pk" PRIMARY KEY("account_id","id")
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"account_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"alarm_id" uuid,
	"idempotency_key" text NOT NULL,
	"channel" text NOT NULL,
	"recipient" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "notifications_account_id_id_pk" PRIMARY KEY("account_id","id")
);
--> statement-breakpoint
ALTER TABLE "alarm_history" ADD CONSTRAINT "alarm_history_account_id_alarm_id_alarms_account_id_id_fk" FOREIGN KEY ("account_id","alarm_id") REFERENCES "public"."alarms"("account_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alarm_states" ADD CONSTRAINT "alarm_states_account_id_alarm_id_alarms_account_id_id_fk" FOREIGN KEY ("account_id","alarm_id") REFERENCES "public"."alarms"("account_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alarms" ADD CONSTRAINT "alarms_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alarm_evaluations_queued_idx" ON "alarm_evaluations" USING btree ("queued_at");--> statement-breakpoint
CREATE INDEX "alarm_history_alarm_idx" ON "alarm_history" USING btree ("account_id","alarm_id","at","id");--> statement-breakpoint
CREATE INDEX "alarms_report_idx" ON "alarms" USING btree ("account_id","report");--> statement-breakpoint
CREATE UNIQUE INDEX "alarms_badge_idx" ON "alarms" USING btree ("badge_token_hash");--> statement-breakpoint
CREATE INDEX "alarms_no_data_idx" ON "alarms" USING btree ("kind") WHERE kind = 'no_data' and enabled;--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_idempotency_idx" ON "notifications" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "notifications_due_idx" ON "notifications" USING btree ("next_attempt_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "notifications_alarm_idx" ON "notifications" USING btree ("account_id","alarm_id","created_at");