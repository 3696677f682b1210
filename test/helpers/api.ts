import { exports } from "cloudflare:workers";

/** Calls the worker exactly as a client would over HTTP, and reads back what the client sees. */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Sent raw, for malformed-body tests. */
  rawBody?: string;
  key?: string;
  token?: string;
  headers?: Record<string, string>;
}

export async function api<T = any>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers = new Headers(options.headers);
  if (options.key) headers.set("x-api-key", options.key);
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const method = options.method ?? (body === undefined ? "GET" : "POST");
  const res = await exports.default.fetch(new Request(`https://parley.test${path}`, { method, headers, body }));
  const text = await res.text();
  let parsed: unknown = text;
  if (res.headers.get("content-type")?.includes("json") && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T };
}

let counter = 0;
export const uniqueEmail = (label = "user") => `${label}.${Date.now().toString(36)}.${++counter}.${crypto.randomUUID().slice(0, 8)}@example.com`;

export interface Account {
  email: string;
  password: string;
  apiKey: string;
  accessToken: string;
  refreshToken: string;
  userId: string;
  businessId: string;
  projectId: string;
}

/** Signs a new business up and returns what a client keeps from the answer. */
export async function signup(overrides: Record<string, unknown> = {}): Promise<Account> {
  const body = {
    email: uniqueEmail(),
    password: "YourPassword123!",
    first_name: "Jane",
    last_name: "Doe",
    business_name: "Acme Inc",
    business_summary: "A SaaS platform for project management",
    industry: "Software",
    ...overrides,
  };
  const res = await api("/auth/signup", { body });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    email: body.email as string,
    password: body.password as string,
    apiKey: res.body.default_project.api_key,
    accessToken: res.body.access_token,
    refreshToken: res.body.refresh_token,
    userId: res.body.user.id,
    businessId: res.body.business.id,
    projectId: res.body.default_project.id,
  };
}

/** Asserts the one error body every failure shares and returns it. */
export function expectError(res: ApiResponse, status: number, code: string, param?: string | null) {
  const detail = `${res.status} ${JSON.stringify(res.body)}`;
  if (res.status !== status) throw new Error(`expected ${status} ${code}, got ${detail}`);
  const error = res.body?.error;
  if (!error || error.code !== code) throw new Error(`expected code ${code}, got ${detail}`);
  if (typeof error.request_id !== "string" || error.request_id !== res.headers.get("x-request-id")) {
    throw new Error(`error body's request_id must match X-Request-Id: ${detail}`);
  }
  if (typeof error.type !== "string" || typeof error.message !== "string" || error.message.length === 0) throw new Error(`incomplete error body: ${detail}`);
  if (param !== undefined && error.param !== param) throw new Error(`expected param ${param}, got ${detail}`);
  return error;
}
