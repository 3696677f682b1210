import { describe, expect, it } from "vitest";
import { api, expectError, signup } from "../helpers/api";

const agent = { name: "Reminder", system_prompt: "Remind {{first_name}} of the appointment." };

describe("an agent's recording_enabled", () => {
  it("is on unless the agent is created without it", async () => {
    const account = await signup();
    const recorded = await api("/api/v1/agents", { key: account.apiKey, body: agent });
    expect(recorded.body.recording_enabled).toBe(true);
    const unrecorded = await api("/api/v1/agents", { key: account.apiKey, body: { ...agent, recording_enabled: false } });
    expect(unrecorded.status).toBe(201);
    expect(unrecorded.body.recording_enabled).toBe(false);
    expect((await api(`/api/v1/agents/${unrecorded.body.id}`, { key: account.apiKey })).body.recording_enabled).toBe(false);
  });

  it("can be switched off and on again", async () => {
    const account = await signup();
    const created = (await api("/api/v1/agents", { key: account.apiKey, body: agent })).body;
    const off = await api(`/api/v1/agents/${created.id}`, { method: "PATCH", key: account.apiKey, body: { recording_enabled: false } });
    expect(off.body).toMatchObject({ recording_enabled: false, name: "Reminder" });
    const on = await api(`/api/v1/agents/${created.id}`, { method: "PATCH", key: account.apiKey, body: { recording_enabled: true } });
    expect(on.body.recording_enabled).toBe(true);
  });

  it("must be a boolean", async () => {
    const account = await signup();
    expectError(await api("/api/v1/agents", { key: account.apiKey, body: { ...agent, recording_enabled: "no" } }), 400, "validation_failed", "recording_enabled");
  });
});
