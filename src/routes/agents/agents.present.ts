import type { agents } from "../../db/schema";
import { templateVariables } from "../../domain/prompt-variables";
import type { AgentResponse } from "./agents.schemas";

export type AgentRow = typeof agents.$inferSelect;

/** An agent as the API shows it: the stored row plus its status and the variables its texts use. */
export function present(row: AgentRow): AgentResponse {
  return {
    id: row.id,
    name: row.name,
    status: row.enabled ? "active" : "disabled",
    enabled: row.enabled,
    recording_enabled: row.recordingEnabled,
    system_prompt: row.systemPrompt,
    description: row.description,
    starting_message: row.startingMessage,
    output_schema: row.outputSchema,
    voice_settings: row.voiceSettings,
    language: row.language,
    dtmf_rules: row.dtmfRules as AgentResponse["dtmf_rules"],
    voicemail_message: row.voicemailMessage,
    transfer_number: row.transferNumber,
    variables: templateVariables(row.systemPrompt, row.startingMessage, row.voicemailMessage),
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}
