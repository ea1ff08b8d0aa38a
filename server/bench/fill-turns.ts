// The pages bench's generator: N synthetic turns written by the database itself (INSERT ... SELECT
// from generate_series, no rows cross the wire), then DailyUsage and FingerprintDailyUsage computed
// from them, each with one INSERT ... SELECT ... GROUP BY, so that the rollups are exactly the rows. Every column is filled
// the way the gateway, the agents' reports and the sidecar fill it: 40 agents (the demo five and
// 35 more, skewed: a few busy agents, a long tail), the catalogue's task types by their expected
// shares, every lane and source, local turns that escalate followed by their Claude re-run
// (escalatedFromTurnId), errors and cancellations, unpriced models, classifier confidences, prompt
// sizes and context-forced turns, and recurring instruction fingerprints (a few per agent and task
// type for the mechanical work, hundreds of rarer ones for Claude work), some with an operator rule.
// Turns are written in time order (as the gateway writes them) over the last `days` days.
//
// The Turn table's secondary indexes and foreign keys are dropped for the fill and created again
// after it (as their migrations define them): building an index once is several times faster than
// keeping five up to date row by row.
import { performance } from "node:perf_hooks";
import type { Db, SqlRunner } from "@/server/db/client";
import { seed } from "@/server/db/seed";
import { fingerprintUsageFromTurnsSql } from "@/server/db/fingerprint-usage";
import { dailyUsageTotalFromDailySql, USAGE_SUMS } from "@/server/db/daily-usage-total";

export type FillReport = {
  turns: number;
  agents: number;
  fingerprints: number;
  /** Milliseconds per phase: insert, indexes, foreign keys, fingerprints, DailyUsage, FingerprintDailyUsage, DailyUsageTotal, vacuum. */
  phases: Record<string, number>;
  totalMs: number;
};

const DAY_MS = 86_400_000;
const EXTRA_AGENTS = 35;
const CHUNK = 500_000;

/** A uniform number in [0, 1) from the row number and a salt: hashint8extended is Postgres's own 64-bit hash. */
const u = (n: string, salt: number) => `((abs(hashint8extended(${n}, ${salt})) % 1000000)::float8 / 1000000)`;
const slot = (n: string, salt: number, size: number) => `(abs(hashint8extended(${n}, ${salt})) % ${size})`;

const LANE_ORDER = ["sidecar", "local", "local_careful", "claude"] as const;

/**
 * 1,000 slots of task types weighted by the catalogue's expected shares (sidecar tasks: 5% in all),
 * in lane order: a slot's lane is a range test and its task type a binary search (width_bucket) in
 * 26 thresholds. Looking slots up in a 1,000-element array parameter instead copied the array at
 * every reference (25 us a row).
 */
type TypeLayout = { ids: string[]; starts: number[]; laneEnds: number[] };

function typeLayout(types: { id: string; lane: string; expectedShare: number }[]): TypeLayout {
  const weighted = types
    .map((t) => ({ ...t, w: t.lane === "sidecar" ? 0.05 / 4 : Math.max(t.expectedShare, 0.005) }))
    .sort(
      (a, b) => LANE_ORDER.indexOf(a.lane as never) - LANE_ORDER.indexOf(b.lane as never) || a.id.localeCompare(b.id),
    );
  const total = weighted.reduce((s, t) => s + t.w, 0);
  const ids: string[] = [];
  const starts: number[] = [];
  const laneEnds = LANE_ORDER.map(() => 0);
  let at = 0;
  weighted.forEach((t, i) => {
    const k = i === weighted.length - 1 ? 1000 - at : Math.max(1, Math.round((t.w / total) * 1000));
    ids.push(t.id);
    starts.push(at);
    at += k;
    laneEnds[LANE_ORDER.indexOf(t.lane as never)] = at;
  });
  for (let l = 1; l < laneEnds.length; l++) laneEnds[l] = Math.max(laneEnds[l]!, laneEnds[l - 1]!);
  return { ids, starts, laneEnds };
}

