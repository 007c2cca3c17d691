import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyAttachment } from '../../src/evidence/attachments.js';
import { NoLogFile } from '../../src/evidence/chain.js';
import { verifyLog } from '../../src/evidence/verify.js';
import { InvalidInput } from '../../src/ui/errors.js';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

let root: string;
let dir: string;
let log: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'leakctl-verify-'));
  dir = path.join(root, 'leak-1');
  fs.mkdirSync(dir);
  log = path.join(dir, 'evidence.jsonl');
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const readLines = (): string[] => fs.readFileSync(log, 'utf8').split('\n').slice(0, -1);
const writeLines = (lines: string[]): void => fs.writeFileSync(log, lines.map((l) => `${l}\n`).join(''));

/** A line built by hand from the SPEC rule, for forgeries and for logs too big to append one by one. */
function line(seq: number, type: string, data: object, prev: string | null, hash?: string, actor = 'dana'): string {
  const unhashed = JSON.stringify({ seq, at: at(seq).toISOString(), type, actor, data, prev });
  return `${unhashed.slice(0, -1)},"hash":"${hash ?? sha256(unhashed)}"}`;
}
const hashOfLine = (l: string): string => (JSON.parse(l) as { hash: string }).hash;

/** Appends hand-built lines that chain on from the log's last line. */
function append(...entries: { type: string; data: object; actor?: string }[]): string {
  const lines = fs.existsSync(log) ? readLines() : [];
  let prev = lines.length > 0 ? hashOfLine(lines.at(-1) as string) : null;
  for (const e of entries) {
    const l = line(lines.length, e.type, e.data, prev, undefined, e.actor);
    lines.push(l);
    prev = hashOfLine(l);
  }
  writeLines(lines);
  return prev as string;
}

/**
 * Eight entries: opened, answers (one an attachment step), a note with awkward characters, an
 * attached file, a skipped step; lines 1-8.
 */
