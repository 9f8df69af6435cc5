ALTER TABLE `job_locks` ADD `run_id` text;--> statement-breakpoint
ALTER TABLE `job_locks` ADD `boot_id` text;--> statement-breakpoint
ALTER TABLE `job_locks` ADD `pid_namespace` text;--> statement-breakpoint
ALTER TABLE `job_locks` ADD `pid` integer;--> statement-breakpoint
ALTER TABLE `job_locks` ADD `pid_start_time` integer;