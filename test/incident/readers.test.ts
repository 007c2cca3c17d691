/**
 * Every reader trusts only a verified log (issue 8): each command that opens an incident refuses a
 * log that breaks a rule, writes nothing, and leaves the file byte for byte as it was. Commands
 * run in-process; the FIFO case spawns them, so that a reader that blocked would be seen as a
 * hang and killed rather than hang the test run.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashOf, serialiseEntry } from '../../src/evidence/entry.js';
import { inProcess } from '../helpers/cli.js';
import { startLeakctl } from '../helpers/processes.js';

const fixtures = join(import.meta.dirname, '..', 'e2e', 'fixtures', 'incident');
const breach = join(fixtures, 'breach.yaml');
const part1 = join(fixtures, 'part1.yaml');
const complete = join(fixtures, 'complete.yaml');

const tmp = mkdtempSync(join(tmpdir(), 'leakctl-readers-'));
const incidents = join(tmp, 'incidents');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every command that opens an incident, as a responder would run it on incident `id`. */
const commands = (id: string): string[][] => [
  ['status', id],
  ['log', id],
  ['log', id, '--json'],
  ['render', id],
  ['render', id, '--stdout', 'member-notice'],
  ['resume', id, '--answers', complete],
  ['amend', id, 'members_affected', '--value', '41'],
  ['next', id],
  ['do', id, 'remarks', '--value', 'seen'],
  ['defer', id, 'authority_notified_at', '--reason', 'not told yet'],
  ['decline', id, 'remarks', '--reason', 'nothing to add'],
  ['note', id, 'an observation'],
  ['attach', id, join(fixtures, 'access-log.txt')],
  ['close', id],
  ['verify', id],
];

