import { createRouter } from "../../lib/router";

export const agentsRouter = createRouter();
