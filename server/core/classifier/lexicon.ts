// What agents say when they mean each seed task type: phrases (stemmed like task text, stopwords
// dropped) with weights, and a few patterns words cannot express. Written from how agents and
// operators phrase work, then tuned on data/train.jsonl only; data/held-out.jsonl measures it.
//
// Weights: 1 a hint, 2 a clear sign, 3 close to decisive, 4+ decisive on its own.

export type LexiconEntry = readonly [phrase: string, weight: number];

/** Pseudo task type for reasoning signals that name no catalogue type: Tier 3, task type unknown. */
export const REASONING = "_reasoning";
/** Pseudo task type for routine lookups (disk, processes, versions, health URLs): Tier 1, no type. */
export const ROUTINE = "_routine";
/** Pseudo task type for fully specified shell housekeeping (mkdir, rm, restart a unit): Tier 0, no type. */
export const SHELL = "_shell";

export const LEXICON: Readonly<Record<string, readonly LexiconEntry[]>> = {
  // ---- Tier 0: sidecar
  "git-fetch": [
    ["git fetch", 4], ["fetch", 2], ["git pull", 4], ["pull latest", 3], ["pull main", 2.5], ["pull origin", 3],
    ["fast forward", 3], ["ff only", 3], ["sync repo", 2.5], ["sync with upstream", 3], ["update checkout", 3], ["latest main", 2],
    ["upstream", 1], ["remote update", 3], ["refresh clone", 3], ["fetch all", 3], ["prune", 1], ["pull down", 2.5],
  ],
  "git-commit-push": [
    ["git commit", 3], ["commit", 1.5], ["git push", 3.5], ["push", 1.5], ["commit and push", 4], ["push branch", 2.5],
    ["push to origin", 3], ["push to remote", 3.5], ["up to remote", 3], ["git add", 2.5], ["what staged", 2], ["staged", 1.5],
    ["commit message", -2], ["force push", 1], ["push upstream", 3],
  ],
  "file-write-literal": [
    ["touch", 2.5], ["echo", 2.5], ["empty file", 3], ["overwrite", 2], ["line", 0.5],
  ],
  "mailbox-ack": [
    ["ack", 3], ["acknowledge", 3], ["mark read", 4], ["mark as read", 4], ["as read", 3], ["as seen", 3], ["mark seen", 4],
    ["mark done", 2], ["message id", 2], ["msg id", 2], ["archive message", 2.5], ["dismiss", 2],
  ],
  // ---- Tier 1: local
  heartbeat: [
    ["heartbeat", 4], ["heartbeat md", 5], ["heartbeat_ok", 6], ["nothing needs attention", 3], ["periodic check", 2.5],
    ["are alive", 2.5], ["liveness", 2.5], ["still alive", 2.5], ["routine check", 2], ["checklist", 1.5], ["cron tick", 2.5],
    ["wake up", 1], ["do not infer or repeat old tasks", 4], ["follow strictly", 2], ["all clear", 1.5], ["keepalive", 2.5],
    ["check in", 1.5], ["scheduled check", 2.5], ["beat", 1.5],
  ],
  "mailbox-poll": [
    ["mailbox", 3], ["inbox", 3], ["mail", 2], ["new message", 2.5], ["unread", 3], ["queue", 2], ["poll", 2.5],
    ["any new", 2], ["pending message", 2.5], ["notification", 2], ["waiting for", 2], ["check message", 2.5], ["check for message", 3],
    ["count", 1], ["how many", 1.5], ["dm", 1], ["new mail", 3], ["anything new", 2.5], ["anything waiting", 3], ["message", 1],
    ["mention", 1.5], ["email", 1], ["what came in", 3], ["agent bus", 2], ["list their ids", 2],
  ],
  "git-operations": [
    ["git status", 4], ["git", 1.5], ["tree clean", 3.5], ["clean tree", 3.5], ["working tree", 3], ["working copy", 3],
    ["dirty", 2.5], ["uncommitted", 2.5], ["checkout", 2.5], ["switch", 1.5], ["switch to", 2.5], ["switch over to", 3], ["rebase", 2.5],
    ["tag", 2], ["stash", 3], ["cherry pick", 2.5], ["git log", 3], ["last commit", 2], ["commit", 0.5], ["delete branch", 2.5],
    ["local change", 2], ["current branch", 2.5], ["which branch", 2.5], ["what branch", 3], ["head", 1.5], ["git diff", 2.5],
    ["ahead", 2], ["behind", 1.5], ["git branch", 2.5], ["untracked", 2.5], ["modified", 1.5], ["reset hard", 2], ["merge main", 2],
    ["merged into", 2.5], ["branch", 1], ["repo", 0.5], ["sha", 1.5], ["one line each", 2], ["oneline", 2.5], ["onto main", 2],
  ],
  "status-report": [
    ["status report", 4], ["report status", 4], ["standup", 3.5], ["stand up", 3], ["daily update", 3], ["progress", 2],
    ["progress update", 3.5], ["working on", 2], ["what are on", 2.5], ["busy with", 2.5], ["eod", 3], ["end of day", 2.5], ["post update", 3],
    ["status update", 4], ["status", 2.5], ["status_request", 4], ["status md", 4], ["report", 1], ["current state", 1.5],
    ["current task", 2.5], ["percent done", 2.5], ["eta", 1.5], ["daily status", 4], ["weekly update", 3], ["fleet status", 3],
    ["done today", 2.5], ["blocker", 1.5], ["blocked", 1.5], ["fixed template", 3], ["usual format", 3], ["template", 1.5],
    ["fill in", 1.5], ["right now", 1],
  ],
  "file-read-write": [
    ["read", 1.5], ["file", 1.5], ["save", 2], ["save to", 3], ["save as", 2.5], ["write", 1], ["write to", 2], ["append", 1.5],
    ["json", 1], ["md", 1], ["txt", 1.5], ["csv", 1.5], ["todo md", 3], ["open item", 1.5], ["cat", 2], ["content", 1.5],
    ["read file", 3], ["note", 1], ["memory md", 3], ["copy", 1.5], ["into", 1], ["list item", 1], ["output", 1], ["head n", 2],
    ["line", 1], ["dump", 2.5], ["store", 1.5], ["record", 1], ["jsonl", 1.5], ["convert", 2], ["load", 1.5], ["print", 1.5],
    ["markdown", 1.5], ["tail", 1], ["section", 1], ["rename", 1.5], ["move", 1],
  ],
  "message-forwarding": [
    ["forward", 4], ["relay", 4], ["pass on", 3.5], ["pass along", 3.5], ["pass to", 3], ["fwd", 4], ["repost", 3],
    ["broadcast", 3], ["verbatim", 3], ["as is", 2.5], ["exactly as written", 3.5], ["unchanged", 2.5], ["channel", 1.5],
    ["cc", 2.5], ["share with", 2], ["loop in", 2.5], ["hand off", 2.5], ["over to", 2], ["crosspost", 3], ["post alert", 2],
    ["alert", 1], ["drop into", 2.5], ["send on", 3], ["send to", 1.5], ["inbox", 0.5], ["request from", 1.5],
  ],
  // ---- Tier 2: local with care
  "pr-branch-creation": [
    ["new branch", 3], ["create branch", 3.5], ["feature branch", 3.5], ["branch name", 3.5], ["name branch", 3.5], ["branch off", 3],
    ["cut branch", 3.5], ["branch for", 2.5], ["pr branch", 4], ["open pr", 2.5], ["open pull request", 3], ["branch", 1.5],
    ["convention", 2.5], ["naming rule", 3], ["naming", 2], ["slug", 2], ["draft pr", 2.5], ["pr title", 2], ["branch for ticket", 3.5],
    ["set up branch", 3], ["working branch", 3], ["fix branch", 3], ["start branch", 2.5],
  ],
  "backlog-parsing": [
    ["backlog", 4], ["parse", 2.5], ["extract", 2.5], ["structured", 2], ["unassigned", 3], ["ticket", 1.5], ["owner", 2],
    ["table", 1], ["field", 2], ["schema", 1.5], ["todo list", 1.5], ["sprint board", 2.5], ["kanban", 2.5], ["issue list", 1.5],
    ["into json", 3], ["as json", 2.5], ["json array", 2.5], ["which item", 1.5], ["open ticket", 2.5], ["assignee", 2.5],
    ["story point", 2.5], ["epic", 1.5], ["board", 1.5], ["column", 1.5], ["list of", 1],
  ],
  "message-composition": [
    ["tell", 3], ["ask", 2], ["remind", 3], ["write message", 3], ["draft", 2], ["compose", 3.5], ["reply to", 2.5],
    ["respond", 1.5], ["message", 1], ["nudge", 3], ["announce", 3], ["thank", 2.5], ["short note", 3], ["commit message", 4],
    ["conventional commit", 4], ["write note", 2.5], ["ping", 1.5], ["heads up", 2.5], ["welcome", 2], ["polite", 2],
    ["sentence", 1.5], ["changelog entry", 3], ["release note", 3], ["word", 1], ["objection", 2], ["he has to", 2], 
  ],
  "log-summarization": [
    ["log", 3], ["summariz", 3], ["summary", 2.5], ["tldr", 3], ["what failed", 4], ["failed", 2], ["fail", 1.5], ["error", 1.5],
    ["stack trace", 2], ["build output", 3.5], ["ci output", 3.5], ["nightly", 2], ["journalctl", 3.5], ["grep", 2], ["warning", 1.5],
    ["ci run", 2.5], ["build log", 4], ["which step", 2.5], ["output", 1], ["digest", 2], ["condense", 3],
    ["failing job", 2.5], ["what broke", 4], ["night build", 3], ["last build", 3], ["which test", 2],
  ],
  "config-update": [
    ["config", 3], ["configuration", 3], ["set", 1.5], ["bump", 2.5], ["change value", 3], ["yaml", 2], ["yml", 2], ["toml", 2.5],
    ["env", 2], ["setting", 2], ["flag", 1.5], ["enable", 2], ["disable", 2], ["flip", 2.5], ["timeout", 1.5], ["retry", 1.5],
    ["port", 1.5], ["tools md", 3], ["key", 1], ["replace", 1], ["version", 1], ["ini", 2.5], ["json config", 3], ["feature flag", 2.5],
    ["value", 1.5], ["turn off", 2], ["turn on", 2], ["rename key", 2.5], ["limit", 1], ["max", 1], ["to true", 2], ["to false", 2],
    ["model in", 2], ["leave everything else", 2],
  ],
  "test-execution": [
    ["run test", 4], ["run the test", 4], ["test suite", 4], ["run suite", 4], ["test", 1.5], ["npm test", 4], ["pytest", 4],
    ["unit test", 2.5], ["jest", 3], ["vitest", 3], ["vitest run", 4], ["go test", 4], ["cargo test", 4], ["make test", 4], ["lint", 2],
    ["pass fail", 2.5], ["green", 1.5], ["test result", 3], ["coverage", 1.5], ["smoke test", 3], ["e2e", 2], ["rerun", 2],
    ["run spec", 3], ["ci", 1], ["typecheck", 2.5], ["run", 1], ["kick off", 2], ["tsc", 2], ["how many pass", 3], ["tests pass", 3], ["report back", 1.5],
  ],
  // ---- Tier 3: Claude
  "code-review": [
    ["review", 4], ["code review", 5], ["look over", 3], ["safe to merge", 4], ["lgtm", 3], ["sanity check", 2.5], ["audit", 3],
    ["critique", 3.5], ["second pair of eyes", 4], ["approve", 2], ["diff", 1], ["correctness", 3], ["risk", 2], ["ok to merge", 3], ["ok to ship", 4], ["safe to ship", 4],
    ["good to merge", 3], ["ready to merge", 3], ["anything wrong", 3], ["spot bug", 3.5], ["break", 2.5], ["backward compat", 4],
    ["backwards compat", 4], ["compatib", 3], ["pr", 1], ["pull request", 1.5],
  ],
  "architecture-decision": [
    ["architecture", 4], ["design", 3], ["trade off", 4], ["tradeoff", 4], ["should we", 3.5], ["which approach", 4], ["option", 1.5],
    ["recommend", 3], ["weigh", 4], ["pros and cons", 4], ["monolith", 3], ["microservice", 3], ["split", 1.5], ["migrate", 2],
    ["scalab", 3], ["evaluate", 2.5], ["compare", 2.5], ["versus", 2.5], ["vs", 2.5], ["adr", 2], ["rfc", 2], ["choose", 3],
    ["best way", 3], ["approach", 2], ["pick between", 3.5], ["decide between", 4], ["or should", 3], ["do we need", 3],
    ["long term", 2], ["structure", 1.5], ["layer", 1.5], ["coupling", 3], ["hold up", 3], ["going to", 1.5], ["move off", 2.5],
  ],
  "complex-codegen": [
    ["implement", 4], ["write function", 4], ["write parser", 4], ["write script", 3], ["new endpoint", 3.5], ["add support", 3.5],
    ["add feature", 3.5], ["build", 1], ["refactor", 4], ["rewrite", 3.5], ["code", 2], ["function", 2], ["class", 2],
    ["module", 1.5], ["algorithm", 3], ["port to", 2.5], ["typescript", 1.5], ["python", 1.5], ["rust", 1.5], ["write test", 3.5],
    ["add test", 3], ["fix bug", 4], ["fix", 1.5], ["patch", 2], ["handler", 2], ["component", 2], ["migration", 1.5],
    ["api client", 2.5], ["rate limit", 3], ["retry policy", 2.5], ["add endpoint", 3.5], ["generate code", 3.5], ["scaffold", 2.5], ["optimiz", 3],
    ["make work", 2], ["reader", 2.5], ["parser", 2.5], ["get passing", 4], ["make pass", 4], ["make it pass", 4],
  ],
  "experiment-design": [
    ["experiment", 4], ["ab test", 4.5], ["hypothes", 4], ["benchmark", 2.5], ["evaluation", 3], ["eval", 2.5], ["measure", 2],
    ["metric", 2], ["control group", 4], ["statistical", 3], ["significan", 3], ["ablation", 4], ["sample size", 4], ["trial", 2],
    ["baseline", 2], ["methodology", 4], ["confound", 4], ["study", 2.5],
  ],
  "conflict-resolution": [
    ["merge conflict", 5], ["conflict", 4], ["disagree", 4], ["dispute", 4], ["resolve", 2], ["reconcile", 3.5], ["both sides", 3],
    ["arbitrate", 4], ["mediate", 4], ["settle", 2.5], ["conflicting", 4], ["contradict", 3.5], ["clash", 3], ["argu", 3],
    ["tie break", 3.5], ["diverged", 3.5], ["refused", 2],
  ],
  "novel-problem": [
    ["why", 4], ["debug", 4], ["root cause", 5], ["investigate", 4], ["figure out", 4], ["work out", 4], ["diagnose", 4],
    ["flaky", 3], ["leak", 3], ["memory leak", 4], ["race condition", 4], ["deadlock", 4], ["slow", 2], ["performance", 2.5],
    ["intermittent", 3], ["broken", 2], ["doesnt work", 3], ["not working", 3], ["crash", 2.5], ["regression", 3], ["bisect", 3],
    ["weird", 2], ["unexpected", 2.5], ["how come", 3.5], ["causing", 3.5], ["cause", 2.5], ["fix failing", 4], ["security", 4],
    ["vulnerab", 4], ["cve", 4], ["exploit", 4], ["incident", 2.5], ["postmortem", 4], ["post mortem", 4], ["troubleshoot", 4],
    ["what went wrong", 4], ["whats going on", 4], ["what is going on", 4], ["stopped", 2.5], ["spike", 2], ["latency", 2],
    ["hang", 2.5], ["stuck", 2], ["oom", 3], ["keeps fail", 3], ["explain", 3], ["track down", 4], ["workaround", 3],
    ["mystery", 3], ["red on main", 3],
  ],
  "pr-review-feedback": [
    ["review comment", 5], ["leave comment", 4], ["comment on pr", 4], ["feedback", 3], ["suggest change", 4], ["request change", 4],
    ["inline comment", 4], ["actionable", 3.5], ["author", 2], ["nit", 2], ["suggestion", 2.5],
  ],
  "product-decision": [
    ["prioritiz", 4], ["roadmap", 4], ["which feature", 4], ["ship first", 4], ["should ship", 4], ["product", 2.5], ["user want", 3],
    ["customer", 2], ["pricing", 3], ["strategy", 4], ["plan", 2.5], ["planning", 3], ["scope", 2.5], ["mvp", 3.5], ["go no go", 4],
    ["decide", 3.5], ["decision", 3], ["worth", 2.5], ["build next", 4], ["what next", 2.5], ["deprecate", 2.5], ["sunset", 3],
    ["quarter", 2], ["okr", 3], ["bet", 2],
  ],
  [REASONING]: [
    ["think", 2], ["reason", 2], ["judgement", 3], ["judgment", 3], ["analyz", 3.5], ["analysis", 3.5], ["assess", 3],
    ["propose", 3], ["proposal", 2.5], ["sensible", 4], ["make sense", 3.5], ["makes sense", 3.5], ["clean up", 2], ["tidy", 1.5],
    ["improve", 3], ["best", 2], ["pick", 2], ["careful", 1.5], ["tricky", 3], ["complex", 3], ["nontrivial", 3], ["strateg", 3],
    ["how should", 4], ["what should", 4], ["or two", 2], ["edge case", 3], ["case right", 2.5], ["handle", 1.5], ["recommendation", 3.5], ["opinion", 3], ["consider", 2], ["research", 3],
    ["understand", 2.5], ["plan out", 3], ["break down", 3], ["estimate", 2.5], ["threat model", 4], ["default for", 1.5], ["find out", 3.5], ["whether", 2],
  ],
  [ROUTINE]: [
    ["disk", 2.5], ["free disk", 3.5], ["df h", 3.5], ["docker ps", 3.5], ["container", 2], ["running", 1.5], ["installed", 2],
    ["version", 1], ["uptime", 2.5], ["curl", 2.5], ["health check", 2.5], ["healthz", 3], ["came back 200", 3], ["memory usage", 2.5],
    ["cpu", 2], ["load average", 3], ["process", 1.5], ["is up", 2], ["still running", 2.5], ["list", 1], ["show", 1], ["which", 0.5],
  ],
  [SHELL]: [
    ["rm rf", 4], ["mkdir", 4], ["mkdir p", 4.5], ["chmod", 4], ["chown", 4], ["systemctl restart", 4], ["restart", 1.5],
    ["cp r", 3], ["mv", 2.5], ["ln s", 3.5], ["tar", 2.5], ["gzip", 3], ["unzip", 3], ["kill", 2.5], ["pkill", 3.5], ["docker restart", 3.5],
  ],
};

