CREATE INDEX "vm_spans_name_lower" ON "vm_spans" USING btree (lower("name" COLLATE "C"));--> statement-breakpoint
CREATE INDEX "vm_spans_lifecycle" ON "vm_spans" USING btree ("lifecycle_id");