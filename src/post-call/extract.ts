import { Validator } from "@cfworker/json-schema";
import OpenAI from "openai";
import { modelCredentials, type Carrier } from "../calls/endpoints";
import { type JsonSchema, toStrictSchema } from "../domain/output-schema";

/**
 * Structured results from a finished call: the transcript goes to a chat model with the agent's
 * schema in OpenAI's strict form; the answer is checked against the original schema, and one
 * repair is attempted with the validation errors. Failures are reported, never thrown, so they
 * can never hold up the call's webhooks.
 */
export interface Extraction {
  analysis: unknown;
  error: string | null;
}

const EXTRACTION_MODEL = "gpt-4o-mini";

async function client(env: Env, carrier: Carrier): Promise<OpenAI> {
  const { baseUrl, apiKey, fetch } = await modelCredentials(env, carrier);
  return new OpenAI({ apiKey, baseURL: baseUrl, fetch, maxRetries: 1, timeout: 30_000 });
}

/** Strict mode answers null for optional fields; the original schema is checked without them. */
function withoutNullOptionals(value: unknown, schema: JsonSchema): unknown {
  if (!value || typeof value !== "object" || Array.isArray(value) || typeof schema.properties !== "object") return value;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (child === null && !required.has(key)) continue;
    const childSchema = (schema.properties as Record<string, JsonSchema>)[key];
    out[key] = childSchema ? withoutNullOptionals(child, childSchema) : child;
  }
  return out;
}

function problems(schema: JsonSchema, value: unknown): string[] {
  const result = new Validator(schema as never, "2020-12", false).validate(withoutNullOptionals(value, schema));
  return result.valid ? [] : result.errors.map((e) => `${e.instanceLocation}: ${e.error}`);
}

export async function extract(env: Env, carrier: Carrier, schema: JsonSchema, transcript: string): Promise<Extraction> {
  if (!transcript.trim()) return { analysis: null, error: "The call has no transcript to extract from." };
  try {
    const openai = await client(env, carrier);
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: "system", content: "Extract the requested fields from this phone call transcript. Use null when the call does not say." },
      { role: "user", content: transcript },
    ];
    for (let attempt = 0; attempt < 2; attempt++) {
      const completion = await openai.chat.completions.create({
        model: EXTRACTION_MODEL,
        messages,
        response_format: { type: "json_schema", json_schema: { name: "call_result", schema: toStrictSchema(schema), strict: true } },
      });
      const message = completion.choices[0]?.message;
      if (message?.refusal) return { analysis: null, error: `The model refused: ${message.refusal}` };
      let parsed: unknown;
      try {
        parsed = JSON.parse(message?.content ?? "");
      } catch {
        parsed = undefined;
      }
      const found = parsed === undefined ? ["the answer is not JSON"] : problems(schema, parsed);
      if (found.length === 0) return { analysis: parsed, error: null };
      if (attempt === 1) return { analysis: null, error: `The extracted result does not match the schema: ${found.join("; ")}` };
      messages.push({ role: "assistant", content: message?.content ?? "" }, { role: "user", content: `That does not match the schema: ${found.join("; ")}. Answer again.` });
    }
    return { analysis: null, error: "No result." };
  } catch (error) {
    return { analysis: null, error: `Extraction failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export async function summarize(env: Env, carrier: Carrier, transcript: string): Promise<string | null> {
  if (!transcript.trim()) return null;
  try {
    const completion = await (await client(env, carrier)).chat.completions.create({
      model: EXTRACTION_MODEL,
      messages: [
        { role: "system", content: "Summarize this phone call in one or two sentences: who was reached and what they decided." },
        { role: "user", content: transcript },
      ],
    });
    return completion.choices[0]?.message?.content ?? null;
  } catch {
    return null;
  }
}
