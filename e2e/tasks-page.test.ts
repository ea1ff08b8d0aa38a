// End to end: the Tasks page in headless Chromium against the production build. Two agents queue,
// claim and complete tasks over REST with their keys (a sidecar file.write run as a script, one the
// sidecar escalated to a model, a code review routed to Claude that fails, a config edit left claimed,
// a status report left queued; a payload that breaks the file.write contract is a 400 naming its
// field). On the page: the counts by lane and status, throughput, the sidecar's zero-token work, the
// failure with its error; a sidecar finishing while the page is open shows without a reload; Re-queue
// and Cancel; a task's payload and result; the filters; queueing from the form, with a payload that
// is not JSON and one the server refuses.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import {
  cliToken,
  launchBrowser,
  openPage,
  screenshotDir,
  trpcQuery,
  visibleAlerts,
  type Browser,
} from "@/server/testing/browser";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";

let server: StartedServer;
let browser: Browser;
let ollama: FakeOllama;
const keys: Record<string, string> = {};

type Task = { id: string; title: string; status: string; lane: string; model: string | null; taskType: string | null };
type Overview = {
  counts: { lane: string; status: string; tasks: number }[];
  sidecar: { tasks: number; avoidedUsd: number };
};

async function addAgent(id: string, name: string): Promise<void> {
  const res = await fetch(`${server.url}/api/trpc/agents.add`, {
    method: "POST",
    headers: { authorization: `Bearer ${cliToken(server)}`, "content-type": "application/json" },
    body: JSON.stringify({ json: { id, name } }),
  });
  expect(res.status).toBe(200);
  keys[id] = ((await res.json()) as { result: { data: { json: { key: string } } } }).result.data.json.key;
}

