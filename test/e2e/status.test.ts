import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leakctl, ROOT } from '../helpers/exec.js';

const drill = join(ROOT, 'playbooks', 'drills', 'platform-leak.yaml');
const config = join(ROOT, 'test', 'e2e', 'fixtures', 'incident', 'leakctl.config.yaml');

interface StatusJson {
  answered: number;
  skipped: number;
  open: number;
  total: number;
  drafts: { template: string; file: string }[];
}

describe('leakctl status', () => {
  it('lists every draft file, one per template and format', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakctl-status-'));
    expect(leakctl(['start', 'platform-leak', '--answers', drill, '--id', 's1', '--dir', dir, '--config', config]).code).toBe(0);
    const status = JSON.parse(leakctl(['status', 's1', '--json', '--dir', dir, '--config', config]).stdout) as StatusJson;
    const files = status.drafts.filter((d) => d.template === 'member-notice-platform').map((d) => d.file).sort();
    expect(files).toEqual(['drafts/member-notice-platform.eml', 'drafts/member-notice-platform.txt']);
  });

  it('counts as skipped only the steps the log skipped, not the ones the run has not reached', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakctl-status-'));
    // Stop early: the answers end after the first few steps of the first phase.
    const answers = readFileSync(drill, 'utf8').split('\n');
    const cut = answers.findIndex((line) => line.startsWith('  vulnerability_description'));
    writeFileSync(join(dir, 'part.yaml'), answers.slice(0, cut).join('\n') + '\n');
    const run = leakctl(['start', 'platform-leak', '--answers', join(dir, 'part.yaml'), '--id', 's2', '--dir', dir]);
    expect(run.code).toBe(2);
    const status = JSON.parse(leakctl(['status', 's2', '--json', '--dir', dir]).stdout) as StatusJson;
    const log = readFileSync(join(dir, 's2', 'evidence.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(status.skipped).toBe(log.filter((e) => e.type === 'step.skipped').length);
    expect(status.answered).toBe(log.filter((e) => e.type === 'step.answered').length);
    expect(status.answered + status.skipped + status.open).toBe(status.total);
  });

  it('refuses a --dir that is a file with exit 2', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'leakctl-status-')), 'not-a-dir');
    writeFileSync(file, '');
    const r = leakctl(['status', '--dir', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a directory; --dir (or LEAKCTL_DIR) names the directory that holds the incidents');
  });
});
