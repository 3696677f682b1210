import type { JsonSchema } from "../../domain/output-schema";

/**
 * The emulated Chat Completions endpoint, for structured extraction and summaries. It reads the
 * transcript in the request the way a careful clerk would — by keywords — and fills the strict
 * JSON Schema it was given: booleans from yes/no, times from the words the callee used, enums by
 * the closest value. Good enough to make every post-call path run without credentials.
 */
interface ChatRequest {
  model?: string;
  messages?: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name?: string; schema?: JsonSchema } };
}

const YES = /\b(yes|yeah|works|confirm|confirmed|sure|great|i'll be there)\b/i;
const NO = /\b(no|can't|cannot|cancel|won't|not)\b/i;
const TIME = /\b((?:next\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|today)(?:\s+(?:at\s+)?\d{1,2}(?::\d{2})?\s*(?:am|pm)?)?|\d{1,2}(?::\d{2})?\s*(?:am|pm))\b/i;

function customerWords(transcript: string): string {
  return transcript
    .split("\n")
    .filter((line) => /^customer:/i.test(line.trim()))
    .map((line) => line.replace(/^customer:\s*/i, ""))
    .join(" ");
}

function fill(schema: JsonSchema, name: string, words: string): unknown {
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
  const nullable = types.includes("null");
  const time = words.match(TIME)?.[0] ?? null;
  if (Array.isArray(schema.enum)) {
    const values = schema.enum as unknown[];
    const wanted = time && /resched/i.test(values.join(" ")) ? "resched" : YES.test(words) && !NO.test(words) ? "confirm" : NO.test(words) ? "cancel" : "no";
    return values.find((v) => String(v).toLowerCase().includes(wanted)) ?? values[0];
  }
  if (types.includes("object") && schema.properties && typeof schema.properties === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(schema.properties as Record<string, JsonSchema>)) out[key] = fill(child, key, words);
    return out;
  }
  if (types.includes("boolean")) {
    if (/confirm|agree|accept|yes/i.test(name)) return YES.test(words) && !(NO.test(words) && !time && !YES.test(words));
    return nullable ? null : false;
  }
  if (types.includes("string")) {
    if (/time|date|when|resched/i.test(name)) return time ?? (nullable ? null : "");
    return nullable ? null : words.slice(0, 200);
  }
  if (types.includes("array")) return [];
  if (types.includes("integer") || types.includes("number")) return nullable ? null : 0;
  return null;
}

export function completeChat(body: ChatRequest) {
  const transcript = (body.messages ?? []).map((m) => m.content).join("\n");
  const words = customerWords(transcript);
  const schema = body.response_format?.type === "json_schema" ? body.response_format.json_schema?.schema : undefined;
  const content = schema
    ? JSON.stringify(fill(schema, "", words))
    : `The agent spoke with the customer${words ? `, who said: "${words.slice(0, 300)}"` : ", who said nothing"}.`;
  return {
    id: `chatcmpl-${crypto.randomUUID().replace(/-/g, "")}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: body.model ?? "gpt-4o-mini",
    choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, finish_reason: "stop", logprobs: null }],
    usage: { prompt_tokens: Math.ceil(transcript.length / 4), completion_tokens: Math.ceil(content.length / 4), total_tokens: Math.ceil((transcript.length + content.length) / 4) },
  };
}
