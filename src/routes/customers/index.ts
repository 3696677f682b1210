import { createRouter } from "../../lib/router";
import * as handlers from "./customers.handlers";
import * as routes from "./customers.routes";

// The by-external-id route is registered before /customers/{id}, so its path is never read as an id.
export const customersRouter = createRouter()
  .openapi(routes.createCustomer, handlers.createCustomerHandler)
  .openapi(routes.listCustomers, handlers.listCustomersHandler)
  .openapi(routes.getCustomerByExternalId, handlers.getCustomerByExternalIdHandler)
  .openapi(routes.getCustomer, handlers.getCustomerHandler)
  .openapi(routes.updateCustomer, handlers.updateCustomerHandler)
  .openapi(routes.deleteCustomer, handlers.deleteCustomerHandler);
