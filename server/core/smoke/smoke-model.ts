// Which model a smoke run talks to: "ollama/<name>" or "anthropic/<name>"; a bare name is Claude
// when it starts with "claude", else a local Ollama model.
import { OffloadError } from "@/server/core/errors";

export type SmokeModel = { provider: "ollama" | "anthropic"; name: string; id: string };

export function parseSmokeModel(spec: string): SmokeModel {
  const s = spec.trim();
  const m = /^(ollama|anthropic)\/(.+)$/.exec(s);
  const provider = m ? (m[1] as SmokeModel["provider"]) : /^claude/i.test(s) ? "anthropic" : "ollama";
  const name = (m ? m[2]! : s).trim();
  if (!name || /\s/.test(name) || name.length > 200 || (!m && name.includes("/")))
    throw new OffloadError(
      "BAD_REQUEST",
      `"${spec}" is not a model: use ollama/<model> or anthropic/<model>, e.g. ollama/qwen3:8b`,
      "model",
    );
  return { provider, name, id: `${provider}/${name}` };
}