/**
 * One chunk's INSERT ... SELECT. $1 first row number, $2 last, $3 epoch ms of row 0, $4 ms between
 * rows, $5 agent ids, $6 task type ids, $7 the slot each task type starts at. Every random choice is a hash of
 * the row number, so that row n can recompute row n - 1 (the local turn it re-runs on Claude). Each
 * level ends in `offset 0`: without it the planner flattens the levels and repeats every expression
 * wherever a level above names its column (a 200,000-row chunk took minutes instead of seconds).
 */
function insertSql(agentCount: number, layout: TypeLayout): string {
  const [sidecarEnd, localEnd, carefulEnd] = layout.laneEnds;
  const laneOfSlot = (s: string) =>
    `(case when ${s} < ${sidecarEnd} then 'sidecar' when ${s} < ${localEnd} then 'local' when ${s} < ${carefulEnd} then 'local_careful' else 'claude' end)`;
  const agentOf = (n: string) => `(1 + floor(${agentCount} * power(${u(n, 12)}, 1.7))::int)`;
  // A local gateway turn that fails (its check, or the model) escalates: the next row is its Claude re-run.
  const fails = (slotCol: string, failCol: string, sourceCol: string) =>
    `(${sourceCol} >= 0.08 and ((${slotCol} >= ${localEnd} and ${slotCol} < ${carefulEnd} and ${failCol} < 0.06)
      or (${slotCol} >= ${sidecarEnd} and ${slotCol} < ${localEnd} and ${failCol} < 0.005)))`;
  const msOf = (n: string) => `($3::bigint + floor((${n}) * $4::float8)::bigint)`;
  // A UUIDv7 whose time is the turn's and whose last 48 bits are the row number (unique).
  const idOf = (n: string) =>
    `(select substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || lpad(to_hex(${slot(n, 15, 4096)}), 3, '0') || '-' ||
       to_hex(8 + ${slot(n, 16, 4)}) || lpad(to_hex(${slot(n, 17, 4096)}), 3, '0') || '-' || lpad(to_hex(${n}), 12, '0')
      from (select lpad(to_hex(${msOf(n)}), 12, '0') as h) x)`;
  return `
insert into "Turn" ("id", "agentId", "taskTypeId", "lane", "requestedModel", "servedModel", "inputTokens", "outputTokens",
  "cacheReadTokens", "cacheWrite5mTokens", "cacheWrite1hTokens", "latencyMs", "generationMs", "evalMs", "loadMs", "status",
  "escalatedFromTurnId", "reason", "errorMessage", "costMicroUsd", "counterfactualMicroUsd", "source", "startedAt",
  "fingerprint", "confidence", "promptTokens", "contextForcedClaude")
select ${idOf("n")}, "agentId", "taskTypeId", lane::"Lane", 'claude-opus-4-6', "servedModel",
  case when lane = 'claude' then (prompt * 7 / 100) when lane = 'sidecar' then 0 else prompt end,
  case when lane = 'sidecar' then 0 else output end,
  case when lane = 'claude' then (prompt * 86 / 100) else 0 end,
  case when lane = 'claude' and not hour1 then (prompt * 7 / 100) else 0 end,
  case when lane = 'claude' and hour1 then (prompt * 7 / 100) else 0 end,
  case when lane = 'sidecar' then 200 + (u4 * 3000)::int
       when lane = 'claude' then 900 + (u4 * 1600)::int + output * 12
       else gen + 40 + (u4 * 120)::int + case when cold then 4200 else 0 end end,
  case when lane in ('local', 'local_careful') then gen end,
  case when lane in ('local', 'local_careful') then (output * 1000 / 45) end,
  case when lane in ('local', 'local_careful') then case when cold then 3500 + (u4 * 1500)::int else 5 + (u4 * 35)::int end end,
  status::"TurnStatus",
  case when retry then ${idOf("n - 1")} end,
  case when retry then 'escalated: the local answer failed its check'
       when source = 'sidecar' then 'sidecar: ' || "taskTypeId" || ' run as a script, no model'
       when "taskTypeId" is null then 'reported without a task type'
       when classified then 'classifier: ' || "taskTypeId"
       else 'task type ' || "taskTypeId" || ' is in lane ' || "taskLane" end,
  case status when 'error' then 'upstream error: 529 overloaded' when 'escalated' then 'check failed: output was not valid JSON'
       when 'cancelled' then 'the client closed the connection' end,
  case when unpriced then null when lane = 'claude' then cost when lane = 'sidecar' then 0 else (gen / 60)::bigint end,
  case when unpriced then null when lane = 'claude' then cost else (prompt * 2 + output * 25)::bigint end,
  source,
  (to_timestamp(${msOf("n")} / 1000.0::float8) at time zone 'UTC')::timestamp(3),
  case when source = 'gateway' then substr(md5('fp' || fp::text), 1, 16) end,
  case when classified then 0.55 + u5 * 0.44 end,
  case when source = 'gateway' then prompt + 300 end,
  forced
from (
  select r.*, ${u("n", 18)} < 0.2 as hour1, ${u("n", 19)} < 0.01 as cold, ${u("n", 20)} as u4, ${u("n", 21)} as u5,
    source = 'gateway' and not retry and ${u("n", 22)} < 0.15 as classified,
    (lane = 'claude' and source = 'gateway' and not retry and ${u("n", 23)} < 0.004) as forced,
    (lane = 'claude' and ${u("n", 24)} < 0.002) as unpriced,
    case when lane = 'claude' and ${u("n", 24)} < 0.002 then 'claude-mystery-5' when lane = 'claude' then 'claude-opus-4-6'
         when lane = 'sidecar' then 'sidecar' else 'qwen3:8b' end as "servedModel",
    case when esc then 'escalated' when ${u("n", 25)} < 0.003 then 'error' when lane = 'claude' and ${u("n", 25)} < 0.005 then 'cancelled'
         else 'ok' end as status,
    -- the same instruction again and again: a few templates per agent and task type, more for Claude work
    -- (a re-run has the instruction of the turn it re-runs)
    (ai * 1000 + width_bucket(tslot, $7::int[])) * 1000
      + case when "taskLane" = 'claude' then ${slot("n", 26, 60)} else ${slot("n - retry::int", 26, 3)} end as fp,
    ((prompt * 86 / 100) / 2 + (prompt * 7 / 100) * 5 + output * 25 + (prompt * 7 / 100) * 25 / 4)::bigint as cost,
    (output * 1000 / 45 + prompt * 10 / 18) as gen
  from (
    select q.*,
      case when retry then 'claude' when "taskLane" = 'sidecar' and source <> 'sidecar' then 'local' else "taskLane" end as lane,
      case when retry or "taskLane" = 'claude' then 16000 + ${slot("n", 27, 24000)}
           when "taskLane" = 'local_careful' then 10000 + ${slot("n", 27, 8000)} else 8000 + ${slot("n", 27, 7000)} end as prompt,
      case when retry or "taskLane" = 'claude' then 500 + ${slot("n", 28, 2000)}
           when "taskLane" = 'local_careful' then 200 + ${slot("n", 28, 700)} else 40 + ${slot("n", 28, 280)} end as output
    from (
      select p.*, ($5::text[])[ai] as "agentId", ${laneOfSlot("tslot")} as "taskLane",
        case when not retry and u14 < 0.03 and tslot >= ${sidecarEnd} then null
             else ($6::text[])[width_bucket(tslot, $7::int[])] end as "taskTypeId",
        case when retry then 'gateway'
             when tslot < ${sidecarEnd} then case when u14 < 0.7 then 'sidecar' else 'gateway' end
             when u14 < 0.08 then 'reported' else 'gateway' end as source
      from (
        select n, e1 and not e2 as retry, e0 and not e1 as esc, u14,
          case when e1 and not e2 then ${agentOf("n - 1")} else ${agentOf("n")} end as ai,
          case when e1 and not e2 then s1 else s0 end as tslot
        from (
          select n, s0, s1, b0 as u14, ${fails("s0", "a0", "b0")} as e0, ${fails("s1", "a1", "b1")} as e1,
            ${fails("s2", "a2", "b2")} as e2
          from (
            -- each row's own draws and its two predecessors' (whether the row before escalated)
            select n, ${slot("n", 11, 1000)} as s0, ${slot("n - 1", 11, 1000)} as s1, ${slot("n - 2", 11, 1000)} as s2,
              ${u("n", 13)} as a0, ${u("n - 1", 13)} as a1, ${u("n - 2", 13)} as a2,
              ${u("n", 14)} as b0, ${u("n - 1", 14)} as b1, ${u("n - 2", 14)} as b2
            from generate_series($1::bigint, $2::bigint) as n offset 0
          ) d offset 0
        ) g offset 0
      ) p offset 0
    ) q offset 0
  ) r offset 0
) z`;
}

