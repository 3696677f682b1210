import { type Context, Hono } from "hono";
import { EMULATOR_ACCOUNT_SID, emulatorAuthToken, emulatorSpeed } from "../credentials";
import { readDialRequest } from "./call-request";
import { API_VERSION, newSid, rfc2822, type TwilioErrorBody, twilioError } from "./twilio-wire";

/**
 * The emulated Twilio REST API: just the Calls resource Parley uses, with Twilio's
 * authentication, form-encoded bodies, validation and error shapes. Each call is played by its
 * own EmulatedCall object.
 */
export const carrierApp = new Hono<{ Bindings: Env }>();

type CarrierContext = Context<{ Bindings: Env }>;

const ACCOUNT = `/${API_VERSION}/Accounts/:accountSid`;

const fail = (c: CarrierContext, body: TwilioErrorBody) => c.json(body, body.status as 400);

const notFound = (c: CarrierContext) =>
  fail(c, twilioError(404, 20404, `The requested resource ${new URL(c.req.url).pathname} was not found`));

/** The form body. A body that is not form-encoded just lacks the parameters, as with Twilio. */
const readForm = async (c: CarrierContext) => new URLSearchParams(new TextDecoder().decode(await c.req.arrayBuffer()));

const callObject = (env: Env, callSid: string) => env.EMULATED_CALL.get(env.EMULATED_CALL.idFromName(callSid));

/** Basic auth with the emulated account's SID and auth token, for the account in the path. */
carrierApp.use(`/${API_VERSION}/*`, async (c, next) => {
  const header = c.req.header("authorization") ?? "";
  let credentials = "";
  try {
    credentials = header.startsWith("Basic ") ? atob(header.slice(6).trim()) : "";
  } catch {}
  const expected = `${EMULATOR_ACCOUNT_SID}:${await emulatorAuthToken(c.env)}`;
  const pathAccount = c.req.path.split("/")[3];
  if (credentials !== expected || (pathAccount !== undefined && pathAccount !== EMULATOR_ACCOUNT_SID)) {
    c.header("WWW-Authenticate", 'Basic realm="Twilio API"');
    return fail(c, twilioError(401, 20003, "Authenticate"));
  }
  await next();
});

carrierApp.post(`${ACCOUNT}/Calls.json`, async (c) => {
  const form = await readForm(c);
  const callSid = newSid("CA");
  const dial = readDialRequest(form, {
    callSid,
    accountSid: EMULATOR_ACCOUNT_SID,
    speed: emulatorSpeed(c.env),
    now: rfc2822(new Date()),
  });
  if ("code" in dial) return fail(c, dial);
  const call = await callObject(c.env, callSid).start(dial);
  return c.json(call, 201);
});

carrierApp.get(`${ACCOUNT}/Calls/:file{CA[0-9a-f]{32}\\.json}`, async (c) => {
  const callSid = c.req.param("file").slice(0, -".json".length);
  const call = await callObject(c.env, callSid).resource();
  return call ? c.json(call) : notFound(c);
});

/** Update a call: `Status=completed` hangs up, `Status=canceled` cancels, `Twiml`/`Url` redirect. */
carrierApp.post(`${ACCOUNT}/Calls/:file{CA[0-9a-f]{32}\\.json}`, async (c) => {
  const callSid = c.req.param("file").slice(0, -".json".length);
  const form = await readForm(c);
  const status = form.get("Status");
  if (status && status !== "completed" && status !== "canceled") {
    return fail(c, twilioError(400, 21200, `Invalid Status: ${status}. Use completed or canceled.`));
  }
  if (!status && !form.get("Twiml") && !form.get("Url")) {
    return fail(c, twilioError(400, 21200, "Nothing to update: send Status, Twiml or Url."));
  }
  const result = await callObject(c.env, callSid).update({ status, twiml: form.get("Twiml"), url: form.get("Url") });
  if (!result) return notFound(c);
  if ("code" in result) return fail(c, result);
  return c.json(result);
});

carrierApp.notFound(notFound);
