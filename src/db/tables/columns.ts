import { text } from "drizzle-orm/sqlite-core";

/**
 * Storage for everything that outlives a request. Timestamps are ISO-8601 UTC strings, which
 * sort correctly as text; JSON columns hold client-defined shapes (schemas, settings, fields).
 */
export const createdAt = () => text("created_at").notNull();
export const updatedAt = () => text("updated_at").notNull();