async function incident(): Promise<{ head: string; files: string[] }> {
  const src = path.join(root, 'src');
  fs.mkdirSync(src);
  fs.mkdirSync(path.join(dir, 'attachments'), { recursive: true });
  fs.writeFileSync(path.join(src, 'access-log.txt'), 'GET /members/export 200\n');
  fs.writeFileSync(path.join(src, 'screenshot.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]));
  const a = (await copyAttachment(dir, path.join(src, 'access-log.txt'))).file;
  const b = (await copyAttachment(dir, path.join(src, 'screenshot.png'))).file;
  const head = append(
    { type: 'incident.opened', data: { playbook: 'platform-leak', drill: false } },
    { type: 'step.answered', data: { step: 'vulnerability_confirmed', value: true, source: 'prompt' } },
    { type: 'step.answered', data: { step: 'exposed_data', value: ['names', 'emails'], source: 'prompt' } },
    { type: 'step.answered', data: { step: 'evidence', value: [{ path: a.path, sha256: a.sha256, bytes: a.bytes }], source: 'prompt' } },
    { type: 'note.added', actor: 'Zoë', data: { text: 'she said "it\'s on pastebin" \\ 🔥\n\u2028 <script>' } },
    { type: 'evidence.attached', data: { files: [b] } },
    { type: 'step.skipped', data: { step: 'payment_processor_told', reason: 'no payment data' } },
    { type: 'deadline.started', data: { deadline: 'gdpr_authority', due: '2026-03-05T09:00:00.000Z' } },
  );
  return { head, files: [a.path, b.path] };
}

describe('verifyLog', () => {
  it('passes an intact log, with its entry count, head and attachments', async () => {
    const { head, files } = await incident();
    expect(await verifyLog(log)).toEqual({ ok: true, entries: 8, head, problems: [], attachments: 2, attachmentPaths: files, lines: 8 });
  });

  it('verifies a copy of the log under any name, its attachments looked for where it is told', async () => {
    const { head } = await incident();
    const copy = path.join(root, 'for-the-auditor.txt');
    fs.copyFileSync(log, copy);
    expect(await verifyLog(copy, { dir })).toMatchObject({ ok: true, head, attachments: 2 });
    expect(await verifyLog(copy, { copy: true })).toMatchObject({ ok: true, head, attachments: 0, attachmentsNotChecked: 2 });
  });

  it('refuses an empty log: an incident that was never started has nothing to verify (exit 2)', async () => {
    fs.writeFileSync(log, '');
    await expect(verifyLog(log)).rejects.toThrow(/is empty: there is nothing to verify/);
  });

  it('says there is no such file', async () => {
    await expect(verifyLog(path.join(root, 'nope', 'evidence.jsonl'))).rejects.toThrow(NoLogFile);
    await expect(verifyLog(path.join(root, 'nope', 'evidence.jsonl'))).rejects.toThrow(InvalidInput);
  });

  it('catches a byte that is not UTF-8 even when the hash was made over what a loose decoder reads', async () => {
    append({ type: 'incident.opened', data: {} }, { type: 'note.added', data: { text: 'a \uFFFD b' } });
    const bytes = fs.readFileSync(log);
    const at = bytes.indexOf(Buffer.from('\uFFFD'));
    // EF BF BD (U+FFFD) becomes FF, which a loose decoder reads back as U+FFFD: the same text.
    const forged = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at + 3)]);
    expect(forged.toString('utf8')).toBe(bytes.toString('utf8'));
    fs.writeFileSync(log, forged);
    expect((await verifyLog(log)).problems).toEqual([{ line: 2, message: 'line 2: is not valid UTF-8 (a byte was changed?)' }]);
  });

  it('names an entry dated before the one it follows', async () => {
    const lines = [line(0, 'incident.opened', {}, null)];
    const unhashed = JSON.stringify({ seq: 1, at: '2026-03-01T00:00:00.000Z', type: 'note.added', actor: 'dana', data: { text: 'earlier' }, prev: hashOfLine(lines[0]!) });
    lines.push(`${unhashed.slice(0, -1)},"hash":"${sha256(unhashed)}"}`);
    writeLines(lines);
    expect((await verifyLog(log)).problems[0]?.message).toBe(
      'line 2: at 2026-03-01T00:00:00.000Z is earlier than the entry before it (2026-03-02T09:00:00.000Z); time in a log only moves forward (entries reordered, or a clock set back?)',
    );
  });

  it('names a log that does not begin with incident.opened, and a second incident.opened', async () => {
    append({ type: 'note.added', data: { text: 'no opening' } });
    expect((await verifyLog(log)).problems[0]?.message).toBe(
      'line 1: the first entry is note.added; a log begins with incident.opened (its start was cut off or replaced?)',
    );
    fs.rmSync(log);
    append({ type: 'incident.opened', data: {} }, { type: 'incident.opened', data: {} });
    expect((await verifyLog(log)).problems[0]?.message).toBe('line 2: incident.opened where only the first entry may be one (two logs joined together?)');
  });

  it('names the line of an edited field', async () => {
    await incident();
    const lines = readLines();
    lines[2] = (lines[2] as string).replace('"emails"', '"phones"');
    writeLines(lines);
    const r = await verifyLog(log);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([{ line: 3, message: 'line 3: hash does not match its content (entry edited?)' }]);
    expect(r.entries).toBe(2);
  });

  it('catches an edit that only adds a space', async () => {
    await incident();
    const lines = readLines();
    lines[5] = (lines[5] as string).replace('"files":', '"files": ');
    writeLines(lines);
    expect((await verifyLog(log)).problems[0]?.message).toBe('line 6: hash does not match its content (entry edited?)');
  });

  it('names the line where a line was deleted', async () => {
    await incident();
    const lines = readLines();
    lines.splice(4, 1);
    writeLines(lines);
    expect((await verifyLog(log)).problems).toEqual([
      { line: 5, message: 'line 5: seq 5 where 4 was expected (a line deleted or swapped?)' },
    ]);
  });

  it('names the line where two lines were swapped', async () => {
    await incident();
    const lines = readLines();
    [lines[2], lines[3]] = [lines[3] as string, lines[2] as string];
    writeLines(lines);
    expect((await verifyLog(log)).problems[0]).toEqual({
      line: 3,
      message: 'line 3: seq 3 where 2 was expected (a line deleted or swapped?)',
    });
  });

  it('names a line whose prev does not link, even with seq and hash made to fit', async () => {
    await incident();
    const lines = readLines();
    lines[4] = line(4, 'note.added', { text: 'inserted' }, 'f'.repeat(64));
    writeLines(lines);
    expect((await verifyLog(log)).problems[0]?.message).toBe(
      "line 5: prev does not link to line 4's hash (a line deleted, inserted or swapped?)",
    );
  });

  it('catches an appended forgery with a correct-looking but wrong hash', async () => {
    const { head } = await incident();
    const forged = line(8, 'note.added', { text: 'all fine, nothing leaked' }, head, sha256('something else'));
    fs.appendFileSync(log, `${forged}\n`);
    const r = await verifyLog(log);
    expect(r.problems).toEqual([{ line: 9, message: 'line 9: hash does not match its content (entry edited?)' }]);
    expect(r).toMatchObject({ ok: false, entries: 8, head });
  });

  it('flags an entry appended after incident.closed, however well-formed', async () => {
    await incident();
    append({ type: 'incident.closed', data: {} }, { type: 'note.added', data: { text: 'afterwards' } });
    expect((await verifyLog(log)).problems[0]?.message).toBe(
      'line 10: entry after the incident was closed on line 9 (appended later?)',
    );
  });

  it('names a line that is not JSON, and one with Windows line endings', async () => {
    await incident();
    const lines = readLines();
    writeLines([...lines.slice(0, 2), '{"seq":2,', ...lines.slice(3)]);
    expect((await verifyLog(log)).problems[0]?.message).toMatch(/^line 3: not valid JSON/);
    fs.writeFileSync(log, lines.map((l) => `${l}\r\n`).join(''));
    expect((await verifyLog(log)).problems[0]?.message).toBe(
      'line 1: ends with a carriage return (saved with Windows line endings?)',
    );
  });

  it('names a changed attachment', async () => {
    const { files } = await incident();
    fs.appendFileSync(path.join(dir, files[0] as string), 'GET /members/export 200\n');
    const r = await verifyLog(log);
    expect(r.ok).toBe(false);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.line).toBe(4);
    expect(r.problems[0]?.message).toMatch(new RegExp(`^line 4: attachment ${files[0]} has changed`));
  });

  it('names a missing attachment', async () => {
    const { files } = await incident();
    fs.rmSync(path.join(dir, files[1] as string));
    expect((await verifyLog(log)).problems).toEqual([{ line: 6, message: `line 6: attachment ${files[1]} is missing` }]);
  });

  it('refuses an attachment path that leaves the incident directory', async () => {
    await incident();
    fs.writeFileSync(path.join(root, 'outside.txt'), 'x');
    append({ type: 'evidence.attached', data: { files: [{ path: '../outside.txt', sha256: sha256('x'), bytes: 1 }] } });
    expect((await verifyLog(log)).problems[0]?.message).toBe(
      'line 9: attachment path "../outside.txt" points outside the incident directory',
    );
  });

  describe('with --head', () => {
    it('passes when the head is the log head', async () => {
      const { head } = await incident();
      expect(await verifyLog(log, { head })).toMatchObject({ ok: true, headLine: 8 });
    });

    it('catches a cut tail: the recorded head is no longer in the log', async () => {
      const { head } = await incident();
      writeLines(readLines().slice(0, 6));
      const plain = await verifyLog(log);
      expect(plain.ok).toBe(true); // a cut log is a valid chain on its own: that is why --head exists
      const r = await verifyLog(log, { head });
      expect(r.ok).toBe(false);
      expect(r.problems).toEqual([
        {
          line: 0,
          message: `the given head ${head} is not in this log: entries were cut from its end (it now ends at line 6), or the hash belongs to another incident's log`,
        },
      ]);
    });

    it('accepts an earlier head (entries added since) and says where it is', async () => {
      await incident();
      const earlier = hashOfLine(readLines()[4] as string);
      expect(await verifyLog(log, { head: earlier.toUpperCase() })).toMatchObject({ ok: true, headLine: 5, entries: 8 });
    });

    it('refuses something that is not a hash', async () => {
      await incident();
      await expect(verifyLog(log, { head: 'abc' })).rejects.toThrow(/--head must be a SHA-256 hash/);
    });
  });

  describe('on logs larger than a read chunk', () => {
    /** n hand-built entries of about 600 bytes each: several 1 MiB chunks. */
    function bigLog(n: number): string[] {
      const lines: string[] = [];
      let prev: string | null = null;
      for (let seq = 0; seq < n; seq++) {
        const l = line(seq, seq === 0 ? 'incident.opened' : 'note.added', { text: `note ${seq} ${'é🔥x'.repeat(130)}` }, prev);
        lines.push(l);
        prev = hashOfLine(l);
      }
      fs.mkdirSync(dir, { recursive: true });
      writeLines(lines);
      return lines;
    }

    it('verifies every line across chunk boundaries', async () => {
      const lines = bigLog(6000);
      expect(fs.statSync(log).size).toBeGreaterThan(3 * 1024 * 1024);
      expect(await verifyLog(log)).toMatchObject({ ok: true, entries: 6000, head: hashOfLine(lines[5999] as string) });
    });

    it('names the right line for an edit deep in the file', async () => {
      const lines = bigLog(6000);
      lines[4321] = (lines[4321] as string).replace('note 4321', 'note 4322');
      writeLines(lines);
      expect((await verifyLog(log)).problems).toEqual([
        { line: 4322, message: 'line 4322: hash does not match its content (entry edited?)' },
      ]);
    });

    it('finds attachment answers anywhere in the file and names the line of a missing one', async () => {
      fs.mkdirSync(path.join(dir, 'attachments'), { recursive: true });
      const lines: string[] = [];
      let prev: string | null = null;
      for (let seq = 0; seq < 6000; seq++) {
        let value: unknown = ['names', 'x'.repeat(500)];
        if (seq % 700 === 5) {
          const rel = `attachments/file-${seq}.txt`;
          fs.writeFileSync(path.join(dir, rel), `evidence ${seq}`);
          value = [{ path: rel, sha256: sha256(`evidence ${seq}`), bytes: `evidence ${seq}`.length }];
        }
        const l = seq === 0 ? line(0, 'incident.opened', {}, null) : line(seq, 'step.answered', { step: `s${seq}`, value, source: 'answers' }, prev);
        lines.push(l);
        prev = hashOfLine(l);
      }
      writeLines(lines);
      expect(await verifyLog(log)).toMatchObject({ ok: true, entries: 6000, attachments: 9 });
      fs.rmSync(path.join(dir, 'attachments/file-4205.txt'));
      expect((await verifyLog(log)).problems).toEqual([
        { line: 4206, message: 'line 4206: attachment attachments/file-4205.txt is missing' },
      ]);
    });

    it('handles a single line longer than a chunk', async () => {
      const first = line(0, 'incident.opened', {}, null);
      const huge = line(1, 'note.added', { text: 'z'.repeat(3 * 1024 * 1024) }, hashOfLine(first));
      const after = line(2, 'note.added', { text: 'after' }, hashOfLine(huge));
      fs.mkdirSync(dir, { recursive: true });
      writeLines([first, huge, after]);
      expect(await verifyLog(log)).toMatchObject({ ok: true, entries: 3, head: hashOfLine(after) });
    });
  });
});
