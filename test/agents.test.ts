import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "../src/db/client";
import { prepareApiKey } from "../src/domain/api-keys";
import { prepareProject } from "../src/domain/projects";
import { type Account, api, expectError, signup } from "./helpers/api";

// Step 2 of Echo's quickstart, exactly as the curl command sends it.
const ECHO_QUICKSTART_BODY = String.raw`{
    "name": "Appointment Reminder",
    "system_prompt": "You are a friendly assistant calling {{recipient_first_name}} on behalf of {{business_name}}. Start the call by saying: \"Hi, is this {{recipient_first_name}}? Great — I'm calling from {{business_name}} to confirm your appointment on {{appointment_time}} with {{doctor_name}}. Does that time still work for you?\" If they need to reschedule, collect a preferred time and end the call warmly. Do not discuss anything else.",
    "output_schema": {
      "type": "object",
      "required": ["confirmed"],
      "properties": {
        "confirmed": {
          "type": "boolean",
          "description": "Whether the patient confirmed the appointment"
        },
        "reschedule_request": {
          "type": "string",
          "description": "Preferred reschedule time if they want to change it"
        }
      }
    }
  }`;

const minimal = { name: "Reminder", system_prompt: "Remind {{first_name}} of the visit." };

async function createAgent(account: Account, body: Record<string, unknown> = minimal) {
  const res = await api("/api/v1/agents", { key: account.apiKey, body });
  if (res.status !== 201) throw new Error(`create agent failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const storedAgent = (id: string) => env.DB.prepare("SELECT * FROM agents WHERE id = ?").bind(id).first<Record<string, unknown>>();
const agentCount = async (businessId: string) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM agents WHERE business_id = ?").bind(businessId).first<{ n: number }>())!.n;

/** A notification of the agent, written directly: the notifications resource is not needed to prove the delete rule. */
async function addNotification(account: Account, agentId: string, status: string) {
  const now = new Date().toISOString();
  const customerId = crypto.randomUUID();
  const id = crypto.randomUUID();
  await env.DB.batch([
    env.DB.prepare("INSERT INTO customers (id, project_id, created_at, updated_at) VALUES (?, ?, ?, ?)").bind(customerId, account.projectId, now, now),
    env.DB.prepare("INSERT INTO notifications (id, project_id, agent_id, customer_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)").bind(
      id,
      account.projectId,
      agentId,
      customerId,
      status,
      now,
      now,
    ),
  ]);
  return id;
}

/** A second project of the same business, with its own API key. */
async function secondProjectKey(account: Account) {
  const db = createDb(env.DB);
  const project = prepareProject(db, { businessId: account.businessId, name: "second", environment: "sandbox" });
  const key = await prepareApiKey(db, { projectId: project.row.id, businessId: account.businessId, name: "second", createdBy: null });
  await db.batch([project.statement, key.statement]);
  return key.secret;
}

describe("POST /api/v1/agents", () => {
  it("accepts Echo's quickstart step 2 body verbatim and answers id, name, status and created_at", async () => {
    const account = await signup();
    const res = await api("/api/v1/agents", { key: account.apiKey, rawBody: ECHO_QUICKSTART_BODY, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: "Appointment Reminder", status: "active", created_at: expect.any(String) });
    expect(res.body.variables).toEqual(["appointment_time", "business_name", "doctor_name", "recipient_first_name"]);
    expect(res.body.output_schema).toEqual(JSON.parse(ECHO_QUICKSTART_BODY).output_schema);
    const row = await storedAgent(res.body.id);
    expect(row).toMatchObject({ business_id: account.businessId, name: "Appointment Reminder", enabled: 1 });
    expect(JSON.parse(row!.output_schema as string)).toEqual(JSON.parse(ECHO_QUICKSTART_BODY).output_schema);
  });

  it("answers every field, with defaults, and the sorted variables of both prompt and starting message", async () => {
    const account = await signup();
    const body = {
      name: "Order notice",
      system_prompt: "Tell {{firstName}} about order {{ Order ID }}.",
      description: "Delivery notices",
      starting_message: "Hello {{firstName}}, this is {{aiName}}.",
      voice_settings: { stability: 0.5, similarity_boost: 0.75 },
      language: "de-de",
      dtmf_rules: [{ digit: "1", action: "confirm" }],
    };
    const res = await api("/api/v1/agents", { key: account.apiKey, body });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: "Order notice",
      status: "active",
      enabled: true,
      recording_enabled: true,
      system_prompt: body.system_prompt,
      description: "Delivery notices",
      starting_message: body.starting_message,
      output_schema: null,
      voice_settings: body.voice_settings,
      language: "de-DE",
      dtmf_rules: body.dtmf_rules,
      voicemail_message: null,
      transfer_number: null,
      variables: ["Order ID", "aiName", "firstName"],
      created_at: res.body.created_at,
      updated_at: res.body.created_at,
    });
  });

  it("keeps a voicemail message (its variables listed) and a transfer number normalised to E.164", async () => {
    const account = await signup();
    const agent = await createAgent(account, { ...minimal, voicemail_message: "Hi {{recipient_first_name}}, please call back.", transfer_number: "+1 (415) 555-0199" });
    expect(agent).toMatchObject({ voicemail_message: "Hi {{recipient_first_name}}, please call back.", transfer_number: "+14155550199" });
    expect(agent.variables).toContain("recipient_first_name");
  });

  it("creates a disabled agent when asked, shown with status disabled", async () => {
    const account = await signup();
    const agent = await createAgent(account, { ...minimal, enabled: false });
    expect(agent).toMatchObject({ enabled: false, status: "disabled" });
  });

  it("refuses an output_schema strict mode cannot use with 400 invalid_output_schema naming the spot, and creates nothing", async () => {
    const account = await signup();
    const body = JSON.parse(ECHO_QUICKSTART_BODY);
    body.output_schema.properties.confirmed.type = "bool";
    const error = expectError(await api("/api/v1/agents", { key: account.apiKey, body }), 400, "invalid_output_schema", "output_schema.properties.confirmed.type");
    expect(error.message).toContain("'bool'");
    expect(await agentCount(account.businessId)).toBe(0);
  });

  it("refuses output_schema values that are not JSON Schema objects with invalid_output_schema", async () => {
    const account = await signup();
    for (const output_schema of ["object", [{ type: "object" }], { type: "array", items: { type: "string" } }]) {
      const res = await api("/api/v1/agents", { key: account.apiKey, body: { ...minimal, output_schema } });
      expect(expectError(res, 400, "invalid_output_schema").param).toMatch(/^output_schema/);
    }
  });

  it("refuses keywords strict mode cannot express, such as allOf, naming them", async () => {
    const account = await signup();
    const output_schema = { type: "object", properties: { when: { allOf: [{ type: "string" }] } } };
    const res = await api("/api/v1/agents", { key: account.apiKey, body: { ...minimal, output_schema } });
    expectError(res, 400, "invalid_output_schema", "output_schema.properties.when.allOf");
  });

  it("names a missing or invalid field", async () => {
    const account = await signup();
    const cases: [Record<string, unknown>, string][] = [
      [{ system_prompt: "Hi" }, "name"],
      [{ name: "A" }, "system_prompt"],
      [{ ...minimal, system_prompt: "   " }, "system_prompt"],
      [{ ...minimal, language: "not a language" }, "language"],
      [{ ...minimal, voice_settings: "loud" }, "voice_settings"],
      [{ ...minimal, dtmf_rules: "1=yes" }, "dtmf_rules"],
      [{ ...minimal, enabled: "yes" }, "enabled"],
    ];
    for (const [body, param] of cases) expectError(await api("/api/v1/agents", { key: account.apiKey, body }), 400, "validation_failed", param);
    expect(await agentCount(account.businessId)).toBe(0);
  });

  it("refuses read-only and unknown fields instead of ignoring them", async () => {
    const account = await signup();
    for (const field of ["id", "business_id", "status", "variables", "created_at"]) {
      expectError(await api("/api/v1/agents", { key: account.apiKey, body: { ...minimal, [field]: "x" } }), 400, "unknown_field", field);
    }
    expect(await agentCount(account.businessId)).toBe(0);
  });

  it("creates the agent once when retried with the same Idempotency-Key", async () => {
    const account = await signup();
    const headers = { "idempotency-key": crypto.randomUUID() };
    const first = await api("/api/v1/agents", { key: account.apiKey, body: minimal, headers });
    const again = await api("/api/v1/agents", { key: account.apiKey, body: minimal, headers });
    expect(again.body).toEqual(first.body);
    expect(await agentCount(account.businessId)).toBe(1);
  });
});

describe("who can reach agents", () => {
  it("refuses missing or invalid credentials with 401", async () => {
    expectError(await api("/api/v1/agents", { body: minimal }), 401, "unauthenticated");
    expectError(await api("/api/v1/agents", { token: "not-a-token" }), 401, "invalid_token");
  });

  it("shares agents across the business: another project's key and a signed-in member see and manage the same ones", async () => {
    const account = await signup();
    const agent = await createAgent(account);
    const otherProjectKey = await secondProjectKey(account);
    expect((await api(`/api/v1/agents/${agent.id}`, { key: otherProjectKey })).body.id).toBe(agent.id);

    const bySession = await api("/api/v1/agents", { token: account.accessToken, body: { ...minimal, name: "From the dashboard" } });
    expect(bySession.status).toBe(201);
    const listed = await api("/api/v1/agents", { key: otherProjectKey });
    expect(listed.body.data.map((a: { id: string }) => a.id).sort()).toEqual([agent.id, bySession.body.id].sort());
    expect((await api(`/api/v1/agents/${agent.id}`, { method: "PATCH", token: account.accessToken, body: { name: "Renamed" } })).body.name).toBe("Renamed");
    expect((await api(`/api/v1/agents/${agent.id}`, { method: "DELETE", token: account.accessToken })).status).toBe(204);
  });

  it("answers 404 for another business's agent on every route and changes nothing", async () => {
    const owner = await signup();
    const stranger = await signup();
    const agent = await createAgent(owner);
    const path = `/api/v1/agents/${agent.id}`;
    expectError(await api(path, { key: stranger.apiKey }), 404, "not_found", "id");
    expectError(await api(path, { method: "PATCH", key: stranger.apiKey, body: { name: "Hijacked" } }), 404, "not_found", "id");
    expectError(await api(path, { method: "DELETE", token: stranger.accessToken }), 404, "not_found", "id");
    expect((await api("/api/v1/agents", { key: stranger.apiKey })).body.data).toEqual([]);
    expect(await storedAgent(agent.id)).toMatchObject({ name: "Reminder", updated_at: agent.updated_at });
  });
});

describe("GET /api/v1/agents", () => {
  it("lists newest first and filters by enabled", async () => {
    const account = await signup();
    const made = [await createAgent(account), await createAgent(account, { ...minimal, enabled: false }), await createAgent(account)];
    const newestFirst = [...made].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id)).map((a) => a.id);
    const all = await api("/api/v1/agents", { key: account.apiKey });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ has_more: false, next_cursor: null });
    expect(all.body.data.map((a: { id: string }) => a.id)).toEqual(newestFirst);

    const enabled = await api("/api/v1/agents?enabled=true", { key: account.apiKey });
    expect(enabled.body.data.map((a: { id: string }) => a.id).sort()).toEqual([made[0].id, made[2].id].sort());
    const disabled = await api("/api/v1/agents?enabled=false", { key: account.apiKey });
    expect(disabled.body.data.map((a: { status: string }) => a.status)).toEqual(["disabled"]);
  });

  it("pages with limit and offset, and with next_cursor, without repeats or gaps", async () => {
    const account = await signup();
    for (let i = 0; i < 5; i++) await createAgent(account, { ...minimal, name: `Agent ${i}` });
    const everything = (await api("/api/v1/agents", { key: account.apiKey })).body.data.map((a: { id: string }) => a.id);

    const second = await api("/api/v1/agents?limit=2&offset=2", { key: account.apiKey });
    expect(second.body.data.map((a: { id: string }) => a.id)).toEqual(everything.slice(2, 4));
    expect(second.body.has_more).toBe(true);

    const walked: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page: { body: { data: { id: string }[]; next_cursor: string | null } } = await api(`/api/v1/agents?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { key: account.apiKey });
      walked.push(...page.body.data.map((a) => a.id));
      cursor = page.body.next_cursor;
    }
    expect(walked).toEqual(everything);
  });

  it("shows every change at once, though lists are served from memory: to the same key, another project's key and a session", async () => {
    const account = await signup();
    const otherProjectKey = await secondProjectKey(account);
    const names = async (auth: { key: string } | { token: string }) =>
      (await api("/api/v1/agents", auth)).body.data.map((a: { name: string }) => a.name).sort();
    const readers = [{ key: account.apiKey }, { key: otherProjectKey }, { token: account.accessToken }];
    const agent = await createAgent(account, { ...minimal, name: "First" });
    for (const reader of readers) expect(await names(reader)).toEqual(["First"]);
    // Asked twice: the second answer comes from memory and must be the same.
    for (const reader of readers) expect(await names(reader)).toEqual(["First"]);

    // Each change below comes after lists were made at the current version, so a gate that was not
    // told of it would hand out the old version, and the old list with it.
    await api(`/api/v1/agents/${agent.id}`, { method: "PATCH", key: otherProjectKey, body: { name: "Renamed" } });
    for (const reader of readers) expect(await names(reader)).toEqual(["Renamed"]);
    await createAgent(account, { ...minimal, name: "Second" });
    for (const reader of readers) expect(await names(reader)).toEqual(["Renamed", "Second"]);
    await api(`/api/v1/agents/${agent.id}`, { method: "DELETE", token: account.accessToken });
    for (const reader of readers) expect(await names(reader)).toEqual(["Second"]);
  });

  it("keeps each business's and each filter's lists apart", async () => {
    const one = await signup();
    const two = await signup();
    await createAgent(one, { ...minimal, name: "One's" });
    await createAgent(two, { ...minimal, name: "Two's", enabled: false });
    expect((await api("/api/v1/agents", { key: one.apiKey })).body.data.map((a: { name: string }) => a.name)).toEqual(["One's"]);
    expect((await api("/api/v1/agents", { key: two.apiKey })).body.data.map((a: { name: string }) => a.name)).toEqual(["Two's"]);
    expect((await api("/api/v1/agents?enabled=true", { key: two.apiKey })).body.data).toEqual([]);
    expect((await api("/api/v1/agents?enabled=false", { key: two.apiKey })).body.data.map((a: { name: string }) => a.name)).toEqual(["Two's"]);
  });

  it("counts each change in the business's agents version, in the same write", async () => {
    const account = await signup();
    const version = async () => (await env.DB.prepare("SELECT agents_version AS v FROM businesses WHERE id = ?").bind(account.businessId).first<{ v: number }>())!.v;
    const before = await version();
    const agent = await createAgent(account);
    expect(await version()).toBe(before + 1);
    await api(`/api/v1/agents/${agent.id}`, { method: "PATCH", key: account.apiKey, body: { name: "Renamed" } });
    expect(await version()).toBe(before + 2);
    await api(`/api/v1/agents/${agent.id}`, { method: "DELETE", key: account.apiKey });
    expect(await version()).toBe(before + 3);
  });

  it("refuses a limit over 100, a bad enabled filter and a forged cursor", async () => {
    const account = await signup();
    expectError(await api("/api/v1/agents?limit=101", { key: account.apiKey }), 400, "validation_failed", "limit");
    expectError(await api("/api/v1/agents?enabled=yes", { key: account.apiKey }), 400, "validation_failed", "enabled");
    expectError(await api("/api/v1/agents?cursor=garbage", { key: account.apiKey }), 400, "validation_failed", "cursor");
  });
});

