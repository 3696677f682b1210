import { createRouter } from "../../lib/router";
import { getUsageHandler } from "./usage.handlers";
import { getUsage } from "./usage.routes";

export const usageRouter = createRouter().openapi(getUsage, getUsageHandler);
