import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CONFIRMED, OPTED_OUT, TRANSFERRING } from "../../src/emulators/model/replies";
import { api } from "../helpers/api";
import { carrierObservations, modelObservations, notify, REMINDER_AGENT, setUpCall, waitForCallEnd } from "../helpers/calls";

const VOICEMAIL = "+14155550106";
const PRESSES_1 = "+14155550111";
const OPTS_OUT = "+14155550112";
const ASKS_FOR_PERSON = "+14155550113";
const PHONE_MENU = "+14155550114";
const DESK = "+14155550199";

type Line = { speaker: string; text: string };
const said = (call: { transcript: Line[] }, speaker: string) => call.transcript.filter((l) => l.speaker === speaker).map((l) => l.text);

async function call(phone: string, agent: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const setup = await setUpCall(phone, { ...REMINDER_AGENT, ...agent });
  const res = await notify(setup, extra);
  expect(res.status).toBe(201);
  const ended = await waitForCallEnd(setup.account, res.body.call.callId);
  return { setup, call: ended, notificationId: res.body.notification.id as string };
}

const listed = (projectId: string, phone: string) =>
  env.DB.prepare("SELECT source, call_id, reason FROM do_not_call WHERE project_id = ? AND phone_e164 = ?").bind(projectId, phone).first<Record<string, string>>();

describe("do not call me again", () => {
  it("said on the call: the agent acknowledges once, the call ends, and the number joins the project's list", async () => {
    const { setup, call: ended } = await call(OPTS_OUT);
    expect(ended).toMatchObject({ status: "completed", end_reason: "callee_opted_out" });
    expect(said(ended, "agent").filter((text) => text === OPTED_OUT)).toHaveLength(1);
    expect(await listed(setup.account.projectId, OPTS_OUT)).toMatchObject({ source: "call", call_id: ended.id });
    // Nobody calls them again: the next notification is blocked at once.
    const again = await notify(setup);
    expect(again.body).toMatchObject({ notification: { status: "blocked" }, call: null });
  }, 40_000);

  it("pressed on the keypad with a dtmf rule: Parley lists the number and says goodbye itself", async () => {
    const { setup, call: ended } = await call(PRESSES_1, { dtmf_rules: { "1": "opt_out" } });
    expect(ended).toMatchObject({ status: "completed", end_reason: "callee_opted_out" });
    expect(said(ended, "customer")).toContain("(pressed 1)");
    expect(said(ended, "agent")).toContain("Understood. We won't call this number again. Goodbye!");
    expect(await listed(setup.account.projectId, PRESSES_1)).toMatchObject({ source: "call", call_id: ended.id });
  }, 40_000);
});

describe("the keypad", () => {
  it("a key the callee presses reaches the agent with its meaning from dtmf_rules", async () => {
    const { call: ended } = await call(PRESSES_1, { dtmf_rules: { "1": "confirm" } });
    expect(ended).toMatchObject({ status: "completed", end_reason: "agent_ended" });
    expect(said(ended, "customer")).toContain("(pressed 1)");
    expect(said(ended, "agent")).toContain(CONFIRMED);
  }, 40_000);

  it("the agent gets through a phone menu by pressing a key: the menu hears the tone and a person picks up", async () => {
    const { call: ended } = await call(PHONE_MENU);
    const carrier = await carrierObservations(ended.id);
    expect(carrier.media?.keysHeard).toEqual(["1"]);
    expect(said(ended, "customer")).toContain("Appointments desk, this is Sam speaking.");
    expect(said(ended, "agent")).toContain(CONFIRMED);
    expect(ended).toMatchObject({ status: "completed", end_reason: "agent_ended" });
  }, 40_000);
});

describe("transfer to a person", () => {
  it("puts the callee through to the agent's transfer number: the call ends as transferred", async () => {
    const { call: ended, setup, notificationId } = await call(ASKS_FOR_PERSON, { transfer_number: DESK });
    expect(ended).toMatchObject({ status: "transferred", end_reason: "transferred", transferred_to: DESK });
    expect(said(ended, "agent")).toEqual(expect.arrayContaining([TRANSFERRING, `(transferred the call to ${DESK})`]));
    expect((await carrierObservations(ended.id)).transferredTo).toBe(DESK);
    expect((await api(`/api/v1/notifications/${notificationId}`, { key: setup.account.apiKey })).body.status).toBe("completed");
  }, 40_000);

  it("a notification's own transfer number wins over the agent's", async () => {
    const { call: ended } = await call(ASKS_FOR_PERSON, { transfer_number: DESK }, { transfer_number: "+442071234567" });
    expect(ended).toMatchObject({ status: "transferred", transferred_to: "+442071234567" });
  }, 40_000);

  it("without a transfer number the agent is not offered the tool, and the call is not transferred", async () => {
    const marker = `Dr. ${crypto.randomUUID().slice(0, 8)}`;
    const { call: ended } = await call(ASKS_FOR_PERSON, {}, { variables: { appointment_time: "Friday at 9 AM", doctor_name: marker } });
    expect(ended.status).toBe("completed");
    expect(ended.transferred_to).toBeNull();
    const tools = ((await modelObservations(marker)).session.tools as unknown as { name: string }[]).map((t) => t.name);
    expect(tools).toEqual(["end_call", "add_to_do_not_call", "press_digits"]);
  }, 40_000);

  it("refuses a transfer number that is not a phone number", async () => {
    const setup = await setUpCall(ASKS_FOR_PERSON);
    const res = await api(`/api/v1/agents/${setup.agentId}`, { method: "PATCH", key: setup.account.apiKey, body: { transfer_number: "call the desk" } });
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe("transfer_number");
  });
});

describe("voicemail", () => {
  it("leaves the agent's voicemail message, rendered, after the beep, then hangs up", async () => {
    const { call: ended } = await call(VOICEMAIL, { voicemail_message: "Hi {{recipient_first_name}}, this is {{doctor_name}}'s office. Please call us back." });
    expect(ended).toMatchObject({ status: "voicemail", end_reason: "voicemail_left" });
    expect(said(ended, "agent").at(-1)).toBe("Hi John, this is Dr. Patel's office. Please call us back.");
  }, 40_000);

  it("refuses a notification whose agent's voicemail message has an unfilled placeholder", async () => {
    const setup = await setUpCall(VOICEMAIL, { ...REMINDER_AGENT, voicemail_message: "Call {{clinic_phone}} back." });
    const res = await notify(setup);
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain("clinic_phone");
  });
});
