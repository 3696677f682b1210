import { createRouter } from "../../lib/router";

export const notificationsRouter = createRouter();
