import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { createHmac } from "node:crypto";
import { Response } from "miniflare";
import { Webhook } from "standardwebhooks";
import { defineConfig } from "vitest/config";

/**
 * A webhook receiver on https://receiver.test for the delivery tests. It runs in Node, as a real
 * customer's server would, and checks signatures with the seed's code and the standardwebhooks
 * package. Each test picks its own `key` query parameter; GET /__log?key= returns what arrived.
 */
const receiverLog = new Map<string, unknown[]>();
const answeredOnce = new Set<string>();

async function webhookReceiver(request: Request): Promise<Response> {
  const url = new URL(request.url);
  // Tests have no network: anything but the receiver fails loudly.
  if (url.hostname !== "receiver.test") return new Response(`tests have no network (${request.method} ${url.origin})`, { status: 502 });
  const key = url.searchParams.get("key") ?? "";
  if (url.pathname === "/__log") return Response.json(receiverLog.get(key) ?? []);
  const body = await request.text();
  const headers = Object.fromEntries(request.headers);
  const secret = url.searchParams.get("secret") ?? "";
  let status = 200;
  let verified: boolean | null = null;
  const extra: Record<string, string> = {};
  if (url.pathname === "/echo-seed") {
    // The seed's receiver, verbatim apart from where the secret comes from.
    const sig = createHmac("sha256", secret).update(body).digest("hex");
    verified = `sha256=${sig}` === headers["x-echo-signature"];
  } else if (url.pathname === "/standard") {
    try {
      new Webhook(secret).verify(body, headers);
      verified = true;
    } catch {
      verified = false;
    }
  } else if (url.pathname === "/fail-once") {
    status = answeredOnce.has(key) ? 200 : 500;
    answeredOnce.add(key);
  } else if (url.pathname === "/gone") {
    status = 410;
  } else if (url.pathname === "/redirect") {
    status = 302;
    extra.location = `https://receiver.test/echo-seed?key=${key}-redirected`;
  } else if (url.pathname === "/retry-after") {
    status = 503;
    extra["retry-after"] = "600";
  }
  if (verified === false) status = 401;
  receiverLog.set(key, [...(receiverLog.get(key) ?? []), { path: url.pathname, method: request.method, headers, body, verified, status }]);
  return new Response(status === 200 ? "ok" : "no", { status, headers: extra });
}

export default defineConfig(async () => {
  // The workerd tests run against the same migrations production applies.
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      projects: [
        {
          // Everything that runs in Workers: routes, Durable Objects, emulators, pure modules.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                outboundService: webhookReceiver,
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  JWT_SECRET: "test-secret-do-not-use-in-production",
                  // No real credentials, whatever a local .dev.vars says: every call uses the emulators.
                  TWILIO_ACCOUNT_SID: "",
                  TWILIO_AUTH_TOKEN: "",
                  TWILIO_FROM_NUMBER: "",
                  OPENAI_API_KEY: "",
                  PUBLIC_BASE_URL: "",
                  // Emulated calls run ten times faster than real time in tests.
                  EMULATOR_SPEED: "10",
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/**/*.test.ts"],
            exclude: ["test/node/**"],
            setupFiles: ["./test/setup/apply-migrations.ts"],
          },
        },
        {
          // Checks against Node-only reference implementations (the official twilio package).
          test: { name: "node", environment: "node", include: ["test/node/**/*.test.ts"] },
        },
      ],
    },
  };
});
