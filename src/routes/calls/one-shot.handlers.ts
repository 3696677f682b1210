import type { RouteHandler } from "@hono/zod-openapi";
import { and, asc, eq } from "drizzle-orm";
import { dispatchNotification, type NotificationRow, projectEnvironment } from "../../calls/dispatch";
import { carrierFor } from "../../calls/providers";
import type { Db } from "../../db/client";
import { customerPhones, customers, notifications } from "../../db/schema";
import type { ScriptOverrides } from "../../domain/call-script";
import { toE164 } from "../../domain/phone-numbers";
import { doNotCallReason, isOnDoNotCallList } from "../../domain/policy";
import type { AppEnv } from "../../lib/app-env";
import { projectCaller } from "../../lib/caller";
import { ApiError } from "../../lib/errors";
import { newId, nowIso } from "../../lib/ids";
import { normalizeEmail } from "../../lib/schemas";
import { type CustomerRow, findCustomer, insertPhones } from "../customers/customers.records";
import { renderScript, usableAgent, variablesAsText } from "../notifications/notifications.records";
import type { CreateCallInput } from "./one-shot.schemas";
import type { createCall } from "./calls.routes";

/** The number to call, from whichever of Elemente's two fields carried it, in E.164, with the field's name. */
function numberToCall(body: CreateCallInput): { phone: string; param: string } {
  const param = body.customerOverride.phoneNumber === undefined && body.customerPhone !== undefined ? "customerPhone" : "customerOverride.phoneNumber";
  const raw = body.customerOverride.phoneNumber ?? body.customerPhone;
  if (raw === undefined) throw new ApiError("validation_failed", "Send the number to call as customerOverride.phoneNumber (or customerPhone).", { param });
  const phone = toE164(raw);
  if (!phone) throw new ApiError("validation_failed", `Invalid '${param}': "${raw}" is not a valid phone number. Use E.164 format, such as +14155552671.`, { param });
  return { phone, param };
}

/** The project's customer who has this number, if any: a one-shot call reuses them rather than duplicating. */
async function customerWithPhone(db: Db, projectId: string, phone: string) {
  const match = await db
    .select({ customerId: customerPhones.customerId, status: customerPhones.status })
    .from(customerPhones)
    .where(and(eq(customerPhones.projectId, projectId), eq(customerPhones.value, phone)))
    .orderBy(asc(customerPhones.customerId))
    .get();
  if (!match) return null;
  if (match.status !== "active") {
    throw new ApiError("unprocessable", `${phone} is marked inactive for an existing customer, so it is not called. Mark it active first.`, {
      param: "customerOverride.phoneNumber",
    });
  }
  return findCustomer(db, projectId, { id: match.customerId });
}

function newCustomer(body: CreateCallInput, projectId: string, fields: Record<string, string | number | boolean | null>): CustomerRow {
  const [first, ...rest] = body.customerName?.split(/\s+/) ?? [];
  const email = body.customerOverride.email ?? body.customerEmail;
  const now = nowIso();
  return {
    id: newId(),
    projectId,
    externalId: null,
    firstName: body.customerOverride.firstName ?? first ?? null,
    lastName: body.customerOverride.lastName ?? (rest.length > 0 ? rest.join(" ") : null),
    email: email ? normalizeEmail(email) : null,
    language: body.customerOverride.language ? Intl.getCanonicalLocales(body.customerOverride.language)[0]! : null,
    timezone: null,
    customFields: Object.keys(fields).length > 0 ? fields : null,
    createdAt: now,
    updatedAt: now,
  };
}

function overridesOf(body: CreateCallInput): ScriptOverrides {
  const agent = body.agentOverride;
  const overrides: ScriptOverrides = {};
  if (agent?.prompt?.prompt !== undefined) overrides.system_prompt = agent.prompt.prompt;
  if (agent?.prompt?.initialMessage !== undefined) overrides.starting_message = agent.prompt.initialMessage;
  if (agent?.voiceSpeed !== undefined) overrides.speed = agent.voiceSpeed;
  const language = agent?.language ?? body.customerOverride.language;
  if (language !== undefined) overrides.language = Intl.getCanonicalLocales(language)[0]!;
  return overrides;
}