/** Every file of an incident directory with its bytes, to prove nothing was written. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    try {
      out[name] = readFileSync(join(dir, name)).toString('base64');
    } catch {
      out[name] = 'dir';
    }
  }
  return out;
}

beforeAll(async () => {
  const r = await inProcess(['start', breach, '--answers', part1, '--id', 'good', '--dir', incidents, '--drill']);
  expect(r.code, r.stderr).toBe(2);
}, 60_000);

function copyOf(id: string): string {
  const dir = join(incidents, id);
  cpSync(join(incidents, 'good'), dir, { recursive: true });
  return dir;
}

describe('a log whose entry was edited (hash left stale)', () => {
  it('is refused by every command with exit 3 and the message verify prints; nothing changes', async () => {
    const dir = copyOf('edited');
    const log = join(dir, 'evidence.jsonl');
    writeFileSync(log, readFileSync(log, 'utf8').replace('"names"', '"nothing"'));
    const before = snapshot(dir);
    const verify = await inProcess(['verify', 'edited', '--dir', incidents]);
    const problem = verify.stderr.split('\n')[0]!;
    expect(problem).toMatch(/^line \d+: hash does not match its content/);
    for (const args of commands('edited')) {
      const r = await inProcess([...args, '--dir', incidents]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(3);
      expect(r.stderr, args.join(' ')).toContain(problem);
      // Nothing of the forged log is shown, rendered or printed.
      expect(r.stdout, args.join(' ')).toBe('');
      expect(snapshot(dir), args.join(' ')).toEqual(before);
    }
  }, 60_000);
});

describe('a log that does not begin with incident.opened', () => {
  it('is refused by every command with exit 3; nothing changes', async () => {
    const dir = join(incidents, 'headless');
    mkdirSync(join(dir, 'attachments'), { recursive: true });
    mkdirSync(join(dir, 'drafts'));
    const note = { seq: 0, at: '2026-03-02T09:00:00.000Z', type: 'note.added' as const, actor: 'eve', data: { text: 'entry 0' }, prev: null };
    writeFileSync(join(dir, 'evidence.jsonl'), `${serialiseEntry({ ...note, hash: hashOf(note) })}\n`);
    const before = snapshot(dir);
    for (const args of commands('headless')) {
      const r = await inProcess([...args, '--dir', incidents]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toContain('line 1: the first entry is note.added; a log begins with incident.opened');
      expect(snapshot(dir), args.join(' ')).toEqual(before);
    }
  }, 60_000);
});

describe('an empty log (a start that never wrote its first entry)', () => {
  it('is "never started" to every command: exit 2 with what to do, and no entry 0 written', async () => {
    const dir = join(incidents, 'empty');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'evidence.jsonl'), '');
    for (const args of commands('empty')) {
      const r = await inProcess([...args, '--dir', incidents]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(args[0] === 'verify' ? /is empty: there is nothing to verify/ : /incident empty was never started: its evidence log is empty\. Nothing at .* is an incident yet; remove it, then open the incident again/);
      expect(readFileSync(join(dir, 'evidence.jsonl'), 'utf8')).toBe('');
    }
  }, 60_000);
});

describe('a log that is a symbolic link', () => {
  it('is refused by every command with exit 2, and the file it points to is never written', async () => {
    const target = join(tmp, 'elsewhere.jsonl');
    cpSync(join(incidents, 'good', 'evidence.jsonl'), target);
    const dir = join(incidents, 'linked');
    mkdirSync(join(dir, 'attachments'), { recursive: true });
    symlinkSync(target, join(dir, 'evidence.jsonl'));
    const before = readFileSync(target);
    for (const args of commands('linked')) {
      const r = await inProcess([...args, '--dir', incidents]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/is a symbolic link/);
    }
    expect(readFileSync(target)).toEqual(before);
  }, 60_000);
});

describe('a log that is a FIFO', () => {
  it('is refused by every command at once with exit 2; none blocks on it', async () => {
    const dir = join(incidents, 'fifo');
    mkdirSync(dir, { recursive: true });
    execFileSync('mkfifo', [join(dir, 'evidence.jsonl')]);
    const runs = commands('fifo').map((args) => ({ args, ended: startLeakctl([...args, '--dir', incidents], { timeoutMs: 30_000 }).ended }));
    for (const { args, ended } of runs) {
      const r = await ended;
      expect(r.timedOut, `${args.join(' ')} hung on the FIFO`).toBe(false);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/is a named pipe \(FIFO\), not a regular file/);
    }
  }, 60_000);
});

describe('a clock earlier than the log', () => {
  it('is refused by every command that writes, with exit 2, and nothing changes', async () => {
    const dir = copyOf('clock');
    const before = snapshot(dir);
    const writers = commands('clock').filter((args) => !['status', 'log', 'verify', 'next'].includes(args[0]!) && !args.includes('--stdout'));
    expect(writers.map((args) => args[0])).toEqual(['render', 'resume', 'amend', 'do', 'defer', 'decline', 'note', 'attach', 'close']);
    for (const args of writers) {
      for (const env of [{}, { LEAKCTL_NOW: '2026-01-01T00:00:00Z' }]) {
        const r = await inProcess([...args, '--dir', incidents, ...('LEAKCTL_NOW' in env ? [] : ['--now', '2026-01-01T00:00:00Z'])], { env });
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(/reads 2026-01-01T00:00:00.000Z, earlier than incident clock's last entry/);
      }
    }
    expect(snapshot(dir)).toEqual(before);
  }, 60_000);
});

describe('a copy of the log under another name', () => {
  it('verifies where it is, whatever its name; its attachments are checked when they came with it', async () => {
    const copy = join(tmp, 'for-counsel.log');
    cpSync(join(incidents, 'good', 'evidence.jsonl'), copy);
    const alone = await inProcess(['verify', copy]);
    expect(alone.code, alone.stderr).toBe(0);
    expect(alone.stdout).toMatch(/^OK {2}\d+ entries, head [0-9a-f]{64}$/m);
    const withFiles = join(tmp, 'copy-of-incident');
    cpSync(join(incidents, 'good'), withFiles, { recursive: true });
    cpSync(join(withFiles, 'evidence.jsonl'), join(withFiles, 'log-as-sent.txt'));
    const r = await inProcess(['verify', join(withFiles, 'log-as-sent.txt')]);
    expect(r.code, r.stderr).toBe(0);
    appendFileSync(join(withFiles, 'log-as-sent.txt'), '{"seq":99}\n');
    expect((await inProcess(['verify', join(withFiles, 'log-as-sent.txt')])).code).toBe(3);
  }, 60_000);
});

describe('a line whose hash was recomputed over text that is not an entry', () => {
  it('is refused by every reader with exit 3 naming the line, not an unexpected error', async () => {
    const dir = copyOf('forged');
    const log = join(dir, 'evidence.jsonl');
    const lines = readFileSync(log, 'utf8').split('\n').slice(0, -1);
    const last = JSON.parse(lines.at(-1)!) as { seq: number; at: string; hash: string };
    // data holds `tru` where JSON needs `true`; the hash is made over exactly those bytes.
    const unhashed = `{"seq":${last.seq + 1},"at":"${last.at}","type":"step.answered","actor":"eve","data":{"step":"members_affected","value":tru,"source":"prompt"},"prev":"${last.hash}"}`;
    const { createHash } = await import('node:crypto');
    writeFileSync(log, `${lines.join('\n')}\n${unhashed.slice(0, -1)},"hash":"${createHash('sha256').update(unhashed).digest('hex')}"}\n`);
    for (const args of [['verify', 'forged'], ['status', 'forged'], ['log', 'forged'], ['note', 'forged', 'x']]) {
      const r = await inProcess([...args, '--dir', incidents]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toContain(`line ${lines.length + 1}: not valid JSON`);
      expect(r.stderr).not.toMatch(/unexpected error/);
    }
  }, 60_000);
});

describe('an entry longer than the slice a reader holds at once (1 MiB)', () => {
  it('is shown by log and log --json, with every entry after it', async () => {
    const dir = copyOf('long');
    const before = readFileSync(join(dir, 'evidence.jsonl'), 'utf8').split('\n').length - 1;
    expect((await inProcess(['note', 'long', 'x'.repeat(1_300_000), '--dir', incidents])).code).toBe(0);
    expect((await inProcess(['note', 'long', 'after the long one', '--dir', incidents])).code).toBe(0);
    const json = await inProcess(['log', 'long', '--json', '--dir', incidents]);
    expect(json.code, json.stderr).toBe(0);
    const entries = JSON.parse(json.stdout) as { data: { text?: string } }[];
    expect(entries).toHaveLength(before + 2);
    expect(entries.at(-1)!.data.text).toBe('after the long one');
    const text = await inProcess(['log', 'long', '--dir', incidents]);
    expect(text.stdout.trimEnd().split('\n')).toHaveLength(before + 2);
    expect(text.stdout).toContain('after the long one');
  }, 60_000);
});

describe('temporary files are told from evidence by their whole name', () => {
  it('keeps an attachment and an incident whose names end like a temporary file', async () => {
    const dir = copyOf('temps');
    const odd = join(tmp, 'export.tmp-999999-abcdefabcdef');
    writeFileSync(odd, 'evidence whose name looks like a temporary file');
    expect((await inProcess(['attach', 'temps', odd, '--dir', incidents])).code).toBe(0);
    const stored = readdirSync(join(dir, 'attachments')).filter((f) => f.endsWith('export.tmp-999999-abcdefabcdef'));
    expect(stored).toHaveLength(1);
    expect((await inProcess(['attach', 'temps', join(fixtures, 'access-log.txt'), '--dir', incidents])).code).toBe(0);
    expect(readdirSync(join(dir, 'attachments'))).toContain(stored[0]);
    expect((await inProcess(['verify', 'temps', '--dir', incidents])).code).toBe(0);

    const oddId = 'a.tmp-999999-abcdefabcdef';
    expect((await inProcess(['start', breach, '--answers', part1, '--id', oddId, '--dir', incidents, '--drill'])).code).toBe(2);
    expect((await inProcess(['start', breach, '--answers', part1, '--id', 'after-odd', '--dir', incidents, '--drill'])).code).toBe(2);
    expect(readdirSync(incidents)).toContain(oddId);
    expect((await inProcess(['verify', oddId, '--dir', incidents])).code).toBe(0);
  }, 60_000);
});

describe('attachments/ or drafts/ replaced by a link out of the incident', () => {
  it('is refused by the commands that write there (exit 2), and nothing is written where it points', async () => {
    for (const part of ['drafts', 'attachments']) {
      const id = `linked-${part}`;
      const dir = copyOf(id);
      const outside = join(tmp, `outside-${part}`);
      mkdirSync(outside);
      rmSync(join(dir, part), { recursive: true, force: true });
      symlinkSync(outside, join(dir, part));
      for (const args of [['render', id, '--template', 'member-notice'], ['attach', id, join(fixtures, 'access-log.txt')]]) {
        const r = await inProcess([...args, '--dir', incidents]);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(`${join(dir, part)} is a symbolic link, not a directory of the incident`);
      }
      expect(readdirSync(outside)).toEqual([]);
    }
  }, 60_000);
});

describe('render on a closed incident', () => {
  it('refuses (exit 2) before any draft is replaced', async () => {
    const dir = copyOf('closed-render');
    const drafts = join(dir, 'drafts');
    writeFileSync(join(drafts, 'status-update.txt'), 'the draft as it was');
    expect((await inProcess(['close', 'closed-render', '--dir', incidents])).code).toBe(0);
    const r = await inProcess(['render', 'closed-render', '--template', 'status-update', '--dir', incidents]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/was closed by .*; its log is read-only/);
    expect(readFileSync(join(drafts, 'status-update.txt'), 'utf8')).toBe('the draft as it was');
    expect(readdirSync(drafts)).toEqual(['status-update.txt']);
  }, 60_000);
});
