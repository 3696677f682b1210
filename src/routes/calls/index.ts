import { createRouter } from "../../lib/router";

export const callsRouter = createRouter();
