import { createMiddleware } from "hono/factory";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";

/** Bodies over MAX_BODY_BYTES get 413 before anything reads them. */
export const bodySizeLimit = createMiddleware<AppEnv>((c, next) =>
  bodyLimit({
    maxSize: Number(c.env.MAX_BODY_BYTES) || 1_048_576,
    onError: () => {
      throw new ApiError("body_too_large", `The request body is larger than ${c.env.MAX_BODY_BYTES} bytes.`);
    },
  })(c, next),
);
