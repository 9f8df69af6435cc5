CREATE TABLE `job_locks` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`acquired_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `job_runs` (
	`id` integer PRIMARY KEY NOT NULL,
	`job` text NOT NULL,
	`vcenter` text,
	`started_at` integer NOT NULL,
	`finished_at` integer NOT NULL,
	`status` text NOT NULL,
	`duration_ms` integer NOT NULL,
	`attempts` integer DEFAULT 1 NOT NULL,
	`rows` integer,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `job_runs_job_vcenter` ON `job_runs` (`job`,`vcenter`,`started_at`);--> statement-breakpoint
CREATE TABLE `snapshot_registry` (
	`id` integer PRIMARY KEY NOT NULL,
	`vcenter_id` integer NOT NULL,
	`kind` text NOT NULL,
	`snapshot_time` integer NOT NULL,
	`row_count` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expected_samples` integer,
	`total_samples` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `snapshot_registry_vcenter_kind_time` ON `snapshot_registry` (`vcenter_id`,`kind`,`snapshot_time`);--> statement-breakpoint
CREATE TABLE `vcenter_aggregate_totals` (
	`vcenter_id` integer NOT NULL,
	`kind` text NOT NULL,
	`snapshot_time` integer NOT NULL,
	`vm_count` integer NOT NULL,
	`powered_on_count` integer NOT NULL,
	`template_count` integer NOT NULL,
	`srm_placeholder_count` integer NOT NULL,
	`node_charge_vm_count` integer NOT NULL,
	`chargeable_vm_count` real NOT NULL,
	`vcpu_total` real NOT NULL,
	`ram_gb_total` real NOT NULL,
	`disk_gb_total` real NOT NULL,
	`tin_vm_count` real NOT NULL,
	`bronze_vm_count` real NOT NULL,
	`silver_vm_count` real NOT NULL,
	`gold_vm_count` real NOT NULL,
	`untiered_vm_count` real NOT NULL,
	`expected_samples` integer,
	`present_samples` integer,
	PRIMARY KEY(`vcenter_id`, `kind`, `snapshot_time`)
);
--> statement-breakpoint
CREATE TABLE `vcenter_latest_totals` (
	`vcenter_id` integer PRIMARY KEY NOT NULL,
	`snapshot_time` integer NOT NULL,
	`vm_count` integer NOT NULL,
	`powered_on_count` integer NOT NULL,
	`template_count` integer NOT NULL,
	`srm_placeholder_count` integer NOT NULL,
	`node_charge_vm_count` integer NOT NULL,
	`chargeable_vm_count` real NOT NULL,
	`vcpu_total` real NOT NULL,
	`ram_gb_total` real NOT NULL,
	`disk_gb_total` real NOT NULL,
	`tin_vm_count` real NOT NULL,
	`bronze_vm_count` real NOT NULL,
	`silver_vm_count` real NOT NULL,
	`gold_vm_count` real NOT NULL,
	`untiered_vm_count` real NOT NULL,
	`expected_samples` integer,
	`present_samples` integer
);
--> statement-breakpoint
CREATE TABLE `vcenters` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vcenters_name_unique` ON `vcenters` (`name`);--> statement-breakpoint
CREATE TABLE `vm_daily_rollup` (
	`day` integer NOT NULL,
	`vcenter_id` integer NOT NULL,
	`lifecycle_id` integer NOT NULL,
	`snapshot_time` integer NOT NULL,
	`name` text NOT NULL,
	`identity_id` integer NOT NULL,
	`placement_id` integer NOT NULL,
	`provisioned_disk_gb` real NOT NULL,
	`vcpu_count` integer NOT NULL,
	`ram_gb` real NOT NULL,
	`is_template` integer NOT NULL,
	`powered_on` integer NOT NULL,
	`srm_placeholder` integer NOT NULL,
	`creation_time` integer NOT NULL,
	`deletion_time` integer NOT NULL,
	`samples_present` integer NOT NULL,
	`total_samples` integer NOT NULL,
	`sum_vcpu` integer NOT NULL,
	`sum_ram_mb` integer NOT NULL,
	`sum_disk_centigb` integer NOT NULL,
	`tin_hits` integer NOT NULL,
	`bronze_hits` integer NOT NULL,
	`silver_hits` integer NOT NULL,
	`gold_hits` integer NOT NULL,
	`avg_is_present` real NOT NULL,
	`avg_vcpu_count` real NOT NULL,
	`avg_ram_gb` real NOT NULL,
	`avg_provisioned_disk` real NOT NULL,
	`pool_tin_pct` real NOT NULL,
	`pool_bronze_pct` real NOT NULL,
	`pool_silver_pct` real NOT NULL,
	`pool_gold_pct` real NOT NULL,
	`tin` real NOT NULL,
	`bronze` real NOT NULL,
	`silver` real NOT NULL,
	`gold` real NOT NULL,
	PRIMARY KEY(`vcenter_id`, `day`, `lifecycle_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `vm_identities` (
	`id` integer PRIMARY KEY NOT NULL,
	`vm_uuid` text,
	`instance_uuid` text,
	`event_key` text,
	`cloud_id` text
);
--> statement-breakpoint
CREATE TABLE `vm_lifecycle` (
	`id` integer PRIMARY KEY NOT NULL,
	`vcenter_id` integer NOT NULL,
	`vm_id` text NOT NULL,
	`creation_time` integer DEFAULT 0 NOT NULL,
	`deletion_time` integer DEFAULT 0 NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vm_lifecycle_vcenter_vm` ON `vm_lifecycle` (`vcenter_id`,`vm_id`);--> statement-breakpoint
CREATE TABLE `vm_monthly_summary` (
	`month` integer NOT NULL,
	`vcenter_id` integer NOT NULL,
	`lifecycle_id` integer NOT NULL,
	`snapshot_time` integer NOT NULL,
	`name` text NOT NULL,
	`identity_id` integer NOT NULL,
	`placement_id` integer NOT NULL,
	`provisioned_disk_gb` real NOT NULL,
	`vcpu_count` integer NOT NULL,
	`ram_gb` real NOT NULL,
	`is_template` integer NOT NULL,
	`powered_on` integer NOT NULL,
	`srm_placeholder` integer NOT NULL,
	`creation_time` integer NOT NULL,
	`deletion_time` integer NOT NULL,
	`samples_present` integer NOT NULL,
	`total_samples` integer NOT NULL,
	`sum_vcpu` integer NOT NULL,
	`sum_ram_mb` integer NOT NULL,
	`sum_disk_centigb` integer NOT NULL,
	`tin_hits` integer NOT NULL,
	`bronze_hits` integer NOT NULL,
	`silver_hits` integer NOT NULL,
	`gold_hits` integer NOT NULL,
	`avg_is_present` real NOT NULL,
	`avg_vcpu_count` real NOT NULL,
	`avg_ram_gb` real NOT NULL,
	`avg_provisioned_disk` real NOT NULL,
	`pool_tin_pct` real NOT NULL,
	`pool_bronze_pct` real NOT NULL,
	`pool_silver_pct` real NOT NULL,
	`pool_gold_pct` real NOT NULL,
	`tin` real NOT NULL,
	`bronze` real NOT NULL,
	`silver` real NOT NULL,
	`gold` real NOT NULL,
	PRIMARY KEY(`vcenter_id`, `month`, `lifecycle_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `vm_placements` (
	`id` integer PRIMARY KEY NOT NULL,
	`resource_pool` text,
	`tier` text,
	`datacenter` text,
	`cluster` text,
	`folder` text
);
--> statement-breakpoint
CREATE TABLE `vm_spans` (
	`id` integer PRIMARY KEY NOT NULL,
	`vcenter_id` integer NOT NULL,
	`lifecycle_id` integer NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer,
	`name` text NOT NULL,
	`identity_id` integer NOT NULL,
	`placement_id` integer NOT NULL,
	`provisioned_disk_gb` real NOT NULL,
	`vcpu_count` integer NOT NULL,
	`ram_gb` real NOT NULL,
	`is_template` integer NOT NULL,
	`powered_on` integer NOT NULL,
	`srm_placeholder` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `vm_spans_open` ON `vm_spans` (`vcenter_id`) WHERE "vm_spans"."last_seen" IS NULL;