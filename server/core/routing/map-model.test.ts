import { describe, expect, it } from "vitest";
import { mapModel, type ModelMapping } from "./map-model";

const fleet: ModelMapping = { from: "claude-opus-4-6", to: "claude-sonnet-4-6", agentId: null, taskTypeId: null };
const forAgent: ModelMapping = { from: "claude-opus-4-6", to: "claude-haiku-4-5", agentId: "loash", taskTypeId: null };
const forTask: ModelMapping = {
  from: "claude-opus-4-6",
  to: "claude-opus-4-1",
  agentId: null,
  taskTypeId: "code-review",
};

describe("mapModel", () => {
  it("serves the requested model when nothing maps it", () => {
    expect(mapModel("claude-haiku-4-5", { agentId: "loash", taskTypeId: null }, [fleet, forAgent])).toEqual({
      model: "claude-haiku-4-5",
      mapping: null,
    });
    expect(mapModel("claude-opus-4-6", { agentId: "a", taskTypeId: null }, [])).toEqual({
      model: "claude-opus-4-6",
      mapping: null,
    });
  });

  it("applies the most specific mapping: agent over task type over the fleet", () => {
    const all = [fleet, forTask, forAgent];
    expect(mapModel("claude-opus-4-6", { agentId: "other", taskTypeId: null }, all).model).toBe("claude-sonnet-4-6");
    expect(mapModel("claude-opus-4-6", { agentId: "other", taskTypeId: "code-review" }, all).model).toBe(
      "claude-opus-4-1",
    );
    expect(mapModel("claude-opus-4-6", { agentId: "loash", taskTypeId: "code-review" }, all)).toEqual({
      model: "claude-haiku-4-5",
      mapping: forAgent,
    });
  });

  it("takes the first of equally specific mappings, and ignores one that maps a model to itself", () => {
    const second = { ...fleet, to: "claude-haiku-4-5" };
    expect(mapModel("claude-opus-4-6", { agentId: "x", taskTypeId: null }, [fleet, second]).model).toBe(
      "claude-sonnet-4-6",
    );
    const identity = { ...fleet, to: "claude-opus-4-6" };
    expect(mapModel("claude-opus-4-6", { agentId: "x", taskTypeId: null }, [identity])).toEqual({
      model: "claude-opus-4-6",
      mapping: null,
    });
  });
});
