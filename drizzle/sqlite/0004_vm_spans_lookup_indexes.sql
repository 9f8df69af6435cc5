CREATE INDEX `vm_spans_name_lower` ON `vm_spans` (lower("name"));--> statement-breakpoint
CREATE INDEX `vm_spans_lifecycle` ON `vm_spans` (`lifecycle_id`);