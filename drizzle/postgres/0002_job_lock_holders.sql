ALTER TABLE "job_locks" ADD COLUMN "run_id" text;--> statement-breakpoint
ALTER TABLE "job_locks" ADD COLUMN "boot_id" text;--> statement-breakpoint
ALTER TABLE "job_locks" ADD COLUMN "pid_namespace" text;--> statement-breakpoint
ALTER TABLE "job_locks" ADD COLUMN "pid" integer;--> statement-breakpoint
ALTER TABLE "job_locks" ADD COLUMN "pid_start_time" bigint;