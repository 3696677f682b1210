import { createRouter } from "../../lib/router";
import { listDeliveriesHandler, redeliverHandler } from "./deliveries.handlers";
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
  .openapi(redeliver, redeliverHandler);