describe("GET /api/v1/agents/{id}", () => {
  it("answers the agent as it was created", async () => {
    const account = await signup();
    const agent = await createAgent(account);
    const res = await api(`/api/v1/agents/${agent.id}`, { key: account.apiKey });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(agent);
  });

  it("answers 404 for an unknown id and 400 for one that is not a UUID", async () => {
    const account = await signup();
    expectError(await api(`/api/v1/agents/${crypto.randomUUID()}`, { key: account.apiKey }), 404, "not_found", "id");
    expectError(await api("/api/v1/agents/not-a-uuid", { key: account.apiKey }), 400, "validation_failed", "id");
  });
});

describe("PATCH /api/v1/agents/{id}", () => {
  const patch = (account: Account, id: string, body: unknown) => api(`/api/v1/agents/${id}`, { method: "PATCH", key: account.apiKey, body });

  it("changes only the fields sent and recomputes status and variables", async () => {
    const account = await signup();
    const agent = await createAgent(account, { ...minimal, description: "Kept" });
    const res = await patch(account, agent.id, { enabled: false, system_prompt: "Call {{customer_name}} about {{topic}}." });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: "Reminder", description: "Kept", enabled: false, status: "disabled", variables: ["customer_name", "topic"] });
    expect(res.body.updated_at >= agent.updated_at).toBe(true);
    expect(await storedAgent(agent.id)).toMatchObject({ enabled: 0, system_prompt: "Call {{customer_name}} about {{topic}}." });
  });

  it("clears optional fields sent as null", async () => {
    const account = await signup();
    const agent = await createAgent(account, JSON.parse(ECHO_QUICKSTART_BODY));
    const res = await patch(account, agent.id, { output_schema: null, description: null, language: null });
    expect(res.body).toMatchObject({ output_schema: null, description: null, language: null });
    expect(await storedAgent(agent.id)).toMatchObject({ output_schema: null });
  });

  it("refuses an empty body, a null name and read-only fields", async () => {
    const account = await signup();
    const agent = await createAgent(account);
    expectError(await patch(account, agent.id, {}), 400, "validation_failed");
    expectError(await patch(account, agent.id, { name: null }), 400, "validation_failed", "name");
    expectError(await patch(account, agent.id, { status: "active" }), 400, "unknown_field", "status");
    expectError(await patch(account, agent.id, { business_id: crypto.randomUUID() }), 400, "unknown_field", "business_id");
    expect(await storedAgent(agent.id)).toMatchObject({ business_id: account.businessId, updated_at: agent.updated_at });
  });

  it("refuses an invalid output_schema and leaves the agent as it was", async () => {
    const account = await signup();
    const agent = await createAgent(account, JSON.parse(ECHO_QUICKSTART_BODY));
    const output_schema = { type: "object", required: ["missing"], properties: {} };
    expectError(await patch(account, agent.id, { name: "Changed", output_schema }), 400, "invalid_output_schema", "output_schema.required.0");
    expect((await api(`/api/v1/agents/${agent.id}`, { key: account.apiKey })).body).toEqual(agent);
  });
});

