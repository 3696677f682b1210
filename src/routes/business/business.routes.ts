import { createRoute } from "@hono/zod-openapi";
import { commonErrors, errors, json, jsonBody, sessionSecurity } from "../../lib/openapi";
import { BusinessSchema, UpdateBusinessBody } from "./business.schemas";

const tags = ["Business"];

export const getBusiness = createRoute({
  method: "get",
  path: "/business",
  tags,
  summary: "Retrieve the signed-in business",
  description: "Any member may read it. Name, summary and industry fill `{{business_name}}`, `{{business_summary}}` and `{{industry}}` in prompts.",
  security: sessionSecurity,
  responses: { 200: json(BusinessSchema, "The business."), ...commonErrors, 403: errors[403] },
});

export const updateBusiness = createRoute({
  method: "patch",
  path: "/business",
  tags,
  summary: "Update the business's name, summary or industry",
  description: "Owners and admins only. Fields left out are unchanged; `null` clears `summary` or `industry`.",
  security: sessionSecurity,
  request: { body: jsonBody(UpdateBusinessBody) },
  responses: { 200: json(BusinessSchema, "The updated business."), ...commonErrors, 403: errors[403], 415: errors[415] },
});
