import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyAttachment } from '../../src/evidence/attachments.js';
import { EvidenceLog } from '../../src/evidence/log.js';
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
  log = path.join(dir, 'evidence.jsonl');
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const readLines = (): string[] => fs.readFileSync(log, 'utf8').split('\n').slice(0, -1);
const writeLines = (lines: string[]): void => fs.writeFileSync(log, lines.map((l) => `${l}\n`).join(''));

/** A line built by hand from the SPEC rule, for forgeries and for logs too big to append one by one. */
function line(seq: number, type: string, data: object, prev: string | null, hash?: string): string {
  const unhashed = JSON.stringify({ seq, at: at(seq).toISOString(), type, actor: 'dana', data, prev });
  return `${unhashed.slice(0, -1)},"hash":"${hash ?? sha256(unhashed)}"}`;
}
const hashOfLine = (l: string): string => (JSON.parse(l) as { hash: string }).hash;

/**
 * Eight entries: opened, answers (one an attachment step), a note with awkward characters, an
 * attached file, a skipped step; lines 1-8.
 */
async function incident(): Promise<{ head: string; files: string[] }> {
  const src = path.join(root, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'access-log.txt'), 'GET /members/export 200\n');
  fs.writeFileSync(path.join(src, 'screenshot.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]));
  const l = EvidenceLog.create(dir);
  l.append('incident.opened', 'dana', { playbook: 'platform-leak', drill: false }, at(0));
  l.append('step.answered', 'dana', { step: 'vulnerability_confirmed', value: true, source: 'prompt' }, at(1));
  l.append('step.answered', 'dana', { step: 'exposed_data', value: ['names', 'emails'], source: 'prompt' }, at(2));
  const a = await copyAttachment(dir, path.join(src, 'access-log.txt'));
  l.append('step.answered', 'dana', { step: 'evidence', value: [{ path: a.path, sha256: a.sha256, bytes: a.bytes }], source: 'prompt' }, at(3));
  l.append('note.added', 'Zoë', { text: 'she said "it\'s on pastebin" \\ 🔥\n\u2028 <script>' }, at(4));
  const b = await copyAttachment(dir, path.join(src, 'screenshot.png'));
  l.append('evidence.attached', 'dana', { files: [b] }, at(5));
  l.append('step.skipped', 'dana', { step: 'payment_processor_told', reason: 'no payment data' }, at(6));
  const last = l.append('deadline.started', 'dana', { deadline: 'gdpr_authority', due: '2026-03-05T09:00:00.000Z' }, at(7));
  l.close();
  return { head: last.hash, files: [a.path, b.path] };
}

describe('verifyLog', () => {
  it('passes an intact log, with its entry count, head and attachments', async () => {
    const { head } = await incident();
    expect(await verifyLog(dir)).toEqual({ ok: true, entries: 8, head, problems: [], attachments: 2, lines: 8 });
  });

  it('accepts the path of the log file itself', async () => {
    const { head } = await incident();
    expect(await verifyLog(log)).toMatchObject({ ok: true, head });
  });

  it('passes an empty log', async () => {
    EvidenceLog.create(dir).close();
    expect(await verifyLog(dir)).toMatchObject({ ok: true, entries: 0, head: null, problems: [] });
  });

  it('says there is no incident at a directory without a log', async () => {
    await expect(verifyLog(path.join(root, 'nope'))).rejects.toThrow(InvalidInput);
    fs.mkdirSync(path.join(root, 'empty'));
    await expect(verifyLog(path.join(root, 'empty'))).rejects.toThrow(`no incident at ${path.join(root, 'empty')}`);
  });

  it('names the line of an edited field', async () => {
    await incident();
    const lines = readLines();
    lines[2] = (lines[2] as string).replace('"emails"', '"phones"');
    writeLines(lines);
    const r = await verifyLog(dir);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([{ line: 3, message: 'line 3: hash does not match its content (entry edited?)' }]);
    expect(r.entries).toBe(2);
  });

  it('catches an edit that only adds a space', async () => {
    await incident();
    const lines = readLines();
    lines[5] = (lines[5] as string).replace('"files":', '"files": ');
    writeLines(lines);
    expect((await verifyLog(dir)).problems[0]?.message).toBe('line 6: hash does not match its content (entry edited?)');
  });

  it('names the line where a line was deleted', async () => {
    await incident();
    const lines = readLines();
    lines.splice(4, 1);
    writeLines(lines);
    expect((await verifyLog(dir)).problems).toEqual([
      { line: 5, message: 'line 5: seq 5 where 4 was expected (a line deleted or swapped?)' },
    ]);
  });

  it('names the line where two lines were swapped', async () => {
    await incident();
    const lines = readLines();
    [lines[2], lines[3]] = [lines[3] as string, lines[2] as string];
    writeLines(lines);
    expect((await verifyLog(dir)).problems[0]).toEqual({
      line: 3,
      message: 'line 3: seq 3 where 2 was expected (a line deleted or swapped?)',
    });
  });

  it('names a line whose prev does not link, even with seq and hash made to fit', async () => {
    await incident();
    const lines = readLines();
    lines[4] = line(4, 'note.added', { text: 'inserted' }, 'f'.repeat(64));
    writeLines(lines);
    expect((await verifyLog(dir)).problems[0]?.message).toBe(
      "line 5: prev does not link to line 4's hash (a line deleted, inserted or swapped?)",
    );
  });

  it('catches an appended forgery with a correct-looking but wrong hash', async () => {
    const { head } = await incident();
    const forged = line(8, 'note.added', { text: 'all fine, nothing leaked' }, head, sha256('something else'));
    fs.appendFileSync(log, `${forged}\n`);
    const r = await verifyLog(dir);
    expect(r.problems).toEqual([{ line: 9, message: 'line 9: hash does not match its content (entry edited?)' }]);
    expect(r).toMatchObject({ ok: false, entries: 8, head });
  });

  it('flags an entry appended after incident.closed, however well-formed', async () => {
    await incident();
    const l = EvidenceLog.open(dir);
    const closed = l.append('incident.closed', 'dana', {}, at(8));
    l.close();
    fs.appendFileSync(log, `${line(9, 'note.added', { text: 'afterwards' }, closed.hash)}\n`);
    expect((await verifyLog(dir)).problems[0]?.message).toBe(
      'line 10: entry after the incident was closed on line 9 (appended later?)',
    );
  });

  it('names a line that is not JSON, and one with Windows line endings', async () => {
    await incident();
    const lines = readLines();
    writeLines([...lines.slice(0, 2), '{"seq":2,', ...lines.slice(3)]);
    expect((await verifyLog(dir)).problems[0]?.message).toMatch(/^line 3: not valid JSON/);
    fs.writeFileSync(log, lines.map((l) => `${l}\r\n`).join(''));
    expect((await verifyLog(dir)).problems[0]?.message).toBe(
      'line 1: ends with a carriage return (saved with Windows line endings?)',
    );
  });

  it('names a changed attachment', async () => {
    const { files } = await incident();
    fs.appendFileSync(path.join(dir, files[0] as string), 'GET /members/export 200\n');
    const r = await verifyLog(dir);
    expect(r.ok).toBe(false);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.line).toBe(4);
    expect(r.problems[0]?.message).toMatch(new RegExp(`^line 4: attachment ${files[0]} has changed`));
  });

  it('names a missing attachment', async () => {
    const { files } = await incident();
    fs.rmSync(path.join(dir, files[1] as string));
    expect((await verifyLog(dir)).problems).toEqual([{ line: 6, message: `line 6: attachment ${files[1]} is missing` }]);
  });

  it('refuses an attachment path that leaves the incident directory', async () => {
    await incident();
    fs.writeFileSync(path.join(root, 'outside.txt'), 'x');
    const l = EvidenceLog.open(dir);
    l.append('evidence.attached', 'dana', { files: [{ path: '../outside.txt', sha256: sha256('x'), bytes: 1 }] }, at(8));
    l.close();
    expect((await verifyLog(dir)).problems[0]?.message).toBe(
      'line 9: attachment path "../outside.txt" points outside the incident directory',
    );
  });

  describe('with --head', () => {
    it('passes when the head is the log head', async () => {
      const { head } = await incident();
      expect(await verifyLog(dir, { head })).toMatchObject({ ok: true, headLine: 8 });
    });

    it('catches a cut tail: the recorded head is no longer in the log', async () => {
      const { head } = await incident();
      writeLines(readLines().slice(0, 6));
      const plain = await verifyLog(dir);
      expect(plain.ok).toBe(true); // a cut log is a valid chain on its own: that is why --head exists
      const r = await verifyLog(dir, { head });
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
      expect(await verifyLog(dir, { head: earlier.toUpperCase() })).toMatchObject({ ok: true, headLine: 5, entries: 8 });
    });

    it('refuses something that is not a hash', async () => {
      await incident();
      await expect(verifyLog(dir, { head: 'abc' })).rejects.toThrow(/--head must be a SHA-256 hash/);
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
      expect(await verifyLog(dir)).toMatchObject({ ok: true, entries: 6000, head: hashOfLine(lines[5999] as string) });
    });

    it('names the right line for an edit deep in the file', async () => {
      const lines = bigLog(6000);
      lines[4321] = (lines[4321] as string).replace('note 4321', 'note 4322');
      writeLines(lines);
      expect((await verifyLog(dir)).problems).toEqual([
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
        const l = line(seq, 'step.answered', { step: `s${seq}`, value, source: 'answers' }, prev);
        lines.push(l);
        prev = hashOfLine(l);
      }
      writeLines(lines);
      expect(await verifyLog(dir)).toMatchObject({ ok: true, entries: 6000, attachments: 9 });
      fs.rmSync(path.join(dir, 'attachments/file-4205.txt'));
      expect((await verifyLog(dir)).problems).toEqual([
        { line: 4206, message: 'line 4206: attachment attachments/file-4205.txt is missing' },
      ]);
    });

    it('handles a single line longer than a chunk', async () => {
      const first = line(0, 'incident.opened', {}, null);
      const huge = line(1, 'note.added', { text: 'z'.repeat(3 * 1024 * 1024) }, hashOfLine(first));
      const after = line(2, 'note.added', { text: 'after' }, hashOfLine(huge));
      fs.mkdirSync(dir, { recursive: true });
      writeLines([first, huge, after]);
      expect(await verifyLog(dir)).toMatchObject({ ok: true, entries: 3, head: hashOfLine(after) });
    });
  });
});
