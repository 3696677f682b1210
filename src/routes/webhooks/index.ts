import { createRouter } from "../../lib/router";
import { listDeliveriesHandler, redeliverHandler } from "./deliveries.handlers";
import { getProjectWebhookSecretHandler, rotateProjectWebhookSecretHandler } from "./project-secret.handlers";
import { getProjectWebhookSecret, rotateProjectWebhookSecret } from "./project-secret.routes";
import {
  createWebhookHandler,
  deleteWebhookHandler,
  getWebhookHandler,
  listWebhooksHandler,
  rotateWebhookSecretHandler,
  updateWebhookHandler,
} from "./webhooks.handlers";
import { createWebhook, deleteWebhook, getWebhook, listDeliveries, listWebhooks, redeliver, rotateWebhookSecret, updateWebhook } from "./webhooks.routes";

export const webhooksRouter = createRouter()
  .openapi(createWebhook, createWebhookHandler)
  .openapi(listWebhooks, listWebhooksHandler)
  .openapi(getWebhook, getWebhookHandler)
  .openapi(updateWebhook, updateWebhookHandler)
  .openapi(deleteWebhook, deleteWebhookHandler)
  .openapi(rotateWebhookSecret, rotateWebhookSecretHandler)
  .openapi(listDeliveries, listDeliveriesHandler)
  .openapi(redeliver, redeliverHandler)
  .openapi(getProjectWebhookSecret, getProjectWebhookSecretHandler)
  .openapi(rotateProjectWebhookSecret, rotateProjectWebhookSecretHandler);
