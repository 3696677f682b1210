export type JsonSchema = Record<string, unknown>;

/** The keywords strict mode takes; the strict form keeps these and nothing else. */
export const STRICT_KEYWORDS = new Set([
  ...["type", "description", "title", "enum", "const", "properties", "required", "additionalProperties", "items", "anyOf", "$defs", "$ref"],
  ...["pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems"],
]);

export const isSchemaObject = (value: unknown): value is JsonSchema => typeof value === "object" && value !== null && !Array.isArray(value);
export const typesOf = (schema: JsonSchema): string[] => (Array.isArray(schema.type) ? schema.type : typeof schema.type === "string" ? [schema.type] : []);

/**
 * OpenAI's strict structured output wants every object closed (`additionalProperties: false`)
 * and every property listed in `required`. An optional property therefore becomes a required
 * one that may be null: the model answers `null` where the call did not tell it. Keywords strict
 * mode does not take (minLength, examples, …) are left out. Expects a schema that
 * `findOutputSchemaProblem` (output-schema.ts) accepted; the input is not modified.
 */
export function toStrictSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) if (STRICT_KEYWORDS.has(keyword)) out[keyword] = value;

  if (typesOf(schema).includes("object")) {
    const properties = isSchemaObject(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    out.properties = Object.fromEntries(
      Object.entries(properties).map(([name, property]) => {
        const strict = toStrictSchema(property as JsonSchema);
        return [name, required.has(name) ? strict : nullable(strict)];
      }),
    );
    out.required = Object.keys(properties);
    out.additionalProperties = false;
  }
  if (isSchemaObject(schema.items)) out.items = toStrictSchema(schema.items);
  if (Array.isArray(schema.anyOf)) out.anyOf = schema.anyOf.map((option) => toStrictSchema(option as JsonSchema));
  if (isSchemaObject(schema.$defs)) {
    out.$defs = Object.fromEntries(Object.entries(schema.$defs).map(([name, definition]) => [name, toStrictSchema(definition as JsonSchema)]));
  }
  return out;
}

const NULL_SCHEMA = { type: "null" } as const;

function nullable(schema: JsonSchema): JsonSchema {
  const types = typesOf(schema);
  if (types.includes("null")) return schema;
  // A $ref or const cannot take a second type beside it, so those are wrapped instead.
  if (types.length > 0 && !("$ref" in schema) && !("const" in schema)) {
    const widened: JsonSchema = { ...schema, type: [...types, "null"] };
    // An enum limits the values whatever the type says, so null must be one of them too.
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) widened.enum = [...schema.enum, null];
    return widened;
  }
  if (Array.isArray(schema.anyOf) && types.length === 0) {
    const allowsNull = schema.anyOf.some((option) => isSchemaObject(option) && typesOf(option).includes("null"));
    return allowsNull ? schema : { ...schema, anyOf: [...schema.anyOf, NULL_SCHEMA] };
  }
  return { anyOf: [schema, NULL_SCHEMA] };
}
