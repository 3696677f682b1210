import { createRoute } from "@hono/zod-openapi";
import { apiKeySecurity, commonErrors, errors, json, jsonBody } from "../../lib/openapi";
import { CreateCustomerBody, Customer, CustomerIdParam, CustomerListQuery, CustomerPage, ExternalIdParam, UpdateCustomerBody } from "./customers.schemas";

const tags = ["Customers"];
const security = apiKeySecurity;
const scoped = "Customers belong to the project of the API key; other projects' customers are not visible.";

export const createCustomer = createRoute({
  method: "post",
  path: "/customers",
  tags,
  security,
  summary: "Register a customer to call",
  description: `Send one phone as \`phone\` (as in Echo's quickstart) or several as \`phones\`. Numbers are validated and stored in E.164. ${scoped}`,
  request: { body: jsonBody(CreateCustomerBody) },
  responses: {
    201: json(Customer, "The new customer."),
    ...commonErrors,
    403: errors[403],
    409: errors[409],
    415: errors[415],
    422: errors[422],
  },
});

export const listCustomers = createRoute({
  method: "get",
  path: "/customers",
  tags,
  security,
  summary: "List or search customers, newest first",
  description: `Filter by \`external_id\` or search with \`q\`. ${scoped}`,
  request: { query: CustomerListQuery },
  responses: { 200: json(CustomerPage, "A page of customers."), ...commonErrors, 403: errors[403] },
});

export const getCustomer = createRoute({
  method: "get",
  path: "/customers/{id}",
  tags,
  security,
  summary: "Get a customer by Parley's id",
  description: scoped,
  request: { params: CustomerIdParam },
  responses: { 200: json(Customer, "The customer."), ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const getCustomerByExternalId = createRoute({
  method: "get",
  path: "/customers/by-external-id/{external_id}",
  tags,
  security,
  summary: "Get a customer by your own external_id",
  description: `Lets you look customers up without storing Parley's ids. URL-encode the id. ${scoped}`,
  request: { params: ExternalIdParam },
  responses: { 200: json(Customer, "The customer."), ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const updateCustomer = createRoute({
  method: "patch",
  path: "/customers/{id}",
  tags,
  security,
  summary: "Change some of a customer's fields",
  description: `Only the fields sent change; null clears an optional field. Sending \`phones\` (or \`phone\`) replaces the whole list. ${scoped}`,
  request: { params: CustomerIdParam, body: jsonBody(UpdateCustomerBody) },
  responses: {
    200: json(Customer, "The updated customer."),
    ...commonErrors,
    403: errors[403],
    404: errors[404],
    409: errors[409],
    415: errors[415],
  },
});

export const deleteCustomer = createRoute({
  method: "delete",
  path: "/customers/{id}",
  tags,
  security,
  summary: "Delete a customer and their phones",
  description: `A customer who already has notifications is kept for their history: that answers 409. ${scoped}`,
  request: { params: CustomerIdParam },
  responses: { 204: { description: "Deleted." }, ...commonErrors, 403: errors[403], 404: errors[404], 409: errors[409] },
});
