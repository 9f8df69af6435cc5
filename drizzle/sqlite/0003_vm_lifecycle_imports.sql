CREATE TABLE `vm_lifecycle_imports` (
	`id` integer PRIMARY KEY NOT NULL,
	`vcenter_id` integer NOT NULL,
	`lifecycle_id` integer NOT NULL,
	`vm_id` text NOT NULL,
	`imported_at` integer NOT NULL,
	`imported_by` text NOT NULL,
	`source` text NOT NULL,
	`reason` text NOT NULL,
	`old_creation_time` integer NOT NULL,
	`new_creation_time` integer NOT NULL,
	`old_deletion_time` integer NOT NULL,
	`new_deletion_time` integer NOT NULL,
	`first_day` integer NOT NULL,
	`last_day` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `vm_lifecycle_imports_vcenter_days` ON `vm_lifecycle_imports` (`vcenter_id`,`last_day`);