describe("DELETE /api/v1/agents/{id}", () => {
  const remove = (account: Account, id: string) => api(`/api/v1/agents/${id}`, { method: "DELETE", key: account.apiKey });

  it("deletes the agent with 204; it is then gone", async () => {
    const account = await signup();
    const agent = await createAgent(account);
    const res = await remove(account, agent.id);
    expect(res.status).toBe(204);
    expect(res.body).toBe("");
    expectError(await api(`/api/v1/agents/${agent.id}`, { key: account.apiKey }), 404, "not_found");
    expect(await storedAgent(agent.id)).toMatchObject({ deleted_at: expect.any(String) });
    expectError(await remove(account, agent.id), 404, "not_found", "id");
    expect((await api("/api/v1/agents", { key: account.apiKey })).body.data).toEqual([]);
  });

  it.each(["pending", "scheduled", "in_progress"])("refuses with 409 agent_in_use while a notification is %s, and keeps the agent", async (status) => {
    const account = await signup();
    const agent = await createAgent(account);
    await addNotification(account, agent.id, status);
    expectError(await remove(account, agent.id), 409, "agent_in_use", null);
    expect(await storedAgent(agent.id)).not.toBeNull();
  });

  it("deletes an agent whose notifications have all finished; they keep their link to it", async () => {
    const account = await signup();
    const agent = await createAgent(account);
    const finished = [await addNotification(account, agent.id, "completed"), await addNotification(account, agent.id, "failed"), await addNotification(account, agent.id, "canceled")];
    expect((await remove(account, agent.id)).status).toBe(204);
    expectError(await api(`/api/v1/agents/${agent.id}`, { key: account.apiKey }), 404, "not_found", "id");
    for (const id of finished) {
      expect(await env.DB.prepare("SELECT agent_id FROM notifications WHERE id = ?").bind(id).first()).toEqual({ agent_id: agent.id });
    }
  });
});

describe("the OpenAPI document", () => {
  it("documents the Agent schema and accepts both API keys and session tokens on every agents route", async () => {
    const doc = (await api("/openapi.json")).body;
    expect(doc.components.schemas.Agent.properties).toHaveProperty("variables");
    for (const path of ["/api/v1/agents", "/api/v1/agents/{id}"]) {
      for (const operation of Object.values(doc.paths[path]) as { security: Record<string, unknown>[] }[]) {
        const schemes = operation.security.flatMap((s) => Object.keys(s));
        expect(schemes).toEqual(expect.arrayContaining(["ApiKeyHeader", "SessionToken"]));
      }
    }
  });
});
