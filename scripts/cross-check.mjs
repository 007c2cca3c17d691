#!/usr/bin/env node
// `npm run test:cross-check` (issue 16, item 5): the test suite once more, with verifier/verify.py
// held to leakctl verify on every incident after every command a test runs
// (test/helpers/cross-check.ts). Prints how many logs were compared and every disagreement;
// exit 1 when there is one. Slow (a python3 and a leakctl per incident per command): not part of
// `npm test`. Last run: 1,975 comparisons of 355 distinct logs; the only disagreement was a
// timestamp token moved to another checkpoint, which verify.py now catches too (its imprint).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'leakctl-cross-check-'));
const file = join(dir, 'comparisons.jsonl');
// Each command a test runs is followed by two verifiers per incident: tests are given far longer
// than their usual limits, which the suite itself keeps.
const run = spawnSync('npx', ['vitest', 'run', '--testTimeout=600000', ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, LEAKCTL_CROSS_CHECK: file } });
let lines = [];
try {
  lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
} catch {
  // No incident was made.
}
rmSync(dir, { recursive: true, force: true });
const logs = new Set(lines.map((c) => `${c.incident}\0${JSON.stringify(c.ours)}`));
const failing = lines.filter((c) => typeof c.ours === 'object' && !c.ours.ok).length;
const disagree = lines.filter((c) => !c.agree);
console.log(`\nverify.py against leakctl verify: ${lines.length} comparisons of ${logs.size} distinct logs (${failing} of the comparisons on logs that do not verify); ${disagree.length} disagreement(s).`);
for (const c of disagree) console.log(`  ${c.incident}: leakctl ${JSON.stringify(c.ours)}, verify.py ${JSON.stringify(c.theirs)}`);
process.exit(disagree.length > 0 || run.status !== 0 ? 1 : 0);
