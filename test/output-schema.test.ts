import { describe, expect, it } from "vitest";
import { findOutputSchemaProblem, type JsonSchema, MAX_PROPERTIES, toStrictSchema } from "../src/domain/output-schema";

const ECHO_SCHEMA = {
  type: "object",
  required: ["confirmed"],
  properties: {
    confirmed: { type: "boolean", description: "Whether the patient confirmed the appointment" },
    reschedule_request: { type: "string", description: "Preferred reschedule time if they want to change it" },
  },
};

/** A root object whose only property is `schema`, so each case names just the part under test. */
const withProperty = (schema: unknown): JsonSchema => ({ type: "object", properties: { answer: schema } });

/** `levels` objects nested inside each other, the root counting as the first. */
function nestedObjects(levels: number): JsonSchema {
  let schema: JsonSchema = { type: "object", properties: { leaf: { type: "string" } } };
  for (let i = 1; i < levels; i++) schema = { type: "object", properties: { child: schema } };
  return schema;
}

function expectProblem(schema: unknown, param: string, message: RegExp) {
  const problem = findOutputSchemaProblem(schema);
  expect(problem, JSON.stringify(schema)).not.toBeNull();
  expect(problem!.param).toBe(param);
  expect(problem!.message).toMatch(message);
}

describe("findOutputSchemaProblem accepts", () => {
  it("the Echo quickstart schema", () => {
    expect(findOutputSchemaProblem(ECHO_SCHEMA)).toBeNull();
  });

  it("nested objects, arrays, enums, nullable types, anyOf, $defs with $ref and recursion", () => {
    const schema = {
      type: "object",
      $defs: { slot: { type: "object", properties: { day: { type: "string", format: "date" }, next: { anyOf: [{ $ref: "#/$defs/slot" }, { type: "null" }] } } } },
      properties: {
        outcome: { type: "string", enum: ["confirmed", "declined", "rescheduled"] },
        callback: { type: ["string", "null"], pattern: "^\\+[1-9]\\d{1,14}$" },
        slots: { type: "array", minItems: 1, maxItems: 3, items: { $ref: "#/$defs/slot" } },
        score: { type: "integer", minimum: 1, maximum: 5 },
        reason: { anyOf: [{ type: "string" }, { type: "number" }] },
        whole: { $ref: "#" },
      },
      required: ["outcome", "slots"],
      additionalProperties: false,
    };
    expect(findOutputSchemaProblem(schema)).toBeNull();
  });

  it("annotations and constraints strict mode ignores, such as minLength and $schema", () => {
    const schema = { $schema: "https://json-schema.org/draft/2020-12/schema", ...withProperty({ type: "string", minLength: 1, maxLength: 20, examples: ["x"], title: "Answer" }) };
    expect(findOutputSchemaProblem(schema)).toBeNull();
  });

  it(`${5} levels of nesting and ${MAX_PROPERTIES} properties`, () => {
    expect(findOutputSchemaProblem(nestedObjects(5))).toBeNull();
    const properties = Object.fromEntries(Array.from({ length: MAX_PROPERTIES }, (_, i) => [`p${i}`, { type: "string" }]));
    expect(findOutputSchemaProblem({ type: "object", properties })).toBeNull();
  });
});

