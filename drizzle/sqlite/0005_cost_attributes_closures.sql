CREATE TABLE `month_closure_events` (
	`id` integer PRIMARY KEY NOT NULL,
	`month` integer NOT NULL,
	`action` text NOT NULL,
	`at` integer NOT NULL,
	`by` text NOT NULL,
	`reason` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE `month_closures` (
	`month` integer PRIMARY KEY NOT NULL,
	`closed_at` integer NOT NULL,
	`closed_by` text NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`currency` text,
	`rate_cards` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE TABLE `vm_attribute_sets` (
	`id` integer PRIMARY KEY NOT NULL,
	`attributes` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `vcenter_aggregate_totals` ADD `cost_vcpu` real;--> statement-breakpoint
ALTER TABLE `vcenter_aggregate_totals` ADD `cost_ram` real;--> statement-breakpoint
ALTER TABLE `vcenter_aggregate_totals` ADD `cost_disk` real;--> statement-breakpoint
ALTER TABLE `vcenter_aggregate_totals` ADD `cost_vm` real;--> statement-breakpoint
ALTER TABLE `vcenter_aggregate_totals` ADD `cost_total` real;--> statement-breakpoint
ALTER TABLE `vcenter_latest_totals` ADD `cost_vcpu` real;--> statement-breakpoint
ALTER TABLE `vcenter_latest_totals` ADD `cost_ram` real;--> statement-breakpoint
ALTER TABLE `vcenter_latest_totals` ADD `cost_disk` real;--> statement-breakpoint
ALTER TABLE `vcenter_latest_totals` ADD `cost_vm` real;--> statement-breakpoint
ALTER TABLE `vcenter_latest_totals` ADD `cost_total` real;--> statement-breakpoint
ALTER TABLE `vm_daily_rollup` ADD `attributes_id` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_daily_rollup` ADD `cost_vcpu_units` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_daily_rollup` ADD `cost_ram_units` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_daily_rollup` ADD `cost_disk_units` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_daily_rollup` ADD `cost_vm_units` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_daily_rollup` ADD `cost_template_units` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_daily_rollup` ADD `cost_srm_units` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_daily_rollup` ADD `cost_node_units` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_daily_rollup` ADD `cost_vcpu` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_daily_rollup` ADD `cost_ram` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_daily_rollup` ADD `cost_disk` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_daily_rollup` ADD `cost_vm` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_daily_rollup` ADD `cost_total` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_monthly_summary` ADD `attributes_id` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_monthly_summary` ADD `cost_vcpu_units` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_monthly_summary` ADD `cost_ram_units` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_monthly_summary` ADD `cost_disk_units` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_monthly_summary` ADD `cost_vm_units` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_monthly_summary` ADD `cost_template_units` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_monthly_summary` ADD `cost_srm_units` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_monthly_summary` ADD `cost_node_units` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_monthly_summary` ADD `cost_vcpu` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_monthly_summary` ADD `cost_ram` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_monthly_summary` ADD `cost_disk` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_monthly_summary` ADD `cost_vm` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_monthly_summary` ADD `cost_total` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vm_spans` ADD `attributes_id` integer DEFAULT 0 NOT NULL;