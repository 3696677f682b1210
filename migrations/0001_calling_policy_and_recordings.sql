CREATE TABLE `do_not_call` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`phone_e164` text NOT NULL,
	`reason` text,
	`source` text NOT NULL,
	`call_id` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `do_not_call_project_phone_unique` ON `do_not_call` (`project_id`,`phone_e164`);--> statement-breakpoint
CREATE INDEX `do_not_call_project_idx` ON `do_not_call` (`project_id`,`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `agents` ADD `recording_enabled` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `agents` ADD `voicemail_message` text;--> statement-breakpoint
ALTER TABLE `agents` ADD `transfer_number` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `attempt` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `calls` ADD `transferred_to` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `recording_key` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `recording_status` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `recording_duration_ms` integer;--> statement-breakpoint
ALTER TABLE `calls` ADD `recording_bytes` integer;--> statement-breakpoint
ALTER TABLE `notifications` ADD `retry_policy` text;--> statement-breakpoint
ALTER TABLE `notifications` ADD `next_attempt_at` text;--> statement-breakpoint
ALTER TABLE `notifications` ADD `wait_reason` text;--> statement-breakpoint
ALTER TABLE `notifications` ADD `transfer_number` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `max_concurrent_calls` integer;--> statement-breakpoint
ALTER TABLE `projects` ADD `retry_policy` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `calling_window` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `webhook_secret_sealed` text;