/**
 * The incident commands as a responder uses them after a run: note, attach, amend, close,
 * status and log (SPEC sections 1 and 4).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, leakctl, ROOT } from '../helpers/exec.js';
import type { Entry } from '../helpers/chain.js';

const fixtures = join(import.meta.dirname, 'fixtures', 'incident');
const breach = join(fixtures, 'breach.yaml');
const NOW = '2026-03-05T12:00:00Z';

const tmp = mkdtempSync(join(tmpdir(), 'leakctl-e2e-commands-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));


/** A scripted run of the fixture playbook into `dir` as incident `id`. */
function open(dir: string, id: string, answers = 'complete.yaml', extra: string[] = []): void {
  const r = leakctl(['start', breach, '--answers', join(fixtures, answers), '--id', id, '--dir', dir, ...extra]);
  if (r.code !== 0 && !(answers === 'part1.yaml' && r.code === 2)) throw new Error(`start ${id} failed (${r.code}): ${r.stderr}`);
}

const entriesOf = (dir: string, id: string): Entry[] =>
  readFileSync(join(dir, id, 'evidence.jsonl'), 'utf8')
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => JSON.parse(l) as Entry);

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('note and log', () => {
  const dir = join(tmp, 'notes');
  beforeAll(() => open(dir, 'c1'));

  it('adds a note that `log` shows and `log --json` gives as a raw entry', () => {
    const note = leakctl(['note', 'c1', 'Called', "the provider's", '24/7 line', '--responder', 'dana', '--dir', dir, '--now', NOW]);
    expect(note.code).toBe(0);

    const text = leakctl(['log', 'c1', '--dir', dir]);
    expect(text.code).toBe(0);
    const line = text.stdout.split('\n').find((l) => l.includes('note.added'));
    expect(line).toContain("Called the provider's 24/7 line");
    expect(line).toContain('dana');

    const json = leakctl(['log', 'c1', '--json', '--dir', dir]);
    expect(json.code).toBe(0);
    const entries = JSON.parse(json.stdout) as Entry[];
    expect(Array.isArray(entries)).toBe(true);
    for (const e of entries) expect(Object.keys(e)).toEqual(['seq', 'at', 'type', 'actor', 'data', 'prev', 'hash']);
    expect(entries).toEqual(entriesOf(dir, 'c1'));
    expect(entries.at(-1)).toMatchObject({ type: 'note.added', actor: 'dana', at: '2026-03-05T12:00:00.000Z', data: { text: "Called the provider's 24/7 line" } });
  });

  it('shows escape sequences in a note escaped, and keeps them verbatim in the log', () => {
    const hostile = 'see \u001b[31mRED\u001b[0m and \u001b]0;pwned\u0007 title';
    expect(leakctl(['note', 'c1', hostile, '--dir', dir, '--now', NOW]).code).toBe(0);
    const text = leakctl(['log', 'c1', '--dir', dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('\u001b');
    expect(text.stdout).not.toContain('\u0007');
    expect(text.stdout).toContain('see \\u{1b}[31mRED\\u{1b}[0m and \\u{1b}]0;pwned\\u{7} title');
    expect(entriesOf(dir, 'c1').at(-1)?.data.text).toBe(hostile);
  });

  it('ends quietly when the reader of `log` stops early (leakctl log ID | head)', () => {
    // `head -c 0` exits at once, so every write of the timeline meets a closed pipe.
    const r = spawnSync('sh', ['-c', '"$0" "$1" log c1 --dir "$2" | head -c 0', process.execPath, BIN, dir], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.error).toBeUndefined();
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses an empty note and an unknown incident with exit 2', () => {
    expect(leakctl(['note', 'c1', '  ', '--dir', dir]).code).toBe(2);
    const r = leakctl(['note', 'nope', 'text', '--dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no incident "nope"');
  });
});

describe('attach', () => {
  const dir = join(tmp, 'attach');
  beforeAll(() => open(dir, 'c1'));

  it('copies the file into the incident and logs its sha256 and size', () => {
    const source = join(fixtures, 'screenshot.png');
    const bytes = readFileSync(source);
    const r = leakctl(['attach', 'c1', source, '--dir', dir, '--now', NOW]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(sha256(bytes));
    expect(r.stdout).toContain(`${bytes.length} bytes`);
    const entry = entriesOf(dir, 'c1').at(-1)!;
    expect(entry.type).toBe('evidence.attached');
    const [file] = entry.data.files as { path: string; sha256: string; bytes: number }[];
    expect(file).toMatchObject({ sha256: sha256(bytes), bytes: bytes.length });
    expect(readFileSync(join(dir, 'c1', file!.path)).equals(bytes)).toBe(true);
    expect(leakctl(['verify', 'c1', '--dir', dir]).code).toBe(0);
  });

  it('refuses a directory with exit 2 and logs nothing', () => {
    const before = entriesOf(dir, 'c1').length;
    const folder = join(tmp, 'a-folder');
    mkdirSync(folder, { recursive: true });
    const r = leakctl(['attach', 'c1', folder, '--dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('directory');
    expect(entriesOf(dir, 'c1')).toHaveLength(before);
  });
});

describe('amend', () => {
  const dir = join(tmp, 'amend');
  beforeAll(() => open(dir, 'c1'));

  it('records a new answer; the earlier one stays in the log, and log and status show the new one', () => {
    const before = leakctl(['status', 'c1', '--json', '--dir', dir, '--now', NOW]);
    const dueBefore = (JSON.parse(before.stdout) as { deadlines: { id: string; due: string }[] }).deadlines.find((d) => d.id === 'authority')?.due;
    expect(dueBefore).toBe('2026-03-05T08:30:00.000Z');

    const r = leakctl(['amend', 'c1', 'discovered_at', '--value', '2026-03-02T06:00:00Z', '--responder', 'dana', '--dir', dir, '--now', NOW]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('2026-03-02T08:30:00Z');

    const answers = entriesOf(dir, 'c1').filter((e) => e.type === 'step.answered' && e.data.step === 'discovered_at');
    expect(answers.map((e) => e.data.value)).toEqual(['2026-03-02T08:30:00Z', '2026-03-02T06:00:00Z']);
    expect(answers[1]?.actor).toBe('dana');

    const log = leakctl(['log', 'c1', '--dir', dir]).stdout.split('\n');
    const shown = log.filter((l) => l.includes('discovered_at = '));
    expect(shown).toHaveLength(2);
    expect(shown[1]).toContain('discovered_at = 2026-03-02T06:00:00Z');

    const after = JSON.parse(leakctl(['status', 'c1', '--json', '--dir', dir, '--now', NOW]).stdout) as { deadlines: { id: string; due: string }[] };
    expect(after.deadlines.find((d) => d.id === 'authority')?.due).toBe('2026-03-05T06:00:00.000Z');
  });

  it('refuses an invalid new value with exit 2 and logs nothing', () => {
    const before = entriesOf(dir, 'c1').length;
    const r = leakctl(['amend', 'c1', 'members_affected', '--value', '-5', '--dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected at least 0');
    expect(entriesOf(dir, 'c1')).toHaveLength(before);
  });

  it('refuses an unknown step with exit 2, suggesting the closest ids rather than listing them all', () => {
    const r = leakctl(['amend', 'c1', 'members', '--value', '3', '--dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no step "members"; did you mean "members_affected"?');
    const far = leakctl(['amend', 'c1', 'zzzzzzzz', '--value', '3', '--dir', dir]);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain('no step "zzzzzzzz"; `leakctl show breach` lists its steps');
  });
});

describe('close', () => {
  const dir = join(tmp, 'close');
  beforeAll(() => {
    open(dir, 'c1');
    const r = leakctl(['close', 'c1', '--dir', dir, '--now', NOW]);
    if (r.code !== 0) throw new Error(`close failed: ${r.stderr}`);
  });

  it('logs incident.closed last', () => {
    expect(entriesOf(dir, 'c1').at(-1)?.type).toBe('incident.closed');
  });

  it.each([
    ['note', ['note', 'c1', 'too late']],
    ['attach', ['attach', 'c1', join(fixtures, 'access-log.txt')]],
    ['amend', ['amend', 'c1', 'members_affected', '--value', '41']],
    ['resume', ['resume', 'c1', '--answers', join(fixtures, 'more.yaml')]],
  ])('refuses %s afterwards with exit 2, saying it is closed', (_name, args) => {
    const before = entriesOf(dir, 'c1');
    const r = leakctl([...args, '--dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/incident c1 was closed by .* at .*; its log is read-only/);
    expect(entriesOf(dir, 'c1')).toEqual(before);
  });

  it('still verifies and shows as closed', () => {
    expect(leakctl(['verify', 'c1', '--dir', dir]).code).toBe(0);
    const status = JSON.parse(leakctl(['status', 'c1', '--json', '--dir', dir]).stdout) as { state: string; closed_at: string };
    expect(status.state).toBe('closed');
    expect(status.closed_at).toBe('2026-03-05T12:00:00.000Z');
  });
});

describe('status', () => {
  const dir = join(tmp, 'status');
  beforeAll(() => {
    open(dir, 'done-1');
    open(dir, 'drill-1', 'complete.yaml', ['--drill']);
    open(dir, 'half-1', 'part1.yaml');
  });

  it('with no argument lists every incident, drills marked', () => {
    const r = leakctl(['status', '--dir', dir, '--now', NOW]);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^INCIDENT\s/);
    const row = (id: string) => rows.find((l) => l.startsWith(`${id} `) || l.startsWith(`${id}\t`))!;
    expect(row('drill-1')).toContain('(drill)');
    expect(row('done-1')).not.toContain('drill');
    expect(row('half-1')).not.toContain('drill');
    expect(row('done-1')).toContain('all steps done');
    expect(row('half-1')).toContain('breach');
  });

  it('of one incident with --json gives its progress and deadlines', () => {
    const r = leakctl(['status', 'half-1', '--json', '--dir', dir, '--now', '2026-03-03T09:00:00Z']);
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout) as {
      incident: string;
      state: string;
      answered: number;
      skipped: number;
      open: number;
      total: number;
      phases: { id: string; answered: number; open: number; total: number }[];
      next: { step: string };
      deadlines: { id: string; status: string; due: string }[];
    };
    expect(status).toMatchObject({ incident: 'half-1', state: 'in_progress', answered: 4, skipped: 0, open: 4, total: 8 });
    expect(status.phases.map((p) => [p.id, p.answered, p.open, p.total])).toEqual([
      ['contain', 4, 0, 4],
      ['document', 0, 4, 4],
    ]);
    expect(status.next.step).toBe('members_affected');
    expect(status.deadlines).toEqual([expect.objectContaining({ id: 'authority', status: 'running', due: '2026-03-05T08:30:00.000Z' })]);
  });

  it('of one incident as text shows progress, the next step and the deadline clock', () => {
    const r = leakctl(['status', 'half-1', '--dir', dir, '--now', '2026-03-03T09:00:00Z']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('4/8 steps done');
    expect(r.stdout).toContain('How many members are affected?');
    expect(r.stdout).toContain('leakctl resume half-1');
    expect(r.stdout).toContain('Notify the supervisory authority');
  });
});
