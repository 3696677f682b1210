import { describe, expect, it } from "vitest";
import { extractVariables, renderTemplate, templateVariables } from "../src/domain/prompt-variables";

const ECHO_PROMPT =
  'You are a friendly assistant calling {{recipient_first_name}} on behalf of {{business_name}}. Start the call by saying: "Hi, is this {{recipient_first_name}}? Great — I\'m calling from {{business_name}} to confirm your appointment on {{appointment_time}} with {{doctor_name}}."';
const ELEMENTE_MESSAGE = "Hello {{firstName}}, My name is {{aiName}}. I am calling you about your order ID {{Order ID}}";

describe("extractVariables", () => {
  it("finds each name of Echo's quickstart prompt once, in order of first use", () => {
    expect(extractVariables(ECHO_PROMPT)).toEqual(["recipient_first_name", "business_name", "appointment_time", "doctor_name"]);
  });

  it("accepts names with spaces, as in Elemente's {{Order ID}}", () => {
    expect(extractVariables(ELEMENTE_MESSAGE)).toEqual(["firstName", "aiName", "Order ID"]);
  });

  it("trims spaces inside the braces", () => {
    expect(extractVariables("Hi {{ first_name }} and {{first_name}} and {{\tOrder ID  }}")).toEqual(["first_name", "Order ID"]);
  });

  it("accepts digits, dots, hyphens and letters beyond ASCII", () => {
    expect(extractVariables("{{customer.address-line2}} {{straße}} {{slot_1}}")).toEqual(["customer.address-line2", "straße", "slot_1"]);
  });

  it("ignores empty braces, single braces and names with other characters", () => {
    expect(extractVariables("{{}} {{  }} {name} {{a+b}} {{x/y}} {{ok}}")).toEqual(["ok"]);
  });

  it("finds the inner placeholder in triple braces", () => {
    expect(extractVariables("{{{name}}}")).toEqual(["name"]);
  });

  it("answers an empty list for no text", () => {
    expect(extractVariables(null)).toEqual([]);
    expect(extractVariables("")).toEqual([]);
    expect(extractVariables("No placeholders here.")).toEqual([]);
  });
});

describe("templateVariables", () => {
  it("joins the names of several texts, sorted and without repeats, skipping missing texts", () => {
    expect(templateVariables("{{b}} {{a}}", null, "{{c}} {{a}}", undefined)).toEqual(["a", "b", "c"]);
  });
});

describe("renderTemplate", () => {
  it("fills every placeholder of Echo's quickstart prompt", () => {
    const values = { recipient_first_name: "John", business_name: "Acme Inc", appointment_time: "Thursday March 20th at 2:00 PM", doctor_name: "Dr. Patel" };
    const { text, missing } = renderTemplate(ECHO_PROMPT, values);
    expect(missing).toEqual([]);
    expect(text).toContain("calling John on behalf of Acme Inc");
    expect(text).toContain("appointment on Thursday March 20th at 2:00 PM with Dr. Patel.");
    expect(text).not.toContain("{{");
  });

  it("fills names with spaces and trimmed placeholders", () => {
    expect(renderTemplate("Order {{ Order ID }} for {{firstName}}", { "Order ID": "A-17", firstName: "Jo" })).toEqual({ text: "Order A-17 for Jo", missing: [] });
  });

  it("reports each unfilled name once and leaves its placeholder in the text", () => {
    const result = renderTemplate("{{a}} {{b}} {{a}} {{c}}", { b: "B" });
    expect(result).toEqual({ text: "{{a}} B {{a}} {{c}}", missing: ["a", "c"] });
  });

  it("treats null as unfilled but an empty string as a value", () => {
    expect(renderTemplate("[{{a}}][{{b}}]", { a: null, b: "" })).toEqual({ text: "[{{a}}][]", missing: ["a"] });
  });

  it("writes numbers and booleans as text", () => {
    expect(renderTemplate("{{n}} {{ok}}", { n: 3, ok: false }).text).toBe("3 false");
  });

  it("inserts values literally: no second expansion and no $-patterns", () => {
    expect(renderTemplate("{{a}}|{{b}}", { a: "{{b}}", b: "$& $1 $$" })).toEqual({ text: "{{b}}|$& $1 $$", missing: [] });
  });

  it("does not fill names from Object.prototype", () => {
    expect(renderTemplate("{{constructor}} {{toString}}", {})).toEqual({ text: "{{constructor}} {{toString}}", missing: ["constructor", "toString"] });
  });
});