type Definition = { name: string; sql: string };

/** The Turn table's primary key, foreign keys and indexes as the migrations made them. */
async function turnDefinitions(sql: SqlRunner): Promise<{ constraints: Definition[]; indexes: Definition[] }> {
  const constraints = await sql.query<{ name: string; def: string; type: string }>(
    `select conname as name, pg_get_constraintdef(oid) as def, contype as type from pg_constraint
     where conrelid = '"Turn"'::regclass and contype in ('p', 'f') order by contype desc, conname`,
  );
  const indexes = await sql.query<{ name: string; def: string }>(
    `select indexname as name, indexdef as def from pg_indexes
     where schemaname = current_schema() and tablename = 'Turn'
       and indexname not in (select conname from pg_constraint where conrelid = '"Turn"'::regclass)
     order by indexname`,
  );
  return {
    constraints: constraints.map((c) => ({
      name: c.name,
      sql: `alter table "Turn" add constraint "${c.name}" ${c.def}`,
    })),
    indexes: indexes.map((i) => ({ name: i.name, sql: i.def })),
  };
}

async function timed(phases: Record<string, number>, name: string, fn: () => Promise<unknown>): Promise<void> {
  const t = performance.now();
  await fn();
  phases[name] = performance.now() - t;
}

/** Runs the tasks `width` at a time. */
async function inParallel(width: number, tasks: (() => Promise<unknown>)[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, tasks.length) }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
}

