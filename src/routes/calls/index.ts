import { createRouter } from "../../lib/router";
import * as handlers from "./calls.handlers";
import * as routes from "./calls.routes";
import { createCallHandler } from "./one-shot.handlers";
import * as recording from "./recording.handlers";
import * as recordingRoutes from "./recording.routes";
import * as transcript from "./transcript.handlers";
import * as transcriptRoutes from "./transcript.routes";

export const callsRouter = createRouter()
  .openapi(routes.createCall, createCallHandler)
  .openapi(routes.listCalls, handlers.listCallsHandler)
  .openapi(routes.getCall, handlers.getCallHandler)
  .openapi(routes.endCallRoute, handlers.endCallHandler)
  .openapi(routes.cancelCallRoute, handlers.cancelCallHandler)
  .openapi(transcriptRoutes.getTranscript, transcript.getTranscriptHandler)
  .openapi(transcriptRoutes.reprocessTranscript, transcript.reprocessTranscriptHandler)
  .openapi(transcriptRoutes.getReport, transcript.getReportHandler)
  .openapi(transcriptRoutes.getLive, transcript.getLiveHandler)
  .openapi(recordingRoutes.getRecording, recording.getRecordingHandler)
  .openapi(recordingRoutes.streamRecording, recording.streamRecordingHandler)
  .openapi(recordingRoutes.deleteRecording, recording.deleteRecordingHandler);
