import { z } from "@hono/zod-openapi";
import { EmailSchema, IdSchema, NameSchema, PasswordSchema, TimestampSchema } from "../../lib/schemas";
import { pageSchema } from "../../lib/pagination";

export const InvitationSchema = z
  .object({
    id: IdSchema,
    email: z.string().openapi({ example: "sam@acme.com" }),
    role: z.enum(["owner", "admin", "member"]).openapi({ example: "member" }),
    invited_by: IdSchema.nullable().openapi({ description: "The user who sent it; null if they have since been deleted." }),
    expires_at: TimestampSchema.openapi({ description: "Seven days after it was sent." }),
    created_at: TimestampSchema,
  })
  .openapi("Invitation");

export const InvitationWithTokenSchema = InvitationSchema.extend({
  token: z.string().openapi({
    example: "inv_Q2hhbmdlIG1lIQ...",
    description: "Shown once: send it to the invitee, who accepts with `POST /auth/invitations/accept`. Only its hash is stored.",
  }),
}).openapi("InvitationWithToken");

export const InvitationListSchema = pageSchema(InvitationSchema, "InvitationList");

export const InvitationParams = z.object({
  invitationId: IdSchema.openapi({ param: { name: "invitationId", in: "path" } }),
});

export const CreateInvitationBody = z
  .strictObject({
    email: EmailSchema.openapi({ example: "sam@acme.com" }),
    role: z.enum(["admin", "member"]).openapi({ example: "member", description: "Owners are made by promoting a member." }),
  })
  .openapi("CreateInvitationRequest");

export const AcceptInvitationBody = z
  .strictObject({
    token: z.string().min(1).max(512).openapi({ example: "inv_Q2hhbmdlIG1lIQ..." }),
    password: PasswordSchema.openapi({
      description: "A new account's password; if an account with the invited email exists, its current password.",
    }),
    first_name: NameSchema.optional().openapi({ example: "Sam", description: "For a new account; ignored for an existing one." }),
    last_name: NameSchema.optional().openapi({ example: "Lee" }),
  })
  .openapi("AcceptInvitationRequest");
