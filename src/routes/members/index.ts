import { createRouter } from "../../lib/router";

export const membersRouter = createRouter();
export const invitationsRouter = createRouter();