/** The demo fleet plus `count` synthetic turns over the last `days` days, DailyUsage computed from them. */
export async function fillTurns(
  db: Db,
  count: number,
  options: { days?: number; now?: Date; log?: (line: string) => void } = {},
): Promise<FillReport> {
  const days = options.days ?? 90;
  const now = options.now ?? new Date();
  const log = options.log ?? (() => {});
  const width = db.kind === "postgres" ? 2 : 1;
  await seed(db, { demo: true, now });
  const start = performance.now();
  const phases: Record<string, number> = {};
  const from = new Date(now.getTime() - days * DAY_MS);
  await db.prisma.agent.createMany({
    data: Array.from({ length: EXTRA_AGENTS }, (_, i) => ({
      id: `fleet-${String(i + 1).padStart(2, "0")}`,
      name: `Fleet agent ${i + 1}`,
      role: "bench",
      createdAt: from,
    })),
    skipDuplicates: true,
  });
  const agents = (await db.prisma.agent.findMany({ select: { id: true }, orderBy: { createdAt: "asc" } })).map(
    (a) => a.id,
  );
  const layout = typeLayout(
    await db.prisma.taskType.findMany({
      select: { id: true, lane: true, expectedShare: true },
      orderBy: { id: "asc" },
    }),
  );

  const defs = await turnDefinitions(db.sql);
  await timed(phases, "drop indexes and keys", async () => {
    for (const c of [...defs.constraints].reverse())
      await db.sql.exec(`alter table "Turn" drop constraint "${c.name}"`);
    for (const i of defs.indexes) await db.sql.exec(`drop index "${i.name}"`);
  });

  const step = (days * DAY_MS) / count;
  const sql = insertSql(agents.length, layout);
  let written = 0;
  await timed(phases, "insert turns", () =>
    inParallel(
      width,
      Array.from({ length: Math.ceil(count / CHUNK) }, (_, c) => async () => {
        const lo = c * CHUNK;
        const hi = Math.min(count, lo + CHUNK) - 1;
        await db.sql.query(sql, [lo, hi, from.getTime(), step, agents, layout.ids, layout.starts]);
        written += hi - lo + 1;
        if (c % 4 === 3) log(`  ${written.toLocaleString("en-US")} turns written`);
      }),
    ),
  );
  await timed(phases, "primary key and indexes", () =>
    inParallel(width, [
      ...defs.constraints.filter((c) => !c.sql.includes("FOREIGN KEY")).map((c) => () => db.sql.exec(c.sql)),
      ...defs.indexes.map((i) => () => db.sql.exec(i.sql)),
    ]),
  );
  await timed(phases, "foreign keys", () =>
    inParallel(
      1,
      defs.constraints.filter((c) => c.sql.includes("FOREIGN KEY")).map((c) => () => db.sql.exec(c.sql)),
    ),
  );
  let fingerprints = 0;
  await timed(phases, "fingerprints and agents", async () => {
    await db.sql.exec(
      `insert into "Fingerprint" ("id", "template", "firstSeenAt")
       select "fingerprint", 'bench: ' || min("taskTypeId") || ' instruction of ' || min("agentId") || ' #' || "fingerprint", min("startedAt")
       from "Turn" where "fingerprint" is not null group by "fingerprint"
       on conflict ("id") do nothing`,
    );
    // An operator rule on one fingerprint in twenty.
    await db.sql.exec(
      `update "Fingerprint" f set "taskTypeId" = t."id", "assignedBy" = 'bench', "assignedAt" = f."firstSeenAt" + interval '1 day'
       from "TaskType" t where t."id" = split_part(split_part(f."template", ' instruction', 1), 'bench: ', 2)
         and abs(hashtext(f."id")) % 20 = 0`,
    );
    await db.sql.exec(
      `update "Agent" a set "lastSeenAt" = (select max(t."startedAt") from "Turn" t where t."agentId" = a."id")`,
    );
    fingerprints = Number((await db.sql.query<{ n: string }>(`select count(*) as n from "Fingerprint"`))[0]!.n);
  });
  await timed(phases, "DailyUsage from the turns", () =>
    db.sql.transaction(async (tx) => {
      await tx.exec(`delete from "DailyUsage"`);
      await tx.exec(
        `insert into "DailyUsage" ("day", "agentId", "taskTypeId", "lane", "turns", "errorTurns", "escalatedTurns", "unpricedTurns",
           "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "latencyMsTotal", "costMicroUsd", "counterfactualMicroUsd",
           "reportedTurns", "reportedCostMicroUsd")
         select "startedAt"::date, "agentId", coalesce("taskTypeId", ''), "lane",
           count(*), count(*) filter (where "status" = 'error'), count(*) filter (where "status" = 'escalated'),
           count(*) filter (where "costMicroUsd" is null),
           sum("inputTokens"), sum("outputTokens"), sum("cacheReadTokens"), sum("cacheWrite5mTokens" + "cacheWrite1hTokens"),
           sum("latencyMs"), coalesce(sum("costMicroUsd"), 0), coalesce(sum("counterfactualMicroUsd"), 0),
           count(*) filter (where "source" = 'reported'), coalesce(sum("costMicroUsd") filter (where "source" = 'reported'), 0)
         from "Turn" group by 1, 2, 3, 4`,
      );
    }),
  );
  await timed(phases, "FingerprintDailyUsage from the turns", () =>
    db.sql.transaction(async (tx) => {
      await tx.exec(`delete from "FingerprintDailyUsage"`);
      await tx.exec(fingerprintUsageFromTurnsSql());
    }),
  );
  await timed(phases, "DailyUsageTotal from DailyUsage", () =>
    db.sql.transaction(async (tx) => {
      await tx.exec(`delete from "DailyUsageTotal"`);
      await tx.exec(dailyUsageTotalFromDailySql());
    }),
  );
  // What autovacuum does after a bulk load (Postgres 13+ vacuums on inserts): statistics for the
  // planner and the visibility map that index-only scans need.
  await timed(phases, "vacuum analyze", () => db.sql.exec(`vacuum analyze`));
  return { turns: count, agents: agents.length, fingerprints, phases, totalMs: performance.now() - start };
}

