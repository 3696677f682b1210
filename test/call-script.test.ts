import { describe, expect, it } from "vitest";
import { agentScript, LLM_TEMPLATE_VERSION, llmScript, variablesFor } from "../src/domain/call-script";

const business = { name: "Acme Clinic", summary: "A family dental clinic in Oakland", industry: "Healthcare" };
const customer = { firstName: "John", lastName: "Smith", customFields: { plan: "gold", visits: 3, vip: true, referrer: null } };
const ECHO_PROMPT =
  "You are a friendly assistant calling {{recipient_first_name}} on behalf of {{business_name}}. Confirm the appointment on {{appointment_time}} with {{doctor_name}}.";
const agent = { systemPrompt: ECHO_PROMPT, startingMessage: "Hi {{recipient_first_name}}, this is {{business_name}}." };

describe("variablesFor", () => {
  it("names the business, the recipient and each custom field", () => {
    expect(variablesFor({ business, customer })).toEqual({
      business_name: "Acme Clinic",
      business_summary: "A family dental clinic in Oakland",
      industry: "Healthcare",
      recipient_first_name: "John",
      recipient_last_name: "Smith",
      recipient_name: "John Smith",
      plan: "gold",
      visits: 3,
      vip: true,
      referrer: undefined,
    });
  });

  it("lets the request's variables win over built-in names and custom fields", () => {
    const values = variablesFor({ business, customer, request: { recipient_first_name: "Johnny", plan: "platinum", doctor_name: "Dr. Patel" } });
    expect(values).toMatchObject({ recipient_first_name: "Johnny", plan: "platinum", doctor_name: "Dr. Patel", recipient_last_name: "Smith" });
  });

  it("leaves names it does not know unset, so a prompt using them is reported", () => {
    const values = variablesFor({ business: { name: "Acme", summary: null, industry: null }, customer: { firstName: null, lastName: null, customFields: null } });
    expect(values.recipient_name).toBeNull();
    expect(agentScript({ systemPrompt: "{{industry}} for {{recipient_name}}", startingMessage: null }, null, values).missing).toEqual(["industry", "recipient_name"]);
  });
});

describe("agentScript", () => {
  const values = variablesFor({ business, customer, request: { appointment_time: "Thursday at 2 PM", doctor_name: "Dr. Patel" } });

  it("renders the system prompt and the starting message and asks the agent to end with end_call", () => {
    const script = agentScript(agent, null, values);
    expect(script.missing).toEqual([]);
    expect(script.instructions).toContain("calling John on behalf of Acme Clinic. Confirm the appointment on Thursday at 2 PM with Dr. Patel.");
    expect(script.instructions).toContain("end_call");
    expect(script.greeting).toBe("Hi John, this is Acme Clinic.");
  });

  it("lists every unfilled placeholder once, sorted, across prompt, greeting, message and context", () => {
    const script = agentScript({ ...agent, startingMessage: "About {{slot}}" }, null, variablesFor({ business, customer }), {
      message: "See you {{appointment_time}}",
      context: "Room {{room}}",
    });
    expect(script.missing).toEqual(["appointment_time", "doctor_name", "room", "slot"]);
  });

  it("uses the notification's own prompt and starting message instead of the agent's", () => {
    const script = agentScript(agent, { system_prompt: "Tell {{recipient_name}} the order shipped.", starting_message: "Hello from {{business_name}}" }, values);
    expect(script.instructions.startsWith("Tell John Smith the order shipped.")).toBe(true);
    expect(script.instructions).not.toContain("Confirm the appointment");
    expect(script.greeting).toBe("Hello from Acme Clinic");
  });

  it("drops the agent's greeting when the override is null, letting the model open", () => {
    expect(agentScript(agent, { starting_message: null }, values).greeting).toBeNull();
  });

  it("adds the message and context of the notification to the instructions", () => {
    const script = agentScript(agent, null, values, { message: "Bring your insurance card.", context: "Client for {{visits}} years" });
    expect(script.instructions).toContain("Message to deliver on this call: Bring your insurance card.");
    expect(script.instructions).toContain("Client for 3 years");
  });
});

describe("llmScript", () => {
  const base = { message: "Your order {{order}} ships tomorrow.", context: "Ordered online", business, collectFeedback: false };

  it("has a version so stored notifications say which template wrote them", () => {
    expect(LLM_TEMPLATE_VERSION).toBe("llm-v1");
  });

  it("tells the agent who it calls for which business, the message, the context, to be brief and to end with end_call", () => {
    const script = llmScript({ ...base, variables: variablesFor({ business, customer, request: { order: "A-12" } }) });
    expect(script.missing).toEqual([]);
    expect(script.instructions).toContain("calling John Smith on behalf of Acme Clinic");
    expect(script.instructions).toContain("Healthcare");
    expect(script.instructions).toContain("A family dental clinic in Oakland");
    expect(script.instructions).toContain("Your order A-12 ships tomorrow.");
    expect(script.instructions).toContain("Ordered online");
    expect(script.instructions).toMatch(/brief/i);
    expect(script.instructions).toContain("call the end_call tool");
    expect(script.instructions).not.toMatch(/reschedule/i);
    expect(script.greeting).toBeNull();
  });

  it("asks to confirm, cancel or reschedule, and for a preferred time, when collecting feedback", () => {
    const script = llmScript({ ...base, collectFeedback: true, variables: variablesFor({ business, customer, request: { order: "A-12" } }) });
    expect(script.instructions).toMatch(/confirm, want to cancel, or want to reschedule/);
    expect(script.instructions).toMatch(/preferred day and time/);
  });

  it("reports placeholders left unfilled in the message, context or starting message", () => {
    const script = llmScript({ ...base, context: "{{note}}", startingMessage: "Hi {{nickname}}", variables: variablesFor({ business, customer }) });
    expect(script.missing).toEqual(["nickname", "note", "order"]);
  });

  it("works without a recipient name or business details", () => {
    const script = llmScript({
      message: "Hello",
      context: null,
      business: { name: "Acme", summary: null, industry: null },
      collectFeedback: false,
      variables: variablesFor({ business: { name: "Acme", summary: null, industry: null }, customer: { firstName: null, lastName: null, customFields: null } }),
    });
    expect(script.instructions).toContain("calling a customer on behalf of Acme.");
    expect(script.instructions).not.toContain("null");
  });
});
