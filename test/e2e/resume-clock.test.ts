import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leakctl, ROOT } from '../helpers/exec.js';

const playbook = join(ROOT, 'test', 'e2e', 'fixtures', 'drill', 'drill-72h.yaml');

describe('a resumed scripted run', () => {
  // Guards the evidence timeline: the second answers file pins the same `now:` as the first,
  // and time in the log must not run backwards when the run continues.
  it('continues simulated time from the last entry, never from before it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakctl-resume-clock-'));
    const head = 'schema: leakctl/answers@1\nresponder: drill-bot\nnow: 2026-03-06T09:30:00Z\nanswers:\n';
    writeFileSync(join(dir, 'part1.yaml'), `${head}  discovered_at: 2026-03-06T09:00:00Z\n  jurisdictions: { value: [us], after: PT5H }\n`);
    writeFileSync(join(dir, 'part2.yaml'), `${head}  contained: true\n  lessons: Rotate keys sooner\n`);
    const first = leakctl(['start', playbook, '--answers', 'part1.yaml', '--id', 'r1'], { cwd: dir });
    expect(first.code).toBe(2);
    expect(first.stderr).toContain('step "contained"');
    const second = leakctl(['resume', 'r1', '--answers', 'part2.yaml'], { cwd: dir });
    expect(second.stderr).toContain('all steps done');
    expect(second.code).toBe(0);
    const times = readFileSync(join(dir, 'incidents', 'r1', 'evidence.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { at: string }).at);
    expect(times.at(-1)! >= '2026-03-06T14:30:00.000Z').toBe(true);
    expect([...times].sort()).toEqual(times);
  });
});