/**
 * DailyUsage and FingerprintDailyUsage against the turns: every rollup column summed both ways (they
 * must be equal), and each FingerprintDailyUsage row's latest turn's start; DailyUsageTotal against
 * DailyUsage, each dimension's sums.
 */
export async function checkDailyUsage(
  db: Db,
): Promise<{ consistent: boolean; turns: number; dailyRows: number; fingerprintRows: number; totalRows: number }> {
  const [row] = await db.sql.query<{ turns: string; rows: string; same: boolean }>(
    `with t as (
       select count(*) as turns, coalesce(sum("costMicroUsd"), 0) as cost, coalesce(sum("counterfactualMicroUsd"), 0) as cf,
         sum("inputTokens") as input, sum("latencyMs") as latency, count(*) filter (where "status" = 'escalated') as esc,
         count(*) filter (where "source" = 'reported') as reported, count(*) filter (where "costMicroUsd" is null) as unpriced
       from "Turn"),
     d as (
       select sum("turns") as turns, sum("costMicroUsd") as cost, sum("counterfactualMicroUsd") as cf, sum("inputTokens") as input,
         sum("latencyMsTotal") as latency, sum("escalatedTurns") as esc, sum("reportedTurns") as reported,
         sum("unpricedTurns") as unpriced, count(*) as rows
       from "DailyUsage")
     select t.turns, d.rows, (t.turns, t.cost, t.cf, t.input, t.latency, t.esc, t.reported, t.unpriced)
       = (d.turns, d.cost, d.cf, d.input, d.latency, d.esc, d.reported, d.unpriced) as same
     from t, d`,
  );
  const [recurring] = await db.sql.query<{ rows: string; same: boolean }>(
    `with t as (
       select count(*) as turns, count(*) filter (where "lane" = 'claude') as claude,
         count(*) filter (where "contextForcedClaude") as forced, coalesce(sum("costMicroUsd"), 0) as cost,
         coalesce(sum("counterfactualMicroUsd"), 0) as cf
       from "Turn" where "fingerprint" is not null),
     f as (
       select coalesce(sum("turns"), 0) as turns, coalesce(sum("claudeTurns"), 0) as claude,
         coalesce(sum("contextForcedTurns"), 0) as forced, coalesce(sum("costMicroUsd"), 0) as cost,
         coalesce(sum("counterfactualMicroUsd"), 0) as cf, count(*) as rows,
         count(*) filter (where not exists (select 1 from "Turn" x where x."fingerprint" = u."fingerprint"
           and x."startedAt" = u."lastSeenAt" and x."agentId" = u."agentId")) as "lastMissing"
       from "FingerprintDailyUsage" u)
     select f.rows, (t.turns, t.claude, t.forced, t.cost, t.cf, 0::bigint) = (f.turns, f.claude, f.forced, f.cost, f.cf, f."lastMissing") as same
     from t, f`,
  );
  // DailyUsageTotal: each dimension's rows sum to DailyUsage's, column by column.
  const sums = USAGE_SUMS.map((c) => `sum("${c}")::bigint`).join(", ");
  const [totals] = await db.sql.query<{ rows: string; same: boolean }>(
    `select (select count(*) from "DailyUsageTotal") as rows,
       (select row(${sums}) from "DailyUsage") = (select row(${sums}) from "DailyUsageTotal" where "dimension" = 'agent')
       and (select row(${sums}) from "DailyUsage") = (select row(${sums}) from "DailyUsageTotal" where "dimension" = 'taskType') as same`,
  );
  return {
    totalRows: Number(totals!.rows),
    consistent: row!.same && recurring!.same && totals!.same,
    turns: Number(row!.turns),
    dailyRows: Number(row!.rows),
    fingerprintRows: Number(recurring!.rows),
  };
}
