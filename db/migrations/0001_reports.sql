CREATE TABLE "api_key_usage" (
	"account_id" uuid NOT NULL,
	"api_key_id" uuid NOT NULL,
	"day" text NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "api_key_usage_api_key_id_day_pk" PRIMARY KEY("api_key_id","day")
);
--> statement-breakpoint
CREATE TABLE "report_instances" (
	"account_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"report_id" uuid NOT NULL,
	"created" timestamp with time zone NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"rows" jsonb NOT NULL,
	"header" jsonb NOT NULL,
	"input" text NOT NULL,
	"format" text NOT NULL,
	"link" text,
	"bytes" integer NOT NULL,
	CONSTRAINT "report_instances_account_id_id_pk" PRIMARY KEY("account_id","id")
);
--> statement-breakpoint
CREATE TABLE "reports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_key_usage" ADD CONSTRAINT "api_key_usage_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_instances" ADD CONSTRAINT "report_instances_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_key_usage_account_idx" ON "api_key_usage" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "report_instances_report_created_idx" ON "report_instances" USING btree ("report_id","created","id");--> statement-breakpoint
CREATE INDEX "report_instances_tags_idx" ON "report_instances" USING gin ("tags");--> statement-breakpoint
CREATE UNIQUE INDEX "reports_account_name_idx" ON "reports" USING btree ("account_id","name");