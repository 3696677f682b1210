import { z } from "@hono/zod-openapi";
import { EmailSchema, IdSchema, NameSchema, PasswordSchema } from "../../lib/schemas";

export const SignupBody = z
  .strictObject({
    email: EmailSchema,
    password: PasswordSchema,
    first_name: NameSchema.optional(),
    last_name: NameSchema.optional(),
    business_name: NameSchema.openapi({ example: "Acme Inc" }),
    business_summary: z.string().max(2000).optional().openapi({ example: "A SaaS platform for project management" }),
    industry: z.string().max(200).optional().openapi({ example: "Software" }),
  })
  .openapi("SignupRequest");

export const LoginBody = z
  .strictObject({
    email: EmailSchema,
    password: z.string().min(1).max(256),
    business_id: IdSchema.optional().openapi({ description: "Which business to sign in to, for members of several; defaults to the first." }),
  })
  .openapi("LoginRequest");

export const RefreshBody = z.strictObject({ refresh_token: z.string().min(1).max(512) }).openapi("RefreshRequest");

export const TokenPairSchema = z.object({
  access_token: z.string().openapi({ example: "eyJhbGci..." }),
  refresh_token: z.string().openapi({ example: "rt_Q2hhbmdlIG1lIQ..." }),
  token_type: z.literal("Bearer"),
  expires_in: z.number().int().openapi({ example: 900, description: "Seconds until the access token expires." }),
});

export const UserSummary = z.object({
  id: IdSchema,
  email: z.string(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
});

export const BusinessSummary = z.object({ id: IdSchema, name: z.string() });

export const SessionResponse = TokenPairSchema.extend({
  user: UserSummary,
  business: BusinessSummary,
  role: z.enum(["owner", "admin", "member"]),
}).openapi("Session");

export const SignupResponse = SessionResponse.extend({
  default_project: z.object({
    id: IdSchema,
    name: z.literal("default"),
    environment: z.enum(["live", "sandbox"]),
    api_key: z.string().openapi({ example: "echo_6f437a610fbb...", description: "Shown once: only its hash is stored." }),
  }),
}).openapi("SignupResponse");

export const TokenPairResponse = TokenPairSchema.openapi("TokenPair");
