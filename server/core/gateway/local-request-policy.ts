// How a request is fitted to the local model: the context it needs, the keep-alive that keeps the
// model loaded between heartbeats, and whether the prompt fits at all (Ollama silently truncates a
// prompt longer than its context; a truncated heartbeat is a wrong heartbeat).

/** Characters per token assumed when estimating a prompt: low on purpose (code and JSON are dense), so estimates err large. */
const CHARS_PER_TOKEN = 3.5;

export function estimateTokens(characters: number): number {
  return Math.ceil(characters / CHARS_PER_TOKEN);
}

/** The operator's answer reserve when the setting is not passed (setting localAnswerReserveTokens). */
export const DEFAULT_ANSWER_RESERVE = 2_048;

/** Room kept for the answer inside the context window: the request's max_tokens, at most the reserve. */
export function answerReserve(maxTokens: number, reserveTokens: number = DEFAULT_ANSWER_RESERVE): number {
  return Math.min(Math.max(1, maxTokens), reserveTokens);
}

/** need: the prompt's estimated tokens plus the answer's room, what a context must hold to serve the turn. */
export type ContextFit = { fits: true; need: number } | { fits: false; need: number; reason: string };

export function fitLocalContext(
  promptTokens: number,
  maxTokens: number,
  contextTokens: number,
  reserveTokens: number = DEFAULT_ANSWER_RESERVE,
): ContextFit {
  const need = promptTokens + answerReserve(maxTokens, reserveTokens);
  if (need <= contextTokens) return { fits: true, need };
  return {
    fits: false,
    need,
    reason: `the prompt (~${promptTokens.toLocaleString("en-US")} tokens) and room for the answer exceed the local context of ${contextTokens.toLocaleString("en-US")} tokens`,
  };
}

/** Keep-alive in minutes: the setting, but never shorter than the longest heartbeat plus a 5-minute margin. */
export function keepAliveMinutes(settingMinutes: number, longestHeartbeatMinutes: number): number {
  return Math.max(settingMinutes, longestHeartbeatMinutes > 0 ? longestHeartbeatMinutes + 5 : 0);
}
