import { createRoute } from "@hono/zod-openapi";
import { commonErrors, errors, json, jsonBody } from "../../lib/openapi";
import { LoginBody, RefreshBody, SessionResponse, SignupBody, SignupResponse, TokenPairResponse } from "./auth.schemas";

const tags = ["Accounts"];
const { 401: _unauth, ...publicErrors } = commonErrors;

export const signup = createRoute({
  method: "post",
  path: "/signup",
  tags,
  summary: "Create a business, its first user, a default project and its API key",
  description: "The API key in `default_project.api_key` is shown once; only its hash is stored.",
  request: { body: jsonBody(SignupBody) },
  responses: {
    201: json(SignupResponse, "The new account, signed in."),
    ...publicErrors,
    409: errors[409],
    415: errors[415],
    422: errors[422],
  },
});

export const login = createRoute({
  method: "post",
  path: "/login",
  tags,
  summary: "Sign in with email and password",
  request: { body: jsonBody(LoginBody) },
  responses: { 200: json(SessionResponse, "Signed in."), ...commonErrors, 409: errors[409], 415: errors[415], 422: errors[422] },
});

export const refresh = createRoute({
  method: "post",
  path: "/refresh",
  tags,
  summary: "Trade a refresh token for a new token pair",
  description: "Refresh tokens are single-use: each call returns a new one. Presenting a used one ends the whole session.",
  request: { body: jsonBody(RefreshBody) },
  responses: { 200: json(TokenPairResponse, "A new token pair."), ...commonErrors, 409: errors[409], 415: errors[415], 422: errors[422] },
});

export const logout = createRoute({
  method: "post",
  path: "/logout",
  tags,
  summary: "End the session a refresh token belongs to",
  description: "Every access and refresh token of the session stops working at once. Unknown tokens are accepted silently.",
  request: { body: jsonBody(RefreshBody) },
  responses: { 204: { description: "Signed out." }, ...publicErrors, 409: errors[409], 415: errors[415], 422: errors[422] },
});