async function call(
  agent: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}/api/v1/${route}`, {
    method,
    headers: { "x-api-key": keys[agent]!, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function queue(agent: string, body: Record<string, unknown>): Promise<Task> {
  const res = await call(agent, "POST", "tasks", body);
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json as Task;
}

/** Claims the next task as `agent`; it must be `expected` (the queue is arranged so). */
async function claim(agent: string, expected: Task): Promise<void> {
  const res = await call(agent, "GET", `tasks/next?agent=${agent}`);
  expect(res.status).toBe(200);
  expect(res.json).toMatchObject({ id: expected.id, lane: expected.lane });
}

async function complete(agent: string, task: Task, body: Record<string, unknown>): Promise<void> {
  const res = await call(agent, "POST", `tasks/${task.id}/complete`, body);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  expect(res.json).toMatchObject({ id: task.id, status: body.status });
}

async function statusOf(id: string): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/tasks/${id}`, {
    headers: { authorization: `Bearer ${cliToken(server)}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as Task).status;
}

/** Polls until `read` gives `expected` (the page refreshes every 3 s; the turn writer flushes every 200 ms). */
async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 150));
    last = await read();
  }
  expect(last).toEqual(expected);
}

const count = (page: Page, lane: string, status: string): Locator =>
  page
    .getByRole("table", { name: "Tasks by lane and status" })
    .locator(`tr[data-lane="${lane}"] td[data-status="${status}"]`);
const countText = (page: Page, lane: string, status: string) => async () =>
  (await count(page, lane, status).innerText()).trim();
const taskRow = (page: Page, id: string): Locator =>
  page.getByRole("table", { name: "Tasks", exact: true }).locator(`tr[data-task-id="${id}"]`);

/** Console errors and uncaught errors (hydration mismatches are reported there). */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  return errors;
}

describe("tasks page", () => {
  const tasks: Record<"write" | "escalated" | "review" | "config" | "status", Task> = {} as never;

  beforeAll(async () => {
    // A healthy Ollama: local lanes stay local.
    ollama = await startFakeOllama();
    ollama.setModels(["qwen3:8b"], ["qwen3:8b"]);
    server = await startServer({ env: { OLLAMA_HOST: ollama.url } });
    browser = await launchBrowser();
    await addAgent("builder", "Builder");
    await addAgent("reviewer", "Reviewer");

    // A Claude turn the builder reported: the fleet's average Claude cost per turn, which a script saves.
    const reported = await call("builder", "POST", "turns", {
      turns: [{ model: "claude-opus-4-6", usage: { input_tokens: 20_000, output_tokens: 1_500 }, latencyMs: 9_000 }],
    });
    expect(reported.status, JSON.stringify(reported.json)).toBe(201);

    // A file.write: Tier 0 whatever its text says, run by the sidecar as a script.
    tasks.write = await queue("builder", {
      title: "Write the release notes",
      payload: { action: "file.write", path: "notes/release.md", content: "# 1.4\n- the Tasks page\n" },
    });
    expect(tasks.write).toMatchObject({
      lane: "sidecar",
      model: null,
      taskType: "file-write-literal",
      status: "queued",
    });
    await claim("builder", tasks.write);
    await complete("builder", tasks.write, {
      status: "done",
      executedBy: "sidecar",
      result: { action: "file.write", path: "notes/release.md", bytes: 22 },
    });

    // One the sidecar could not do as a script and handed to the agent's model.
    tasks.escalated = await queue("builder", {
      title: "Read the worker log",
      payload: { action: "file.read", path: "logs/worker.log" },
    });
    await claim("builder", tasks.escalated);
    await complete("builder", tasks.escalated, { status: "done", executedBy: "sidecar", escalated: true, turns: 2 });

    // A code review goes to Claude; the reviewer claims it and fails.
    tasks.review = await queue("reviewer", { title: "Review PR 128: the auth refactor", taskType: "code-review" });
    expect(tasks.review).toMatchObject({ lane: "claude", taskType: "code-review" });
    expect(tasks.review.model).toMatch(/^claude-/);
    await claim("reviewer", tasks.review);
    await complete("reviewer", tasks.review, {
      status: "failed",
      error: "git fetch origin pull/128/head: repository not found",
    });

    // A payload naming a sidecar action must follow its contract: a 400 naming the field, nothing queued.
    const refused = await call("builder", "POST", "tasks", {
      title: "Write nowhere",
      payload: { action: "file.write", path: "", content: "x" },
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ type: "invalid_request_error", field: "payload.path" });
    expect(refused.json.error.message).toMatch(/^payload\.path: /);

    // A config edit (Local with care), claimed and still running; a status report (Local) left queued.
    tasks.config = await queue("builder", {
      title: "Set retries to 5 in config/worker.yaml",
      taskType: "config-update",
    });
    expect(tasks.config.lane).toBe("local_careful");
    await claim("builder", tasks.config);
    tasks.status = await queue("builder", {
      title: "Post the status report for sprint 42 to #ops",
      taskType: "status-report",
    });
    expect(tasks.status).toMatchObject({ lane: "local", status: "queued" });

    // The sidecar's work is a zero-token turn, written a moment after the completion.
    await eventually(async () => (await trpcQuery<Overview>(server, "tasks.overview", {})).sidecar.tasks, 1);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await ollama?.close();
  });

  it("shows the queue by lane and status, throughput, the sidecar's savings and the failure, live", async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    try {
      await openPage(page, server, "/tasks");
      await page.getByRole("link", { name: "Tasks", exact: true }).and(page.locator('[aria-current="page"]')).waitFor();

      // The counts per lane and status.
      const expected: [string, string, string][] = [
        ["sidecar", "done", "2"],
        ["sidecar", "queued", "0"],
        ["local", "queued", "1"],
        ["local_careful", "claimed", "1"],
        ["claude", "failed", "1"],
        ["claude", "done", "0"],
        ["all", "all", "5"],
      ];
      for (const [lane, status, n] of expected)
        expect(await countText(page, lane, status)(), `${lane} ${status}`).toBe(n);
      const lanes = await page
        .getByRole("table", { name: "Tasks by lane and status" })
        .locator("tbody th")
        .allInnerTexts();
      expect(lanes.map((l) => l.trim())).toEqual(["T0 Sidecar", "T1 Local", "T2 Local with care", "T3 Claude"]);

      // Throughput by who ran the tasks, the medians, and the sidecar's zero-token work.
      expect(await page.getByTestId("throughput-totals").innerText()).toBe(
        "3 ended in the last 24 hours: 1 sidecar script, 1 sidecar, escalated to a model, 0 agent, 1 failed.",
      );
      expect(
        await page.locator('[data-chart="throughput"] .recharts-bar-rectangle path').count(),
      ).toBeGreaterThanOrEqual(3);
      const stats = page.getByTestId("task-stats");
      expect(await stats.innerText()).toMatch(/Median wait\s+\d+\.\d+ s/i);
      expect(await stats.innerText()).toMatch(/Median run\s+\d+\.\d+ s/i);
      expect(await page.getByTestId("sidecar-tasks").innerText()).toBe("1 task");
      expect(await page.getByTestId("sidecar-avoided").innerText()).toMatch(
        /^\$\d+\.\d{2,4} of Claude avoided · last 7 days$/,
      );
      expect(await page.getByTestId("sidecar-avoided").innerText()).not.toMatch(/^\$0\.00 /);

      // The failure with its error.
      const failure = page.getByRole("list", { name: "Failed tasks" }).locator(`li[data-task-id="${tasks.review.id}"]`);
      expect(await failure.innerText()).toContain("Review PR 128: the auth refactor");
      expect(await failure.getByTestId("task-error").innerText()).toBe(
        "git fetch origin pull/128/head: repository not found",
      );
      expect(await failure.innerText()).toMatch(/by Reviewer · 1 attempt · failed (just now|\d+ s ago|\d+ min ago)/);
      expect(await visibleAlerts(page)).toEqual([]);
      await page.screenshot({ path: path.join(screenshotDir, "tasks.png"), fullPage: true });

      // A sidecar finishing a task while the page is open shows without a reload (the page reads every 3 s).
      const live = await queue("reviewer", {
        title: "Fetch the reviewer's branch",
        payload: { action: "git.fetch" },
      });
      await eventually(countText(page, "sidecar", "queued"), "1");
      await claim("reviewer", live);
      await complete("reviewer", live, {
        status: "done",
        executedBy: "sidecar",
        result: { action: "git.fetch", exitCode: 0, stdout: "", stderr: "" },
      });
      await eventually(countText(page, "sidecar", "done"), "3");
      await eventually(async () => (await page.getByTestId("sidecar-tasks").innerText()).trim(), "2 tasks");
      expect(await taskRow(page, live.id).locator("[data-task-status]").innerText()).toBe("done");

      // Re-queue the failed review: it leaves the failures and is queued again.
      await failure.getByRole("button", { name: "Re-queue “Review PR 128: the auth refactor”" }).click();
      await failure.waitFor({ state: "detached" });
      await eventually(countText(page, "claude", "queued"), "1");
      expect(await countText(page, "claude", "failed")()).toBe("0");
      expect(await taskRow(page, tasks.review.id).locator("[data-task-status]").innerText()).toBe("queued");
      expect(await statusOf(tasks.review.id)).toBe("queued");
      await page.getByText("No failed tasks.").waitFor();

      // Cancel the queued status report from its row.
      const statusRow = taskRow(page, tasks.status.id);
      expect(await statusRow.getByRole("button", { name: /^Re-queue/ }).count()).toBe(0);
      await statusRow.getByRole("button", { name: "Cancel “Post the status report for sprint 42 to #ops”" }).click();
      await eventually(async () => (await statusRow.locator("[data-task-status]").innerText()).trim(), "cancelled");
      await eventually(countText(page, "local", "cancelled"), "1");
      expect(await countText(page, "local", "queued")()).toBe("0");
      expect(await statusOf(tasks.status.id)).toBe("cancelled");
      // A cancelled task can be re-queued, not cancelled again.
      expect(await statusRow.getByRole("button", { name: /^Cancel/ }).count()).toBe(0);
      expect(await statusRow.getByRole("button", { name: /^Re-queue/ }).count()).toBe(1);

      // A row, clicked, shows its payload and result as JSON.
      const writeRow = taskRow(page, tasks.write.id);
      expect(await writeRow.locator("td").nth(1).innerText()).toBe("Sidecar");
      expect(await writeRow.locator("td").nth(2).innerText()).toBe("no model");
      expect(await writeRow.locator("td").nth(3).innerText()).toBe("Write a literal to a file");
      expect(await writeRow.innerText()).toContain("sidecar script");
      await writeRow.locator("td").nth(6).click(); // the attempts cell: anywhere on the row
      const details = page.locator(`tr[data-task-details="${tasks.write.id}"]`);
      await details.waitFor({ state: "visible" });
      expect(JSON.parse(await details.getByLabel("Payload").innerText())).toEqual({
        action: "file.write",
        path: "notes/release.md",
        content: "# 1.4\n- the Tasks page\n",
      });
      expect(JSON.parse(await details.getByLabel("Result").innerText())).toEqual({
        action: "file.write",
        path: "notes/release.md",
        bytes: 22,
      });
      expect(await details.innerText()).toContain("sidecar action file.write: a script, no model");
      const reviewRow = taskRow(page, tasks.review.id);
      expect(await reviewRow.locator("td").nth(2).innerText()).toBe(tasks.review.model!);
      expect(await reviewRow.locator("td").nth(3).innerText()).toBe("Code review");
      expect(await reviewRow.locator("td").nth(4).innerText()).toBe("Reviewer");
      const configRow = taskRow(page, tasks.config.id);
      expect(await configRow.locator("td").nth(5).innerText()).toBe("claimed");
      expect(await configRow.locator("td").nth(6).innerText()).toBe("1");
      expect(await configRow.getByRole("button").allInnerTexts()).toEqual([
        expect.stringContaining("Set retries"),
        "Re-queue",
        "Cancel",
      ]);
      await page.getByRole("table", { name: "Tasks", exact: true }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(screenshotDir, "tasks-details.png"), fullPage: true });

      // The filters: by lane (from a count, then the select), by status, by agent; kept in the URL.
      await page.getByRole("button", { name: "Sidecar, done: 3. Show them" }).click();
      const rows = page.getByRole("table", { name: "Tasks", exact: true }).locator("tbody tr[data-task-id]");
      await eventually(async () => rows.count(), 3);
      expect(new URL(page.url()).search).toBe("?status=done&lane=sidecar");
      expect(await page.getByLabel("Filter by lane").inputValue()).toBe("sidecar");
      await page.getByLabel("Filter by status").selectOption("");
      await page.getByLabel("Filter by agent").selectOption("reviewer");
      await eventually(
        async () => (await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-task-id")))).sort(),
        [live.id].sort(),
      );
      await page.getByLabel("Filter by lane").selectOption("");
      await eventually(async () => rows.count(), 2); // the review (claimed by the reviewer) and the live fetch
      await page.getByRole("button", { name: "Clear filters" }).click();
      await eventually(async () => rows.count(), 6);
      expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe("/tasks");
      expect(await visibleAlerts(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("queues a task from the form, refuses a payload that is not JSON, and shows the server's refusal by its field", async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    try {
      await openPage(page, server, "/tasks");
      const form = page.getByRole("form", { name: "Queue a task" });
      const payload = form.getByLabel(/^Payload JSON/);

      // Not JSON: said beside the box, and the form is not sent.
      await form.getByLabel("Title").fill("Append the changelog entry");
      await form.getByLabel(/^Description/).fill("For the 1.4 release.");
      await form.getByLabel("Agent").selectOption("builder");
      await payload.fill('{"action": "file.append", path: "CHANGELOG.md"}');
      const payloadError = form.getByRole("alert").filter({ hasText: /^Payload: not valid JSON: / });
      await payloadError.waitFor({ state: "visible" });
      expect(await payload.getAttribute("aria-invalid")).toBe("true");
      expect(await form.getByRole("button", { name: "Queue task" }).isDisabled()).toBe(true);
      await form.screenshot({ path: path.join(screenshotDir, "tasks-form-invalid-json.png") });

      // JSON, but not a valid file.append (no content): the server's refusal names payload.content.
      await payload.fill('{"action": "file.append", "path": "CHANGELOG.md"}');
      await payloadError.waitFor({ state: "detached" });
      await form.getByRole("button", { name: "Queue task" }).click();
      const refused = form.getByRole("alert").filter({ hasText: /^payload\.content: / });
      await refused.waitFor({ state: "visible" });
      expect(await payload.getAttribute("aria-invalid")).toBe("true");
      expect(await payload.getAttribute("aria-describedby")).toBe(await refused.getAttribute("id"));
      await form.screenshot({ path: path.join(screenshotDir, "tasks-form-refused.png") });

      // Fixed: queued as a sidecar task, and listed.
      await payload.fill('{"action": "file.append", "path": "CHANGELOG.md", "content": "- the Tasks page\\n"}');
      await form.getByRole("button", { name: "Queue task" }).click();
      await form
        .getByRole("status")
        .filter({ hasText: "Queued “Append the changelog entry”: Tier 0 · Sidecar, no model." })
        .waitFor({ state: "visible" });
      expect(await form.getByLabel("Title").inputValue()).toBe("");
      const listed = page.getByRole("table", { name: "Tasks", exact: true }).locator("tbody tr[data-task-id]").first();
      await listed.getByRole("button", { name: "Append the changelog entry", exact: true }).waitFor();
      expect(await listed.locator("td").nth(1).innerText()).toBe("Sidecar");
      expect(await listed.locator("td").nth(4).innerText()).toBe("Builder");
      expect(await listed.locator("td").nth(5).innerText()).toBe("queued");
      const id = await listed.getAttribute("data-task-id");
      const stored = await trpcQuery<{ tasks: (Task & { agent: string; description: string; payload: unknown })[] }>(
        server,
        "tasks.overview",
        { status: "queued", lane: "sidecar" },
      );
      expect(stored.tasks.find((t) => t.id === id)).toMatchObject({
        title: "Append the changelog entry",
        description: "For the 1.4 release.",
        agent: "builder",
        payload: { action: "file.append", path: "CHANGELOG.md", content: "- the Tasks page\n" },
      });

      // A task routed by its type, with no payload; an empty title is refused by name.
      await form.getByLabel("Title").fill("   ");
      await form.getByRole("button", { name: "Queue task" }).click();
      await form
        .getByRole("alert")
        .filter({ hasText: /^title: / })
        .waitFor({ state: "visible" });
      await form.getByLabel("Title").fill("Summarise the last 500 lines of the worker log");
      await form.getByLabel("Task type").selectOption("log-summarization");
      await form.getByRole("button", { name: "Queue task" }).click();
      await form
        .getByRole("status")
        .filter({
          hasText: /^Queued “Summarise the last 500 lines of the worker log”: Tier 2 · Local with care \(.+\)\.$/,
        })
        .waitFor();
      expect(await form.getByRole("alert").count()).toBe(0);
      await page.screenshot({ path: path.join(screenshotDir, "tasks-form.png"), fullPage: true });
      // The two refusals are 400s the browser logs; nothing else went wrong.
      expect(errors.filter((e) => !/status of 400 \(Bad Request\)/.test(e))).toEqual([]);
      expect(errors).toHaveLength(2);
    } finally {
      await page.close();
    }
  });
});
