import type { RouteHandler, z } from "@hono/zod-openapi";
import { and, count, eq, inArray, isNull, notExists } from "drizzle-orm";
import { agents, notifications, UNFINISHED_NOTIFICATION_STATUSES } from "../../db/schema";
import { findOutputSchemaProblem, type JsonSchema } from "../../domain/output-schema";
import type { AppEnv } from "../../lib/app-env";
import { ApiError, notFound } from "../../lib/errors";
import { newId, nowIso } from "../../lib/ids";
import type { createAgent, deleteAgent, getAgent, listAgents, updateAgent } from "./agents.routes";
import { agentListBody, changeAgents } from "./agents.list";
import { type AgentRow, present } from "./agents.present";
import type { AgentFields, AgentPage } from "./agents.schemas";
import { jsonText } from "../../lib/json-text";

type Db = AppEnv["Variables"]["db"];

function checkedOutputSchema(value: unknown): JsonSchema | null {
  if (value === null) return null;
  const problem = findOutputSchemaProblem(value);
  if (problem) throw new ApiError("invalid_output_schema", problem.message, { param: problem.param });
  return value as JsonSchema;
}

/** The columns a request sets; fields it leaves out are absent, so they stay as they are. */
function columnsOf(body: AgentFields): Partial<AgentRow> {
  const columns: Partial<AgentRow> = {};
  if (body.name !== undefined) columns.name = body.name;
  if (body.system_prompt !== undefined) columns.systemPrompt = body.system_prompt;
  if (body.description !== undefined) columns.description = body.description;
  if (body.starting_message !== undefined) columns.startingMessage = body.starting_message;
  if (body.output_schema !== undefined) columns.outputSchema = checkedOutputSchema(body.output_schema);
  if (body.voice_settings !== undefined) columns.voiceSettings = body.voice_settings;
  if (body.language !== undefined) columns.language = body.language === null ? null : Intl.getCanonicalLocales(body.language)[0]!;
  if (body.dtmf_rules !== undefined) columns.dtmfRules = body.dtmf_rules;
  if (body.enabled !== undefined) columns.enabled = body.enabled;
  if (body.recording_enabled !== undefined) columns.recordingEnabled = body.recording_enabled;
  if (body.voicemail_message !== undefined) columns.voicemailMessage = body.voicemail_message;
  if (body.transfer_number !== undefined) columns.transferNumber = body.transfer_number;
  return columns;
}

const ofBusiness = (businessId: string, id: string) => and(eq(agents.id, id), eq(agents.businessId, businessId), isNull(agents.deletedAt));
const unfinishedOf = (agentId: string) => and(eq(notifications.agentId, agentId), inArray(notifications.status, UNFINISHED_NOTIFICATION_STATUSES));

async function countUnfinished(db: Db, agentId: string): Promise<number> {
  const row = await db.select({ n: count() }).from(notifications).where(unfinishedOf(agentId)).get();
  return row?.n ?? 0;
}

const inUse = (n: number) =>
  new ApiError(
    "agent_in_use",
    `This agent has ${n === 1 ? "a notification" : `${n} notifications`} still pending, scheduled or in progress. Cancel them or let them finish, then delete the agent; or disable it with enabled: false.`,
  );

export const createAgentHandler: RouteHandler<typeof createAgent, AppEnv> = async (c) => {
  const { businessId } = c.get("caller");
  const body = c.req.valid("json");
  const now = nowIso();
  const row: AgentRow = {
    id: newId(),
    businessId,
    name: body.name,
    systemPrompt: body.system_prompt,
    description: null,
    startingMessage: null,
    outputSchema: null,
    voiceSettings: null,
    language: null,
    dtmfRules: null,
    deletedAt: null,
    enabled: true,
    recordingEnabled: true,
    voicemailMessage: null,
    transferNumber: null,
    ...columnsOf(body),
    createdAt: now,
    updatedAt: now,
  };
  const db = c.get("db");
  await changeAgents(c.env, db, businessId, db.insert(agents).values(row));
  return c.json(present(row), 201);
};

export const listAgentsHandler: RouteHandler<typeof listAgents, AppEnv> = async (c) => {
  const body = await agentListBody(c.env.DB, c.get("db"), c.get("caller").businessId, c.req.valid("query"), c.get("agentsVersion"));
  return jsonText<z.infer<typeof AgentPage>, 200>(c, body, 200);
};

export const getAgentHandler: RouteHandler<typeof getAgent, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const row = await c.get("db").select().from(agents).where(ofBusiness(c.get("caller").businessId, id)).get();
  if (!row) throw notFound("agent", "id");
  return c.json(present(row), 200);
};

export const updateAgentHandler: RouteHandler<typeof updateAgent, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  if (Object.keys(body).length === 0) throw new ApiError("validation_failed", "Send at least one field to change.");
  const columns = columnsOf(body);
  const db = c.get("db");
  const { businessId } = c.get("caller");
  const [row] = await changeAgents(c.env, db, businessId, db.update(agents).set({ ...columns, updatedAt: nowIso() }).where(ofBusiness(businessId, id)).returning());
  if (!row) throw notFound("agent", "id");
  return c.json(present(row), 200);
};

export const deleteAgentHandler: RouteHandler<typeof deleteAgent, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const db = c.get("db");
  const agent = await db.select({ id: agents.id }).from(agents).where(ofBusiness(c.get("caller").businessId, id)).get();
  if (!agent) throw notFound("agent", "id");
  const unfinished = await countUnfinished(db, id);
  if (unfinished > 0) throw inUse(unfinished);

  // Re-checked inside the transaction, so a notification created meanwhile still blocks the delete.
  const idle = notExists(db.select({ id: notifications.id }).from(notifications).where(unfinishedOf(id)));
  // A soft delete: finished notifications and calls keep pointing at the agent that made them.
  const { businessId } = c.get("caller");
  const deleted = await changeAgents(
    c.env,
    db,
    businessId,
    db
      .update(agents)
      .set({ deletedAt: nowIso() })
      .where(and(ofBusiness(businessId, id), idle))
      .returning({ id: agents.id }),
  );
  if (deleted.length === 0) throw inUse(Math.max(await countUnfinished(db, id), 1));
  return c.body(null, 204);
};
