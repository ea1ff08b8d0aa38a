// Which lane each recent conversation's tool loop runs on: a turn that only returns tool results
// continues the lane of the turn that began the loop, unless that turn escalated. Kept briefly in
// memory (entries expire after a few idle minutes; the oldest go first past a bound), keyed by the
// agent and the conversation key of core/turns/read-turn.ts. Losing it only means deciding afresh.
import type { Lane } from "@/server/core/lanes";
import { processSlot } from "@/server/process/process-registry";

export type ConversationLane = {
  lane: Lane;
  taskTypeId: string | null;
  /** The loop's turn was moved off its lane (Ollama down, context, a failed check): later turns decide afresh. */
  escalated: boolean;
};

export type ConversationLanesOptions = { maxEntries?: number; ttlMs?: number; now?: () => number };

export class ConversationLanes {
  private readonly entries = new Map<string, { value: ConversationLane; expiresAt: number }>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: ConversationLanesOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Remembers a conversation's lane (the most recently touched entries are kept past the bound). */
  remember(key: string, value: ConversationLane): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The lane a loop continues on: null when unknown, expired or escalated. A hit keeps the entry alive. */
  follow(key: string): ConversationLane | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    if (entry.value.escalated) return null;
    this.remember(key, entry.value);
    return entry.value;
  }

  /** The conversation's turn escalated: its loop no longer sticks to the lane. */
  markEscalated(key: string): void {
    const entry = this.entries.get(key);
    if (entry) entry.value = { ...entry.value, escalated: true };
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The gateway's conversations: one map per process, whichever copy of this module serves the turn. */
export const conversationLanes = processSlot("conversationLanes", () => new ConversationLanes());

/** The key an agent's conversation is remembered under. */
export function conversationLaneKey(agentId: string, conversationKey: string): string {
  return `${agentId}\u0000${conversationKey}`;
}
