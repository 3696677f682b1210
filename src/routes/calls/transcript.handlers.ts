import type { RouteHandler } from "@hono/zod-openapi";
import { asc, eq } from "drizzle-orm";
import { isTerminal } from "../../calls/call-plan";
import type { CallRow } from "../../calls/dispatch";
import { issueLiveToken } from "../../calls/live-token";
import type { Db } from "../../db/client";
import { transcriptEntries } from "../../db/schema";
import type { AppEnv } from "../../lib/app-env";
import { projectCaller } from "../../lib/caller";
import { ApiError } from "../../lib/errors";
import { reportFor, transcriptText } from "../../post-call/report";
import { reprocessCall } from "../../post-call/reprocess";
import { findCall } from "./calls.records";
import type { getLive, getReport, getTranscript, reprocessTranscript } from "./transcript.routes";

/** The call's lines in the order they were said (a line is saved when recognised, which can be later). */
async function transcriptOf(db: Db, call: CallRow) {
  const rows = await db.select().from(transcriptEntries).where(eq(transcriptEntries.callId, call.id)).orderBy(asc(transcriptEntries.startMs), asc(transcriptEntries.seq));
  const entries = rows.map((e) => ({ speaker: e.speaker, text: e.text, start_ms: e.startMs, end_ms: e.endMs, interrupted: e.interrupted }));
  return { call_id: call.id, entries, text: transcriptText(entries) };
}

export const getTranscriptHandler: RouteHandler<typeof getTranscript, AppEnv> = async (c) => {
  const db = c.get("db");
  const call = await findCall(db, projectCaller(c).projectId, c.req.valid("param").id);
  return c.json(await transcriptOf(db, call), 200);
};

export const reprocessTranscriptHandler: RouteHandler<typeof reprocessTranscript, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const db = c.get("db");
  const call = await findCall(db, projectId, c.req.valid("param").id);
  if (!isTerminal(call.status)) throw new ApiError("conflict", "This call is not finished yet; its results are worked out when it ends.");
  await reprocessCall(c.env, call.id);
  const processed = await findCall(db, projectId, call.id);
  const transcript = await transcriptOf(db, processed);
  const report = await reportFor(db, processed, transcript.entries);
  return c.json({ transcript, analysis: processed.analysis ?? null, summary: processed.summary, report }, 200);
};

export const getReportHandler: RouteHandler<typeof getReport, AppEnv> = async (c) => {
  const db = c.get("db");
  const call = await findCall(db, projectCaller(c).projectId, c.req.valid("param").id);
  const report = await reportFor(db, call, (await transcriptOf(db, call)).entries);
  return c.json({ call_id: call.id, report }, 200);
};

export const getLiveHandler: RouteHandler<typeof getLive, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const call = await findCall(c.get("db"), projectId, c.req.valid("param").id);
  const origin = new URL(c.req.url);
  const url = `${origin.protocol === "http:" ? "ws:" : "wss:"}//${origin.host}/ws/calls/${call.id}`;
  return c.json(
    {
      websocket_url: url,
      call_id: call.id,
      temp_token: await issueLiveToken(c.env, call.id, projectId),
      connection_info: {
        url,
        auth_method: "query_param" as const,
        auth_param: "api_key" as const,
        temp_auth_param: "session_token" as const,
        example: `${url}?api_key=YOUR_API_KEY`,
        example_session: `${url}?session_token=TEMP_TOKEN`,
        message_format: "json" as const,
        message_types: ["connected" as const, "transcript_update" as const, "call_status_update" as const, "error" as const],
      },
    },
    200,
  );
};