describe("findOutputSchemaProblem refuses, naming where", () => {
  it("anything but an object as the schema", () => {
    for (const schema of ["object", 42, [], true]) expectProblem(schema, "output_schema", /must be a JSON Schema object/);
  });

  it("a root that is not type object", () => {
    expectProblem({ properties: {} }, "output_schema.type", /must be "object"/);
    expectProblem({ type: "array", items: { type: "string" } }, "output_schema.type", /must be "object"/);
    expectProblem({ type: ["object", "null"], properties: {} }, "output_schema.type", /must be "object"/);
  });

  it("an unknown type, saying which", () => {
    expectProblem(withProperty({ type: "bool" }), "output_schema.properties.answer.type", /'bool'.*not a JSON Schema type/);
    expectProblem(withProperty({ type: ["string", "date"] }), "output_schema.properties.answer.type", /'date'/);
    expectProblem(withProperty({ type: [] }), "output_schema.properties.answer.type", /at least one type/);
  });

  it("a property whose type is left open", () => {
    expectProblem(withProperty({ description: "anything" }), "output_schema.properties.answer.type", /needs a 'type'/);
  });

  it("properties that are not an object of schemas", () => {
    expectProblem({ type: "object", properties: [{ type: "string" }] }, "output_schema.properties", /must be an object/);
    expectProblem(withProperty("string"), "output_schema.properties.answer", /must be a schema object/);
    expectProblem(withProperty(true), "output_schema.properties.answer", /must be a schema object/);
  });

  it("required that is not a list of existing property names", () => {
    expectProblem({ ...ECHO_SCHEMA, required: "confirmed" }, "output_schema.required", /must be an array/);
    expectProblem({ ...ECHO_SCHEMA, required: ["confirmed", 7] }, "output_schema.required.1", /must be a property name/);
    expectProblem({ ...ECHO_SCHEMA, required: ["confirmed", "confirmd"] }, "output_schema.required.1", /'confirmd'.*not one of the properties/);
    expectProblem({ ...ECHO_SCHEMA, required: ["confirmed", "confirmed"] }, "output_schema.required.1", /repeats/);
  });

  it("an array without a single items schema", () => {
    expectProblem(withProperty({ type: "array" }), "output_schema.properties.answer.items", /'items' must be one schema/);
    expectProblem(withProperty({ type: "array", items: [{ type: "string" }] }), "output_schema.properties.answer.items", /'items' must be one schema/);
    expectProblem(withProperty({ type: "array", items: { type: "thing" } }), "output_schema.properties.answer.items.type", /'thing'/);
  });

  it("an empty enum, or one with objects in it", () => {
    expectProblem(withProperty({ type: "string", enum: [] }), "output_schema.properties.answer.enum", /non-empty array/);
    expectProblem(withProperty({ type: "string", enum: "yes" }), "output_schema.properties.answer.enum", /non-empty array/);
    expectProblem(withProperty({ enum: [{ a: 1 }] }), "output_schema.properties.answer.enum", /only strings, numbers, booleans and null/);
  });

  it.each([
    ["allOf", { allOf: [{ type: "string" }] }],
    ["oneOf", { oneOf: [{ type: "string" }] }],
    ["not", { type: "string", not: { const: "x" } }],
    ["if", { type: "string", if: { const: "x" } }],
    ["else", { type: "string", else: { const: "x" } }],
    ["dependentSchemas", { type: "object", dependentSchemas: { a: { type: "object" } } }],
    ["patternProperties", { type: "object", patternProperties: { "^x": { type: "string" } } }],
    ["unevaluatedProperties", { type: "object", unevaluatedProperties: false }],
  ])("the keyword %s, which strict mode cannot express", (keyword, schema) => {
    expectProblem(withProperty(schema), `output_schema.properties.answer.${keyword}`, /is not supported: strict structured output cannot express it/);
  });

  it("an unsupported keyword at the root too", () => {
    expectProblem({ ...ECHO_SCHEMA, allOf: [{ type: "object" }] }, "output_schema.allOf", /not supported/);
  });

  it("additionalProperties other than false", () => {
    expectProblem({ ...ECHO_SCHEMA, additionalProperties: true }, "output_schema.additionalProperties", /must be false/);
    expectProblem(withProperty({ type: "object", additionalProperties: { type: "string" } }), "output_schema.properties.answer.additionalProperties", /must be false/);
  });

  it("a $ref outside #/$defs, or to a definition that does not exist", () => {
    expectProblem(withProperty({ $ref: "https://example.com/schema.json" }), "output_schema.properties.answer.$ref", /inside this schema's \$defs/);
    expectProblem(withProperty({ $ref: "#/definitions/slot" }), "output_schema.properties.answer.$ref", /inside this schema's \$defs/);
    expectProblem(withProperty({ $ref: "#/$defs/slot" }), "output_schema.properties.answer.$ref", /not defined in \$defs/);
  });

  it("$defs below the root, and a definition that is invalid", () => {
    expectProblem(withProperty({ type: "object", $defs: {} }), "output_schema.properties.answer.$defs", /root of the schema only/);
    expectProblem({ type: "object", $defs: { slot: { type: "date" } } }, "output_schema.$defs.slot.type", /'date'/);
  });

  it("more than 5 levels of nesting", () => {
    expectProblem(nestedObjects(6), "output_schema.properties.child.properties.child.properties.child.properties.child.properties.child", /6 levels deep; at most 5/);
  });

  it(`more than ${MAX_PROPERTIES} properties in all, counting nested ones`, () => {
    const properties = Object.fromEntries(Array.from({ length: MAX_PROPERTIES }, (_, i) => [`p${i}`, { type: "string" }]));
    const schema = { type: "object", properties: { ...properties, extra: { type: "object", properties: { one: { type: "string" } } } } };
    expectProblem(schema, "output_schema.properties.extra", new RegExp(`more than ${MAX_PROPERTIES} properties`));
  });

  it("a misspelt keyword instead of ignoring it", () => {
    expectProblem({ type: "object", propertes: { confirmed: { type: "boolean" } } }, "output_schema.propertes", /not a JSON Schema keyword/);
  });

  it("malformed values of the keywords it keeps", () => {
    expectProblem(withProperty({ type: "string", format: "uri" }), "output_schema.properties.answer.format", /must be one of date-time/);
    expectProblem(withProperty({ type: "string", pattern: "(" }), "output_schema.properties.answer.pattern", /not a valid regular expression/);
    expectProblem(withProperty({ type: "string", description: 5 }), "output_schema.properties.answer.description", /must be a string/);
    expectProblem(withProperty({ type: "number", minimum: "1" }), "output_schema.properties.answer.minimum", /must be a number/);
    expectProblem(withProperty({ type: "array", items: { type: "string" }, maxItems: -1 }), "output_schema.properties.answer.maxItems", /whole number/);
    expectProblem(withProperty({ anyOf: [] }), "output_schema.properties.answer.anyOf", /non-empty array/);
    expectProblem(withProperty({ anyOf: [{ type: "string" }, { type: "bogus" }] }), "output_schema.properties.answer.anyOf.1.type", /'bogus'/);
  });

  it("a schema the JSON Schema validator cannot compile", () => {
    expectProblem({ ...ECHO_SCHEMA, $id: "http://[not a host" }, "output_schema", /not a valid JSON Schema/);
  });
});

describe("toStrictSchema", () => {
  it("closes Echo's schema and makes the optional reschedule_request a nullable string", () => {
    expect(toStrictSchema(ECHO_SCHEMA)).toEqual({
      type: "object",
      properties: {
        confirmed: { type: "boolean", description: "Whether the patient confirmed the appointment" },
        reschedule_request: { type: ["string", "null"], description: "Preferred reschedule time if they want to change it" },
      },
      required: ["confirmed", "reschedule_request"],
      additionalProperties: false,
    });
  });

  it("closes nested objects, array items and $defs too", () => {
    const strict = toStrictSchema({
      type: "object",
      $defs: { slot: { type: "object", properties: { day: { type: "string" } } } },
      properties: { visits: { type: "array", items: { type: "object", properties: { at: { type: "string" } }, required: ["at"] } } },
      required: ["visits"],
    });
    expect(strict.$defs).toEqual({ slot: { type: "object", properties: { day: { type: ["string", "null"] } }, required: ["day"], additionalProperties: false } });
    expect(strict.properties).toEqual({
      visits: { type: "array", items: { type: "object", properties: { at: { type: "string" } }, required: ["at"], additionalProperties: false } },
    });
  });

  it("lets an optional enum be null, and wraps an optional $ref, const or anyOf with a null option", () => {
    const strict = toStrictSchema({
      type: "object",
      $defs: { slot: { type: "string" } },
      properties: {
        mood: { type: "string", enum: ["happy", "upset"] },
        slot: { $ref: "#/$defs/slot" },
        ok: { type: "boolean", const: true },
        reason: { anyOf: [{ type: "string" }, { type: "integer" }] },
        note: { type: ["string", "null"] },
      },
    });
    expect(strict.properties).toEqual({
      mood: { type: ["string", "null"], enum: ["happy", "upset", null] },
      slot: { anyOf: [{ $ref: "#/$defs/slot" }, { type: "null" }] },
      ok: { anyOf: [{ type: "boolean", const: true }, { type: "null" }] },
      reason: { anyOf: [{ type: "string" }, { type: "integer" }, { type: "null" }] },
      note: { type: ["string", "null"] },
    });
    expect(strict.required).toEqual(["mood", "slot", "ok", "reason", "note"]);
  });

  it("keeps descriptions and titles but leaves out keywords strict mode does not take", () => {
    const strict = toStrictSchema({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      title: "Result",
      properties: { name: { type: "string", description: "Full name", minLength: 1, examples: ["Ana"], default: "x" } },
      required: ["name"],
    });
    expect(strict).toEqual({
      type: "object",
      title: "Result",
      properties: { name: { type: "string", description: "Full name" } },
      required: ["name"],
      additionalProperties: false,
    });
  });

  it("gives an object without properties an empty, closed shape", () => {
    expect(toStrictSchema({ type: "object" })).toEqual({ type: "object", properties: {}, required: [], additionalProperties: false });
  });

  it("leaves its input unchanged", () => {
    const input = structuredClone(ECHO_SCHEMA);
    toStrictSchema(input);
    expect(input).toEqual(ECHO_SCHEMA);
  });
});
