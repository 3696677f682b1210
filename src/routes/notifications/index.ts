import { createRouter } from "../../lib/router";
import * as actions from "./notifications.actions";
import * as deliveries from "./deliveries.handlers";
import * as deliveryRoutes from "./deliveries.routes";
import * as handlers from "./notifications.handlers";
import * as routes from "./notifications.routes";

/** Notifications are the seeds' tasks and interactions too: one resource, not three. */
export const notificationsRouter = createRouter()
  .openapi(routes.createNotification, handlers.createNotificationHandler)
  .openapi(routes.listNotifications, handlers.listNotificationsHandler)
  .openapi(routes.getNotification, handlers.getNotificationHandler)
  .openapi(routes.updateNotification, handlers.updateNotificationHandler)
  .openapi(routes.deleteNotification, handlers.deleteNotificationHandler)
  .openapi(routes.executeNotification, actions.executeNotificationHandler)
  .openapi(routes.resetNotification, actions.resetNotificationHandler)
  .openapi(routes.cancelNotification, actions.cancelNotificationHandler)
  .openapi(deliveryRoutes.listNotificationDeliveries, deliveries.listNotificationDeliveriesHandler)
  .openapi(deliveryRoutes.redeliverNotificationDelivery, deliveries.redeliverNotificationDeliveryHandler);
