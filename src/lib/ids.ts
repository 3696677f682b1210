/** Public ids are UUIDs, as in the Echo documents. Request ids are prefixed so logs tell them apart. */
export const newId = (): string => crypto.randomUUID();
export const newRequestId = (): string => `req_${crypto.randomUUID().replace(/-/g, "")}`;
export const nowIso = (): string => new Date().toISOString();
