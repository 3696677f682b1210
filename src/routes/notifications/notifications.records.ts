import { and, eq, isNull } from "drizzle-orm";
import { noPhone, type NotificationRow, phoneToCall } from "../../calls/dispatch";
import type { Db } from "../../db/client";
import { agents, businesses, notifications, projects } from "../../db/schema";
import { effectiveRetryPolicy } from "../../domain/policy";
import { agentScript, LLM_TEMPLATE_VERSION, llmScript, type ScriptCustomer, type ScriptOverrides, variablesFor } from "../../domain/call-script";
import { ApiError, notFound } from "../../lib/errors";
import { findCustomer } from "../customers/customers.records";
import type { NotificationResponse } from "./notifications.schemas";

/** What a notification's effective policy is read against: the project's own retry policy. */
export interface ProjectPolicy {
  retryPolicy: unknown;
}

export async function projectPolicyOf(db: Db, projectId: string): Promise<ProjectPolicy> {
  const project = await db.select({ retryPolicy: projects.retryPolicy }).from(projects).where(eq(projects.id, projectId)).get();
  return { retryPolicy: project?.retryPolicy ?? null };
}

export function present(row: NotificationRow, project: ProjectPolicy): NotificationResponse {
  const overrides = (row.overrides ?? {}) as ScriptOverrides;
  return {
    id: row.id,
    project_id: row.projectId,
    agent_id: row.agentId,
    customer_id: row.customerId,
    target_phone_e164: row.targetPhone,
    message: row.message,
    context: row.context,
    variables: row.variables ?? {},
    collect_feedback: row.collectFeedback,
    max_duration_seconds: row.maxDurationSeconds,
    status: row.status,
    call_result: row.callResult ?? null,
    name: row.name,
    description: row.description,
    starting_message: overrides.starting_message ?? null,
    priority: row.priority,
    scheduled_at: row.scheduledAt,
    webhook_url: row.webhookUrl,
    webhook_events: row.webhookEvents,
    transfer_number: row.transferNumber,
    channel: row.channel,
    source: row.source,
    instructions: row.instructions,
    greeting: row.greeting,
    attempts: row.attempts,
    retry_policy: effectiveRetryPolicy(project, row),
    next_attempt_at: row.nextAttemptAt,
    wait_reason: row.waitReason,
    last_call_id: row.lastCallId,
    failure_reason: row.failureReason,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

/** The caller's notification, or 404: another project's notification is as absent as a missing one. */
export async function findNotification(db: Db, projectId: string, id: string): Promise<NotificationRow> {
  const row = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.id, id), eq(notifications.projectId, projectId)))
    .get();
  if (!row) throw notFound("notification", "id");
  return row;
}

/** What a script is made from; the same for a new notification, an update and a one-shot call. */
export interface ScriptRequest {
  message: string;
  context: string | null;
  variables: Record<string, string>;
  collectFeedback: boolean;
  overrides: ScriptOverrides;
}

export interface RenderedScript {
  instructions: string;
  greeting: string | null;
  promptTemplate: string | null;
}

export type AgentRow = typeof agents.$inferSelect;

export const missingVariables = (missing: string[], param: string) =>
  new ApiError(
    "unprocessable",
    `Missing variables: ${missing.join(", ")}. The prompt uses ${missing.length === 1 ? "this placeholder" : "these placeholders"}; send a value for each in \`${param}\`.`,
    { param },
  );

/** The business's agent when it can take calls: 404 for another business's or a deleted agent, 409 when disabled. */
export async function usableAgent(db: Db, businessId: string, agentId: string, param = "agent_id"): Promise<AgentRow> {
  const agent = await db
    .select()
    .from(agents)
    .where(and(eq(agents.id, agentId), eq(agents.businessId, businessId), isNull(agents.deletedAt)))
    .get();
  if (!agent) throw notFound("agent", param);
  if (!agent.enabled) throw new ApiError("conflict", "This agent is disabled. Enable it (PATCH /agents/{id} with enabled: true) or use another agent.", { param });
  return agent;
}

/** Renders the agent's (or the LLM path's) script for a customer; 422 naming every unfilled placeholder. */
export async function renderScript(
  db: Db,
  businessId: string,
  who: { customer: ScriptCustomer; agent: AgentRow | null },
  request: ScriptRequest,
  variablesParam = "variables",
): Promise<RenderedScript> {
  const business = await db.select().from(businesses).where(eq(businesses.id, businessId)).get();
  if (!business) throw notFound("business");
  const variables = variablesFor({ business, customer: who.customer, request: request.variables });
  const script = who.agent
    ? agentScript(who.agent, request.overrides, variables, { message: request.message, context: request.context })
    : llmScript({
        message: request.message,
        context: request.context,
        business,
        collectFeedback: request.collectFeedback,
        variables,
        startingMessage: request.overrides.starting_message ?? null,
      });
  if (script.missing.length > 0) throw missingVariables(script.missing, variablesParam);
  return { instructions: script.instructions, greeting: script.greeting, promptTemplate: who.agent ? null : LLM_TEMPLATE_VERSION };
}

/**
 * Checks who is called and with what, and renders the script: 404 for another project's customer
 * or another business's agent, 409 for a disabled agent, 422 for a customer without an active
 * phone or an unfilled placeholder — all before anything is stored.
 */
export async function prepareScript(
  db: Db,
  scope: { projectId: string; businessId: string },
  target: { customerId: string; agentId: string | null; preferredPhone: string | null },
  request: ScriptRequest,
): Promise<RenderedScript & { targetPhone: string }> {
  const customer = await findCustomer(db, scope.projectId, { id: target.customerId });
  if (!customer) throw notFound("customer", "customer_id");
  const agent = target.agentId ? await usableAgent(db, scope.businessId, target.agentId) : null;
  const targetPhone = await phoneToCall(db, customer.id, target.preferredPhone);
  if (!targetPhone) throw noPhone();
  return { targetPhone, ...(await renderScript(db, scope.businessId, { customer, agent }, request)) };
}

/** Client values are stored as text, which is how they are rendered anyway. */
export const variablesAsText = (values: Record<string, string | number | boolean> | undefined) =>
  Object.fromEntries(Object.entries(values ?? {}).map(([key, value]) => [key, String(value)]));

/** ISO instant in canonical form; refuses one that is not in the future. */
export function futureInstant(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const at = new Date(value);
  if (at.getTime() <= Date.now()) {
    throw new ApiError("validation_failed", "Invalid 'scheduled_at': must be in the future. Omit it to call now.", { param: "scheduled_at" });
  }
  return at.toISOString();
}
