import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

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
