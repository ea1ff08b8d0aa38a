// The message of an error answer from Offload (the queue or the gateway, both Anthropic-shaped:
// `{type:"error", error:{type, message}}`), or the start of its body as text when it is not.
/** The message of an error answer (`{type:"error", error:{message}}`), or its start as text. */
export async function readErrorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") return body.error.message;
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 300) || res.statusText || "no message";
}