/** Pseudo task types: evidence of a tier that names no catalogue type. */
export const PSEUDO_TIER: Readonly<Record<string, 0 | 1 | 2 | 3>> = { [REASONING]: 3, [ROUTINE]: 1, [SHELL]: 0 };

/** A regular expression on the lower-cased text, tried only when the text contains one of `anyOf` (cheap). */
export type PatternRule = { id: string; anyOf: readonly string[]; taskType: string; weight: number; pattern: RegExp };

/** Patterns on the raw (lower-cased) text, for shapes words cannot express. */
export const PATTERNS: readonly PatternRule[] = [
  // "write 42 to test.txt", "put OK into status.log", "echo done > out.txt"
  { id: "literal-write", anyOf: [" to ", " into ", " in ", ">"], taskType: "file-write-literal", weight: 10, pattern: /\b(write|put|echo|append|set)\s+(the\s+(string|text|value|line|word|number|literal)\s+)?(["'`][^"'`\n]{1,80}["'`]|[\w.+-]{1,40})\s+(\([^)\n]{0,40}\)\s+)?(to|into|in|>>?)\s+[`'"]?[\w./~-]+\.[a-z0-9]{1,5}\b/ },
  { id: "redirect", anyOf: ["echo"], taskType: "file-write-literal", weight: 5, pattern: /\becho\s+[^\n|]{1,80}>>?\s*[\w./~-]+/ },
  { id: "ack-id", anyOf: ["ack", "mark"], taskType: "mailbox-ack", weight: 6, pattern: /\b(ack|acknowledge|mark)\b[^\n]{0,40}(#|\bid\s*[:=]?\s*|\bmsg[-_ ]?|\b(message|item|mail|notification)\s+)\d+/ },
  { id: "heartbeat-ok", anyOf: ["heartbeat_ok"], taskType: "heartbeat", weight: 6, pattern: /heartbeat_ok/ },
  { id: "get-count", anyOf: ["get "], taskType: "mailbox-poll", weight: 3, pattern: /\bget\s+\/\S*(queue|inbox|mail|message|notification)/ },
  { id: "commit-m", anyOf: ["commit"], taskType: "git-commit-push", weight: 5, pattern: /\bcommit\b[^\n]{0,40}(-a?m\s+["']|message:?\s*["'`“]|with message\b|-m\b)/ },
  { id: "checkout-b", anyOf: ["git "], taskType: "git-operations", weight: 2, pattern: /\bgit (checkout|switch) -[bc] [\w/.-]+/ },
  { id: "set-key-value", anyOf: ["set ", "change ", "bump ", "update ", "flip "], taskType: "config-update", weight: 3, pattern: /\b(set|change|bump|update|flip)\s+[\w.-]+(\s*[=:]\s*|\s+(to|from)\s+)[\w."'-]+/ },
  { id: "should-be-not", anyOf: ["should be"], taskType: "config-update", weight: 4, pattern: /\bshould be\s+[\w."'-]+,?\s+not\s+[\w."'-]+/ },
  { id: "forward-to", anyOf: [" to "], taskType: "message-forwarding", weight: 7, pattern: /\b(pass|send|hand|forward|relay|bounce)\b[^\n]{0,50}\b(on to|over to|along to|onward to)\b/ },
  { id: "switch-branch", anyOf: ["branch"], taskType: "git-operations", weight: 3, pattern: /\b(switch|hop|go|move|jump|change)\b[^\n]{0,15}\bto\b[^\n]{0,25}\bbranch\b/ },
  { id: "add-to-system", anyOf: ["add "], taskType: "complex-codegen", weight: 4, pattern: /\badd\s+[\w\s-]{0,40}\bto\s+(the\s+)?[\w-]+\s+(api|service|router|endpoint|server|worker|client|module|cli|parser)\b/ },
  { id: "arrow-value", anyOf: ["->", "→", " to "], taskType: "config-update", weight: 2, pattern: /\b\d+\s*(->|→|to)\s*\d+\b/ },
  { id: "question-why", anyOf: ["why"], taskType: REASONING, weight: 2, pattern: /\bwhy\b[^\n]{0,80}\?/ },
  { id: "let-know", anyOf: ["know"], taskType: "message-composition", weight: 4, pattern: /\blet\s+[\w@#-]+\s+know\b/ },
  { id: "write-code", anyOf: ["write", "build", "create", "add", "implement"], taskType: "complex-codegen", weight: 5, pattern: /\b(write|build|create|add|implement)\s+(an?\s+|the\s+|new\s+)*([\w-]+\s+){0,3}(reader|parser|function|class|module|script|tool|library|cli|endpoint|service|handler|validator|client|migration|middleware)\b/ },
  { id: "should-lead", anyOf: ["should"], taskType: REASONING, weight: 4, pattern: /(^|[.?!\n]\s*)should\s+(we|i|the|this|it|our|a|an)\b/ },
  { id: "diff-lines", anyOf: ["+", "-"], taskType: "code-review", weight: 4, pattern: /(^|\n)\s*[+-]\s{0,4}(const|let|var|def|function|return|if|import|class|fn|func)\b/ },
  { id: "this-change", anyOf: ["this "], taskType: "code-review", weight: 3, pattern: /\b(does|is|will|would|can)\s+this\s+(patch|change|diff|pr|fix|commit)\b/ },
  { id: "should-we", anyOf: ["should", "which", "is it"], taskType: REASONING, weight: 2, pattern: /\b(should (we|i)|which (one|option|approach)|is it (better|worth))\b/ },
];
