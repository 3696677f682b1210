import { z } from "@hono/zod-openapi";
import { toE164 } from "../domain/phone-numbers";

/** Field shapes shared by several resources, so the same field is validated the same way. */
export const EmailSchema = z.email().max(254).openapi({ example: "you@yourcompany.com" });
export const PasswordSchema = z.string().min(8, "must be at least 8 characters").max(256).openapi({ example: "YourPassword123!" });
export const NameSchema = z.string().trim().min(1).max(200);
export const IdSchema = z.uuid().openapi({ example: "8cc6199f-9466-46f2-9db7-936f3c2c1c0b" });
export const TimestampSchema = z.string().openapi({ example: "2026-03-18T17:43:46.714Z" });

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** A phone number Parley will dial, stored in E.164 (libphonenumber-js "max" checks it is a real number). */
export const DialableNumberSchema = z
  .string()
  .max(32)
  .transform((raw, ctx) => {
    const e164 = toE164(raw);
    if (!e164) {
      ctx.addIssue({ code: "custom", message: "must be a valid phone number in E.164 form, such as +14155550199" });
      return z.NEVER;
    }
    return e164;
  })
  .openapi({ type: "string", example: "+14155550199" });
