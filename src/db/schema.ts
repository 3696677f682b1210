// Every table, by concern; drizzle-kit reads this file to generate migrations.
export * from "./tables/accounts";
export * from "./tables/calls";
export * from "./tables/directory";
export * from "./tables/idempotency";
export * from "./tables/webhooks";
