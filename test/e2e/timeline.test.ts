/**
 * `leakctl timeline` (issue 15): one row per evidence entry, read back by Python's csv module as a
 * spreadsheet import would, and as JSON Lines; a note written as a formula opens as text, commas,
 * quotes and line breaks survive the trip, and a sensitive answer stays [sensitive].
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/cli.js';

const noPython = spawnSync('python3', ['--version']).error ? 'python3 is not installed (.ci/run installs it)' : null;
const tmp = mkdtempSync(join(tmpdir(), 'leakctl-timeline-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PLAYBOOK = `schema: leakctl/playbook@1
id: tl
title: Timeline
cause: other
summary: A few entries.
phases:
  - id: p
    title: P
    steps:
      - { id: aware_at, kind: datetime, prompt: When? }
      - { id: code, kind: text, prompt: The leaked code?, sensitive: true }
`;
const FORMULA = '=HYPERLINK("http://evil.example","click")';
const AWKWARD = 'Called the host, "urgently";\nthey will reply, maybe, tomorrow';

let made = 0;
async function incident(): Promise<string> {
  const dir = join(tmp, `incidents-${++made}`);
  writeFileSync(join(tmp, 'tl.yaml'), PLAYBOOK);
  writeFileSync(join(tmp, 'answers.yaml'), 'schema: leakctl/answers@1\nresponder: Dana Obi\nnow: 2026-03-02T10:00:00Z\nanswers:\n  aware_at: 2026-03-02T09:00:00Z\n  code: hunter2-secret\n');
  const started = await inProcess(['--dir', dir, 'start', join(tmp, 'tl.yaml'), '--answers', join(tmp, 'answers.yaml'), '--id', 't', '--drill']);
  expect(started.code, started.stderr).toBe(0);
  for (const text of [FORMULA, AWKWARD, '+1 555 0100 called', '-2h: nothing new']) {
    // After --, a note may start with a dash like any other text.
    const note = await inProcess(['--dir', dir, '--now', '2026-03-02T11:00:00Z', 'note', 't', '--responder', 'Lee Chen', '--', text]);
    expect(note.code, note.stderr).toBe(0);
  }
  return dir;
}

describe('leakctl timeline', () => {
  it.skipIf(noPython !== null)(`CSV that Python's csv module reads back cell for cell, formulas made inert, the sensitive answer hidden${noPython ? ` (skipped: ${noPython})` : ''}`, async () => {
    const dir = await incident();
    const r = await inProcess(['--dir', dir, 'timeline', 't']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith('time,entry,actor,type,step,summary\r\n')).toBe(true);
    const file = join(tmp, 'timeline.csv');
    writeFileSync(file, r.stdout);
    const py = spawnSync('python3', ['-c', 'import csv, json, sys\nprint(json.dumps(list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8"), strict=True))))', file], { encoding: 'utf8', timeout: 30_000 });
    expect(py.status, py.stderr).toBe(0);
    const rows = JSON.parse(py.stdout) as string[][];
    const log = readFileSync(join(dir, 't', 'evidence.jsonl'), 'utf8').trim().split('\n');
    expect(rows).toHaveLength(log.length + 1);
    expect(rows.every((row) => row.length === 6)).toBe(true);
    const notes = rows.filter((row) => row[3] === 'note.added');
    expect(notes.map((row) => row[5])).toEqual([`'${FORMULA}`, AWKWARD, "'+1 555 0100 called", "'-2h: nothing new"]);
    expect(notes.every((row) => row[2] === 'Lee Chen')).toBe(true);
    const code = rows.find((row) => row[4] === 'code')!;
    expect(code[5]).toBe('code = [sensitive] (from answers file)');
    expect(r.stdout).not.toContain('hunter2');
  }, 60_000);

  it('JSON Lines, one object per entry, and a tampered log refused (exit 3) with nothing written', async () => {
    const dir = await incident();
    const r = await inProcess(['--dir', dir, 'timeline', 't', '--format', 'jsonl']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows[0]).toMatchObject({ entry: 0, type: 'incident.opened', actor: 'Dana Obi', step: '' });
    expect(rows.filter((row) => row.type === 'note.added').map((row) => row.summary)).toEqual([FORMULA, AWKWARD, '+1 555 0100 called', '-2h: nothing new']);
    const logFile = join(dir, 't', 'evidence.jsonl');
    writeFileSync(logFile, readFileSync(logFile, 'utf8').replace('called', 'phoned'));
    const tampered = await inProcess(['--dir', dir, 'timeline', 't']);
    expect(tampered.code).toBe(3);
    expect(tampered.stdout).toBe('');
  }, 60_000);

  it('hides every answer when the playbook that says which are sensitive cannot be found, and says why', async () => {
    const dir = await incident();
    rmSync(join(tmp, 'tl.yaml'));
    const r = await inProcess(['--dir', dir, 'timeline', 't', '--format', 'jsonl']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('answers to sensitive steps cannot be told apart');
    expect(r.stdout).not.toContain('hunter2');
    const answers = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; summary: string }).filter((row) => row.type === 'step.answered');
    expect(answers.map((row) => row.summary)).toEqual(['aware_at = [hidden: playbook unavailable] (from answers file)', 'code = [hidden: playbook unavailable] (from answers file)']);
  });
});
