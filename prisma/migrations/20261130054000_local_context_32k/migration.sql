-- The default local context becomes 32,768 tokens (qwen3:8b's native context): a real OpenClaw
-- heartbeat (~14k tokens) and a normal OpenClaw turn (~17k) must fit with their answer reserve.
-- The seed stored the old default as a row; move it unless an operator chose another value.
UPDATE "Setting" SET "value" = '32768'::jsonb, "updatedAt" = CURRENT_TIMESTAMP
WHERE "key" = 'localContextTokens' AND "value" = '16384'::jsonb;
