import { Validator } from "@cfworker/json-schema";
import { isSchemaObject, type JsonSchema, STRICT_KEYWORDS, typesOf } from "./agents-strict-schema";

/**
 * An agent's `output_schema` says what to extract from a call's transcript. Extraction uses
 * OpenAI's strict structured output, which accepts only a subset of JSON Schema, so a schema is
 * checked here when the agent is saved — not discovered broken after the first call.
 * The limits are OpenAI's.
 */
export const MAX_NESTING_DEPTH = 5;
export const MAX_PROPERTIES = 100;
export const MAX_ENUM_VALUES = 500;

export interface OutputSchemaProblem {
  /** Where the problem is, as a client names it: `output_schema.properties.confirmed.type`. */
  param: string;
  message: string;
}

const TYPES = ["string", "number", "integer", "boolean", "object", "array", "null"];
const FORMATS = ["date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"];

/** Keywords strict mode cannot express, with what to do instead. */
const UNSUPPORTED = new Map<string, string>([
  ["allOf", "merge the schemas into one"],
  ["oneOf", "use anyOf"],
  ["not", "describe the allowed values instead"],
  ["if", "use anyOf for alternatives"],
  ["then", "use anyOf for alternatives"],
  ["else", "use anyOf for alternatives"],
  ["dependentSchemas", "list every property under properties"],
  ["dependentRequired", "list every property under properties"],
  ["patternProperties", "name each property under properties"],
  ["unevaluatedProperties", "name each property under properties"],
  ["unevaluatedItems", "give arrays a single items schema"],
  ["propertyNames", "name each property under properties"],
  ["additionalItems", "give arrays a single items schema"],
  ["prefixItems", "give arrays a single items schema"],
  ["contains", "give arrays a single items schema"],
  ["definitions", "put shared schemas under $defs"],
]);

/** Annotations and constraints strict mode ignores: accepted, and left out of the strict form. */
const TOLERATED = new Set(["$schema", "$comment", "examples", "default", "deprecated", "readOnly", "writeOnly", "minLength", "maxLength", "uniqueItems", "minProperties", "maxProperties", "contentEncoding", "contentMediaType"]);
const NUMBER_KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];
const COUNT_KEYWORDS = ["minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties"];

class Invalid extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

const isPrimitive = (value: unknown) => value === null || ["string", "number", "boolean"].includes(typeof value);

/** Walks one schema node; `depth` counts the objects and arrays that enclose it. */
class Walk {
  private properties = 0;
  constructor(private readonly root: JsonSchema) {}

  node(schema: unknown, at: string, depth: number): void {
    if (!isSchemaObject(schema)) throw new Invalid(at, `'${at}' must be a schema object, like {"type": "string"}.`);
    for (const keyword of Object.keys(schema)) this.keyword(schema, keyword, at);
    const types = typesOf(schema);
    if (types.length === 0 && !["anyOf", "enum", "const", "$ref"].some((k) => k in schema)) {
      throw new Invalid(`${at}.type`, `'${at}' needs a 'type': strict structured output must know every value's type.`);
    }
    const level = types.includes("object") || types.includes("array") ? depth + 1 : depth;
    if (level > MAX_NESTING_DEPTH) throw new Invalid(at, `'${at}' nests objects and arrays ${level} levels deep; at most ${MAX_NESTING_DEPTH} are allowed.`);
    if (types.includes("object")) this.object(schema, at, level);
    if (types.includes("array")) {
      if (!isSchemaObject(schema.items)) throw new Invalid(`${at}.items`, `'${at}' is an array, so 'items' must be one schema describing its elements.`);
      this.node(schema.items, `${at}.items`, level);
    }
    if ("anyOf" in schema) {
      if (!Array.isArray(schema.anyOf) || schema.anyOf.length === 0) throw new Invalid(`${at}.anyOf`, `'${at}.anyOf' must be a non-empty array of schemas.`);
      for (const [i, option] of schema.anyOf.entries()) this.node(option, `${at}.anyOf.${i}`, depth);
    }
  }