const elementeStatus = (status: string) => status.replace("_", "-");

/**
 * Elemente's one-shot interaction: finds or creates the customer by phone, applies the overrides
 * to the agent for this call only, and calls at once. Stored as a notification (`source:
 * "one_shot"`), so it is listed, read and canceled like any other.
 */
export const createCallHandler: RouteHandler<typeof createCall, AppEnv> = async (c) => {
  const scope = projectCaller(c);
  const body = c.req.valid("json");
  const db = c.get("db");
  if (body.channel !== "call") {
    throw new ApiError("unprocessable", `The "${body.channel}" channel is not supported yet; send channel "call".`, { param: "channel" });
  }
  carrierFor(c.env, await projectEnvironment(db, scope.projectId));
  const { phone, param } = numberToCall(body);
  // A one-shot call has no notification to leave blocked, so a listed number is refused and nothing is stored.
  const listed = await isOnDoNotCallList(db, scope.projectId, phone);
  if (listed) throw new ApiError("unprocessable", doNotCallReason(phone, listed), { param });
  const agent = await usableAgent(db, scope.businessId, body.agentId, "agentId");

  const fields = Object.fromEntries((body.customerOverride.customFields ?? []).map((field) => [field.name, field.value]));
  const existing = await customerWithPhone(db, scope.projectId, phone);
  const customer = existing ?? newCustomer(body, scope.projectId, fields);
  const firstName = body.customerOverride.firstName ?? customer.firstName;
  const lastName = body.customerOverride.lastName ?? customer.lastName;
  // Elemente's own placeholder names, alongside Parley's built-in ones.
  const aliases = { firstName, lastName, aiName: body.agentOverride?.name ?? agent.name };
  const values: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries({ ...aliases, ...fields })) if (value !== null) values[name] = value;
  const variables = variablesAsText(values);
  const overrides = overridesOf(body);
  const script = await renderScript(
    db,
    scope.businessId,
    { customer: { firstName, lastName, customFields: { ...(customer.customFields ?? {}), ...fields } }, agent },
    { message: "", context: null, variables, collectFeedback: false, overrides },
    "customerOverride.customFields",
  );

  const now = nowIso();
  const row: NotificationRow = {
    id: newId(),
    projectId: scope.projectId,
    agentId: agent.id,
    customerId: customer.id,
    status: "pending",
    source: "one_shot",
    channel: "call",
    name: null,
    description: null,
    targetPhone: phone,
    message: "",
    context: null,
    variables,
    collectFeedback: false,
    maxDurationSeconds: 180,
    overrides: Object.keys(overrides).length > 0 ? { ...overrides } : null,
    ...script,
    priority: 0,
    scheduledAt: null,
    webhookUrl: null,
    webhookEvents: null,
    callResult: null,
    attempts: 0,
    lastCallId: null,
    failureReason: null,
    retryPolicy: null,
    nextAttemptAt: null,
    waitReason: null,
    transferNumber: null,
    createdAt: now,
    updatedAt: now,
  };
  // One transaction: a new customer is never stored without the notification that needed them.
  const insertNotification = db.insert(notifications).values(row);
  await (existing
    ? insertNotification
    : db.batch([db.insert(customers).values(customer), insertPhones(db, customer, [{ value: phone, isPrimary: true, status: "active" }]), insertNotification]));

  const { notification, call } = await dispatchNotification(c.env, db, row.id);
  return c.json(
    {
      id: notification.id,
      status: elementeStatus(notification.status),
      agentPhone: call?.fromNumber ?? null,
      agentEmail: null,
      customerPhone: call?.toNumber ?? phone,
      customerEmail: customer.email,
      agentId: agent.id,
      customerId: customer.id,
      skillId: body.skillId ?? null,
      customerName: [firstName, lastName].filter(Boolean).join(" ") || body.customerName || null,
      transcription: "",
      recordingUrl: null,
      messages: [],
      duration: 0,
      // Null while the calling policy holds it (outside the window, no free slot).
      call_id: call?.id ?? null,
      call_status: call?.status ?? null,
    },
    201,
  );
};
