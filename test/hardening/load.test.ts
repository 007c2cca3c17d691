/**
 * Issue 7, "Load": a playbook with 5,000 steps loads and validates, and a long evidence log
 * (100,000 entries here; 1,000,000 in test/stress/load.stress.ts, with the peak-memory
 * comparison) verifies and replays. Guards against work that grows faster than the input
 * (a check that rescans the document per step, a replay that holds the log in memory): each run
 * must use less processor time than a bound far above what it takes (about 1 s here). Processor
 * time, not the wall clock: the bound holds on a machine busy with other work.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeBigLog } from './big-log.js';
import { measure } from './measure.js';

const root = mkdtempSync(join(tmpdir(), 'leakctl-load-'));
/** Processor seconds: about 1 s is what a run takes; quadratic work on these inputs takes minutes. */
const BOUND_CPU_SECONDS = 15;

/** A playbook of `steps` steps in phases of 100, every kind, each step's condition on the one before. */
function bigPlaybook(steps: number, options: { duplicateIds?: boolean } = {}): string {
  const lines = ['schema: leakctl/playbook@1', 'id: big', 'title: Big', 'cause: other', 'summary: Five thousand steps.', 'phases:'];
  for (let p = 0; p * 100 < steps; p++) {
    lines.push(`  - id: phase_${p}`, `    title: Phase ${p + 1}`, '    steps:');
    for (let i = p * 100; i < Math.min(steps, (p + 1) * 100); i++) {
      const kind = ['confirm', 'text', 'number', 'select', 'datetime', 'multi', 'checklist'][i % 7]!;
      const id = options.duplicateIds ? `step_${i - (i % 2)}` : `step_${i}`;
      lines.push(`      - id: ${id}`, `        kind: ${kind}`, `        prompt: Question ${i + 1}?`);
      if (kind === 'select' || kind === 'multi') lines.push('        choices: [{ value: a, label: A }, { value: b, label: B }]');
      if (kind === 'checklist') lines.push('        items: [{ id: a, label: A }, { id: b, label: B }]');
      if (i > 0) lines.push(`        when: { step: step_${i - 1 - ((i - 1) % (options.duplicateIds ? 2 : 1))}, answered: true }`);
    }
  }
  lines.push('deadlines:');
  for (let d = 0; d < 100; d++) lines.push(`  - { id: d_${d}, title: Deadline ${d}, from: step_${d * 7 + 4}, within: PT72H, met_by: step_${d * 7 + 11} }`);
  return `${lines.join('\n')}\n`;
}

describe('a playbook with 5,000 steps', () => {
  it('validates (exit 0) and shows its outline', () => {
    const file = join(root, 'big.yaml');
    writeFileSync(file, bigPlaybook(5000));
    const r = measure(['validate', file], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('(playbook big)');
    const show = measure(['show', file], root);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('5000. Question 5000?');
    expect(r.cpuSeconds + show.cpuSeconds).toBeLessThan(BOUND_CPU_SECONDS);
  }, 300_000);

  it('with 2,500 duplicate ids, reports every one at once (exit 2)', () => {
    const file = join(root, 'dups.yaml');
    writeFileSync(file, bigPlaybook(5000, { duplicateIds: true }));
    const r = measure(['validate', file], root);
    expect(r.cpuSeconds).toBeLessThan(BOUND_CPU_SECONDS);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.includes('duplicate id')).length).toBe(2500);
  }, 120_000);
});

describe('a log with 100,000 entries', () => {
  const incidents = join(root, 'incidents');
  const head = writeBigLog(incidents, 'long', 100_000);

  it('verifies', () => {
    const r = measure(['--dir', incidents, 'verify', 'long'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`OK  100000 entries, head ${head}`);
  }, 120_000);

  it('replays: log --json to /dev/null and status', () => {
    const log = measure(['--dir', incidents, 'log', 'long', '--json'], root, { stdout: 'ignore' });
    expect(log.code, log.stderr).toBe(0);
    const status = measure(['--dir', incidents, 'status', 'long'], root);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`100000 entries · head ${head}`);
    console.info(`100,000 entries: peak RSS log --json ${log.mb.toFixed(0)} MB, status ${status.mb.toFixed(0)} MB`);
  }, 180_000);
});