  private keyword(schema: JsonSchema, keyword: string, at: string): void {
    const value = schema[keyword];
    const where = `${at}.${keyword}`;
    const fail = (message: string): never => {
      throw new Invalid(where, `'${where}' ${message}`);
    };
    const instead = UNSUPPORTED.get(keyword);
    if (instead) fail(`is not supported: strict structured output cannot express it; ${instead}.`);
    if (keyword === "$id" && at === "output_schema") {
      if (typeof value !== "string") fail("must be a string.");
      return;
    }
    if (!STRICT_KEYWORDS.has(keyword) && !TOLERATED.has(keyword)) fail("is not a JSON Schema keyword that structured output can use.");
    if (keyword === "type") {
      const list = Array.isArray(value) ? value : [value];
      if (list.length === 0) fail("must name at least one type.");
      for (const type of list) if (typeof type !== "string" || !TYPES.includes(type)) fail(`has '${String(type)}', which is not a JSON Schema type; use one of ${TYPES.join(", ")}.`);
    }
    if ((keyword === "description" || keyword === "title" || keyword === "$comment") && typeof value !== "string") fail("must be a string.");
    if (keyword === "enum") {
      if (!Array.isArray(value) || value.length === 0) fail("must be a non-empty array of allowed values.");
      else if (value.length > MAX_ENUM_VALUES) fail(`has ${value.length} values; at most ${MAX_ENUM_VALUES} are allowed.`);
      else if (!value.every(isPrimitive)) fail("may hold only strings, numbers, booleans and null.");
    }
    if (keyword === "const" && !isPrimitive(value)) fail("must be a string, number, boolean or null.");
    if (keyword === "format" && (typeof value !== "string" || !FORMATS.includes(value))) fail(`must be one of ${FORMATS.join(", ")}.`);
    if (keyword === "pattern") this.pattern(value, fail);
    if (NUMBER_KEYWORDS.includes(keyword) && typeof value !== "number") fail("must be a number.");
    if (COUNT_KEYWORDS.includes(keyword) && !(Number.isInteger(value) && (value as number) >= 0)) fail("must be a whole number, 0 or more.");
    if (keyword === "additionalProperties" && value !== false) {
      fail("must be false or left out: structured output returns only the properties the schema names.");
    }
    if (keyword === "$ref") this.ref(value, fail);
    if (keyword === "$defs") {
      if (at !== "output_schema") fail("belongs at the root of the schema only.");
      if (!isSchemaObject(value)) fail("must be an object of named schemas.");
      for (const [name, definition] of Object.entries(value as JsonSchema)) this.node(definition, `${where}.${name}`, 0);
    }
  }

  private object(schema: JsonSchema, at: string, level: number): void {
    const properties = schema.properties ?? {};
    if (!isSchemaObject(properties)) throw new Invalid(`${at}.properties`, `'${at}.properties' must be an object mapping each property name to its schema.`);
    for (const [name, property] of Object.entries(properties)) {
      if (++this.properties > MAX_PROPERTIES) throw new Invalid(`${at}.properties.${name}`, `The schema has more than ${MAX_PROPERTIES} properties in all; at most ${MAX_PROPERTIES} are allowed.`);
      this.node(property, `${at}.properties.${name}`, level);
    }
    if (schema.required === undefined) return;
    if (!Array.isArray(schema.required)) throw new Invalid(`${at}.required`, `'${at}.required' must be an array of property names.`);
    const seen = new Set<unknown>();
    schema.required.forEach((name, i) => {
      const where = `${at}.required.${i}`;
      if (typeof name !== "string") throw new Invalid(where, `'${where}' must be a property name (a string).`);
      if (!Object.hasOwn(properties, name)) throw new Invalid(where, `'${where}' names '${name}', which is not one of the properties.`);
      if (seen.has(name)) throw new Invalid(where, `'${where}' repeats '${name}'.`);
      seen.add(name);
    });
  }

  private pattern(value: unknown, fail: (message: string) => never): void {
    if (typeof value !== "string") fail("must be a regular expression (a string).");
    try {
      new RegExp(value as string, "u");
    } catch {
      fail("is not a valid regular expression.");
    }
  }

  /** References stay inside this schema: "#" (recursion) or "#/$defs/<name>" naming an existing definition. */
  private ref(value: unknown, fail: (message: string) => never): void {
    if (value === "#") return;
    const name = typeof value === "string" && value.startsWith("#/$defs/") ? value.slice("#/$defs/".length).replace(/~1/g, "/").replace(/~0/g, "~") : undefined;
    if (name === undefined || name.includes("/")) fail("must point inside this schema's $defs, like '#/$defs/address'.");
    const defs = this.root.$defs;
    if (!isSchemaObject(defs) || !Object.hasOwn(defs, name!)) fail(`points at '${String(value)}', which is not defined in $defs.`);
  }
}

/** The first thing that stops `schema` from being used for extraction, or null if it can be. */
export function findOutputSchemaProblem(schema: unknown): OutputSchemaProblem | null {
  const at = "output_schema";
  try {
    if (!isSchemaObject(schema)) throw new Invalid(at, "'output_schema' must be a JSON Schema object.");
    if (schema.type !== "object") throw new Invalid(`${at}.type`, `'output_schema.type' must be "object": extraction returns one object of named fields.`);
    new Walk(schema).node(schema, at, 0);
    // Our walk covers the strict subset; the validator that will check extracted results must compile it too.
    new Validator(structuredClone(schema), "2020-12");
    return null;
  } catch (error) {
    if (error instanceof Invalid) return { param: error.param, message: error.message };
    return { param: at, message: `'output_schema' is not a valid JSON Schema: ${(error as Error).message}` };
  }
}

export { type JsonSchema, toStrictSchema } from "./agents-strict-schema";
