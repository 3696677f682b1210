import { createRouter } from "../../lib/router";

export const businessRouter = createRouter();
