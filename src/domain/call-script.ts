import { renderTemplate, type TemplateValue } from "./prompt-variables";

/**
 * What the agent is told on a call, rendered once when a notification is accepted so that nobody
 * is called with a half-filled prompt: every `{{token}}` left unfilled is reported in `missing`.
 */
export interface ScriptBusiness {
  name: string;
  summary: string | null;
  industry: string | null;
}

export interface ScriptCustomer {
  firstName: string | null;
  lastName: string | null;
  customFields: Record<string, unknown> | null;
}

/** Per-notification changes to the agent (stored in `notifications.overrides`). */
export interface ScriptOverrides {
  system_prompt?: string;
  starting_message?: string | null;
  voice?: string;
  speed?: number;
  language?: string;
}

export interface Script {
  instructions: string;
  /** The agent's first words; null lets the model open the conversation itself. */
  greeting: string | null;
  /** Unfilled placeholder names, sorted; the script must not be used unless this is empty. */
  missing: string[];
}

export const LLM_TEMPLATE_VERSION = "llm-v1";

const END_CALL_RULE = "When the conversation is over, say a polite goodbye and then call the end_call tool.";

const asTemplateValue = (value: unknown): TemplateValue =>
  typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : undefined;

/** Built-in names first, then the customer's fields, then the request's own values (later wins). */
export function variablesFor(input: {
  business: ScriptBusiness;
  customer: ScriptCustomer;
  request?: Record<string, TemplateValue> | null;
}): Record<string, TemplateValue> {
  const { business, customer } = input;
  const fullName = [customer.firstName, customer.lastName].filter(Boolean).join(" ");
  const values: Record<string, TemplateValue> = {
    business_name: business.name,
    business_summary: business.summary,
    industry: business.industry,
    recipient_first_name: customer.firstName,
    recipient_last_name: customer.lastName,
    recipient_name: fullName || null,
  };
  for (const [key, value] of Object.entries(customer.customFields ?? {})) values[key] = asTemplateValue(value);
  for (const [key, value] of Object.entries(input.request ?? {})) values[key] = value;
  return values;
}

/** Renders several texts against the same values and gathers everything left unfilled. */
function renderAll<T extends Record<string, string | null>>(texts: T, values: Record<string, TemplateValue>) {
  const missing = new Set<string>();
  const rendered = {} as { [K in keyof T]: T[K] };
  for (const [key, text] of Object.entries(texts) as [keyof T, string | null][]) {
    if (text === null) {
      rendered[key] = null as T[keyof T];
      continue;
    }
    const result = renderTemplate(text, values);
    for (const name of result.missing) missing.add(name);
    rendered[key] = result.text as T[keyof T];
  }
  return { rendered, missing: [...missing].sort() };
}

const nonEmpty = (text: string | null | undefined) => (text?.trim() ? text : null);

/** The agent path: the agent's prompt (or the notification's own) drives the call. */
export function agentScript(
  agent: { systemPrompt: string; startingMessage: string | null; voicemailMessage?: string | null },
  overrides: ScriptOverrides | null,
  variables: Record<string, TemplateValue>,
  notes: { message?: string | null; context?: string | null } = {},
): Script {
  const startingMessage = overrides?.starting_message !== undefined ? overrides.starting_message : agent.startingMessage;
  const { rendered, missing } = renderAll(
    {
      prompt: overrides?.system_prompt ?? agent.systemPrompt,
      greeting: nonEmpty(startingMessage),
      message: nonEmpty(notes.message),
      context: nonEmpty(notes.context),
      // Rendered again when the call is placed; here so an unfilled one is refused up front.
      voicemail: nonEmpty(agent.voicemailMessage),
    },
    variables,
  );
  const parts = [rendered.prompt];
  if (rendered.message) parts.push(`Message to deliver on this call: ${rendered.message}`);
  if (rendered.context) parts.push(`Background for this call (use it, do not read it out): ${rendered.context}`);
  parts.push(END_CALL_RULE);
  return { instructions: parts.join("\n\n"), greeting: rendered.greeting, missing };
}

/** The agent's voicemail message for this call, or null when it has none or a placeholder is unfilled. */
export function voicemailFor(message: string | null | undefined, variables: Record<string, TemplateValue>): string | null {
  const text = nonEmpty(message);
  if (!text) return null;
  const rendered = renderTemplate(text, variables);
  return rendered.missing.length === 0 ? rendered.text : null;
}

/** The LLM path: no agent, so Parley writes the phone agent's prompt from a versioned template. */
export function llmScript(input: {
  message: string;
  context: string | null;
  business: ScriptBusiness;
  collectFeedback: boolean;
  variables: Record<string, TemplateValue>;
  startingMessage?: string | null;
}): Script {
  const { rendered, missing } = renderAll(
    { message: input.message, context: nonEmpty(input.context), greeting: nonEmpty(input.startingMessage) },
    input.variables,
  );
  const { business } = input;
  const recipient = asTemplateValue(input.variables.recipient_name);
  const about = [business.industry && `It works in ${business.industry}.`, business.summary && `About the business: ${business.summary}`].filter(Boolean);

  const lines = [
    `You are a phone agent calling ${recipient ? String(recipient) : "a customer"} on behalf of ${business.name}.`,
    ...about,
    "",
    `The message to deliver: ${rendered.message}`,
    ...(rendered.context ? [`Context (for you; share only what helps the person): ${rendered.context}`] : []),
    "",
    "Say who you are and which business you are calling from, then deliver the message clearly.",
    "Be brief and friendly: this is a phone call, so speak in short sentences and let the person answer.",
    "Answer simple questions about the message; if you do not know something, say so and do not make it up. Do not discuss anything else.",
    ...(input.collectFeedback
      ? [
          "After delivering the message, ask the person whether they confirm, want to cancel, or want to reschedule.",
          "If they want to reschedule, ask for their preferred day and time and repeat it back to confirm it.",
        ]
      : []),
    END_CALL_RULE,
  ];
  return { instructions: lines.join("\n"), greeting: rendered.greeting, missing };
}
