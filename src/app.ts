import { Scalar } from "@scalar/hono-api-reference";
import { idempotency } from "./idempotency/middleware";
import type { AppEnv } from "./lib/app-env";
import { onError, onNotFound } from "./lib/handle-errors";
import { createRouter } from "./lib/router";
import { authenticate } from "./middleware/authenticate";
import { bodySizeLimit } from "./middleware/body-size";
import { rateLimit } from "./middleware/rate-limit";
import { requestContext } from "./middleware/request-context";
import { agentsRouter } from "./routes/agents";
import { apiKeysRouter } from "./routes/api-keys";
import { authRouter } from "./routes/auth";
import { businessRouter } from "./routes/business";
import { callsRouter } from "./routes/calls";
import { recordingTokenGate } from "./routes/calls/recording-token-gate";
import { carrierRouter } from "./routes/carrier";
import { customersRouter } from "./routes/customers";
import { doNotCallRouter } from "./routes/do-not-call";
import { healthRouter } from "./routes/health";
import { liveRouter } from "./routes/live";
import { invitationsRouter, membersRouter } from "./routes/members";
import { notificationsRouter } from "./routes/notifications";
import { projectsRouter } from "./routes/projects";
import { usageRouter } from "./routes/usage";
import { webhooksRouter } from "./routes/webhooks";
import { registerOpenApiDocument } from "./openapi-document";

export function createApp() {
  const app = createRouter();
  app.onError(onError);
  app.notFound(onNotFound);

  app.use("*", requestContext, bodySizeLimit);
  app.use("/auth/*", idempotency);
  // A recording's signed playback link is honoured before API-key authentication (that one route only).
  app.use("/api/v1/calls/:id/recording/stream", recordingTokenGate);
  app.use("/api/v1/*", authenticate, rateLimit, idempotency);

  app.route("/", healthRouter);
  app.route("/", carrierRouter);
  app.route("/", liveRouter);
  app.route("/auth", authRouter);
  app.route("/auth/invitations", invitationsRouter);
  app.route("/api/v1", businessRouter);
  app.route("/api/v1", projectsRouter);
  app.route("/api/v1", apiKeysRouter);
  app.route("/api/v1", membersRouter);
  app.route("/api/v1", agentsRouter);
  app.route("/api/v1", customersRouter);
  app.route("/api/v1", doNotCallRouter);
  app.route("/api/v1", usageRouter);
  app.route("/api/v1", notificationsRouter);
  app.route("/api/v1", callsRouter);
  app.route("/api/v1", webhooksRouter);

  registerOpenApiDocument(app);
  app.get("/docs", Scalar<AppEnv>({ url: "/openapi.json", pageTitle: "Parley API" }));
  return app;
}
