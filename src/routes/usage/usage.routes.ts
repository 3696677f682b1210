import { createRoute } from "@hono/zod-openapi";
import { apiKeySecurity, commonErrors, errors, json } from "../../lib/openapi";
import { ProjectUsage } from "./usage.schemas";

export const getUsage = createRoute({
  method: "get",
  path: "/usage",
  tags: ["Calling policy"],
  security: apiKeySecurity,
  summary: "Calls in progress and waiting in the project",
  description:
    "The project's simultaneous-call limit, the calls holding a slot, and the notifications waiting: due now but held for a free slot, " +
    "or scheduled for later (retries, calling windows, scheduled_at). For the project of the API key.",
  responses: { 200: json(ProjectUsage, "The project's usage now."), ...commonErrors, 403: errors[403] },
});
