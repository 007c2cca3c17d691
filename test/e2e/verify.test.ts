/**
 * `leakctl verify` on a log written by a scripted run, and on copies of it that were tampered
 * with the way a person with a text editor would (SPEC section 4). Exit 3 must name the line, or
 * the attachment.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leakctl } from '../helpers/exec.js';

const fixtures = join(import.meta.dirname, 'fixtures', 'incident');
const breach = join(fixtures, 'breach.yaml');

const tmp = mkdtempSync(join(tmpdir(), 'leakctl-e2e-verify-'));
const dir = join(tmp, 'incidents');
const original = join(dir, 'v1');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Entry {
  seq: number;
  at: string;
  type: string;
  data: Record<string, unknown>;
  hash: string;
}

let copies = 0;
/** A fresh copy of the verified incident, to tamper with. */
function copy(): string {
  const target = join(tmp, `copy-${++copies}`);
  cpSync(original, target, { recursive: true });
  return target;
}

const logOf = (incident: string) => join(incident, 'evidence.jsonl');
const linesOf = (incident: string) => readFileSync(logOf(incident), 'utf8').replace(/\n$/, '').split('\n');
const writeLines = (incident: string, lines: string[]) => writeFileSync(logOf(incident), lines.map((l) => `${l}\n`).join(''));
/** 1-based line number of the first entry matching. */
const lineOf = (incident: string, match: (e: Entry) => boolean) => linesOf(incident).findIndex((l) => match(JSON.parse(l) as Entry)) + 1;

function verify(target: string, ...extra: string[]) {
  return leakctl(['verify', target, ...extra]);
}

beforeAll(() => {
  const r = leakctl(['start', breach, '--answers', join(fixtures, 'complete.yaml'), '--id', 'v1', '--dir', dir]);
  if (r.code !== 0) throw new Error(`the scripted run failed (${r.code}): ${r.stderr}`);
});

describe('leakctl verify on an intact log', () => {
  it('exits 0 printing the entry count and the head hash', () => {
    const lines = linesOf(original);
    const head = (JSON.parse(lines.at(-1)!) as Entry).hash;
    const r = leakctl(['verify', 'v1', '--dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${lines.length} entries`);
    expect(r.stdout).toContain(head);
    expect(r.stderr).toContain('2 attachment(s) intact');
  });

  it('takes the incident directory or the log file as well as the id', () => {
    expect(verify(original).code).toBe(0);
    expect(verify(logOf(original)).code).toBe(0);
  });

  it('accepts --head with the current head: nothing was cut', () => {
    const head = (JSON.parse(linesOf(original).at(-1)!) as Entry).hash;
    const r = verify(original, '--head', head);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('nothing was cut');
  });
});

describe('leakctl verify on a tampered log exits 3 naming the line', () => {
  it('an edited value inside data, hashes left as they were', () => {
    const incident = copy();
    const line = lineOf(incident, (e) => e.data.step === 'members_affected');
    const lines = linesOf(incident);
    expect(lines[line - 1]).toContain('"value":40,');
    lines[line - 1] = lines[line - 1]!.replace('"value":40,', '"value":4,');
    writeLines(incident, lines);
    const r = verify(incident);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`line ${line}: `);
    expect(r.stdout).not.toContain('OK');
  });

  it('a deleted line', () => {
    const incident = copy();
    const lines = linesOf(incident);
    lines.splice(3, 1);
    writeLines(incident, lines);
    const r = verify(incident);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('line 4: ');
  });

  it('two swapped lines', () => {
    const incident = copy();
    const lines = linesOf(incident);
    [lines[2], lines[3]] = [lines[3]!, lines[2]!];
    writeLines(incident, lines);
    const r = verify(incident);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('line 3: ');
  });

  it('an appended forgery: well-formed, linked to the head, with a plausible but wrong hash', () => {
    const incident = copy();
    const lines = linesOf(incident);
    const head = JSON.parse(lines.at(-1)!) as Entry;
    const forged = {
      seq: head.seq + 1,
      at: head.at,
      type: 'note.added',
      actor: 'drill-bot',
      data: { text: 'the authority was notified on time' },
      prev: head.hash,
      hash: createHash('sha256').update('the authority was notified on time').digest('hex'),
    };
    appendFileSync(logOf(incident), `${JSON.stringify(forged)}\n`);
    const r = verify(incident);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`line ${lines.length + 1}: `);
  });

  it('a changed byte in an attachment, naming the file', () => {
    const incident = copy();
    const name = readdirSync(join(incident, 'attachments')).find((f) => f.endsWith('-screenshot.png'))!;
    const file = join(incident, 'attachments', name);
    const bytes = readFileSync(file);
    bytes[100] = bytes[100]! ^ 0x01;
    writeFileSync(file, bytes);
    const r = verify(incident);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`attachments/${name}`);
    expect(r.stderr).toContain('changed');
  });

  it('a missing attachment, naming the file', () => {
    const incident = copy();
    const name = readdirSync(join(incident, 'attachments')).find((f) => f.endsWith('-access-log.txt'))!;
    unlinkSync(join(incident, 'attachments', name));
    const r = verify(incident);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`attachments/${name}`);
    expect(r.stderr).toContain('missing');
  });
});

describe('leakctl verify --head', () => {
  // Guards issue 9: a head from the middle of the log said "nothing was cut" and no more.
  it('with a head from earlier in the log, says which entry it is and how many were added after it', () => {
    const lines = linesOf(original);
    const earlier = (JSON.parse(lines[lines.length - 4]!) as Entry & { seq: number });
    const r = verify(original, '--head', earlier.hash);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`the given head is entry #${earlier.seq}, and 3 entries were added after it, nothing was cut`);
  });

  it('catches lines cut from the end, which the chain alone cannot show', () => {
    const incident = copy();
    const lines = linesOf(incident);
    const recorded = (JSON.parse(lines.at(-1)!) as Entry).hash;
    writeLines(incident, lines.slice(0, -2));
    expect(verify(incident).code).toBe(0);
    const r = verify(incident, '--head', recorded);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(recorded);
    expect(r.stderr).toContain('cut');
  });
});

describe('a torn last line', () => {
  const torn = '{"seq":6,"at":"2026-03-02T09:00:00.000Z","type":"step.answered","actor":"drill-bot","data":{"step":"members_aff';
  const id = 't1';
  const incident = join(dir, id);
  let lines: string[];

  beforeAll(() => {
    const r = leakctl(['start', breach, '--answers', join(fixtures, 'part1.yaml'), '--id', id, '--dir', dir]);
    if (r.code !== 2) throw new Error(`expected the part-1 run to stop with exit 2, got ${r.code}: ${r.stderr}`);
    lines = linesOf(incident);
    appendFileSync(logOf(incident), torn);
  });

  it('is reported by verify (exit 3), naming the line', () => {
    const r = leakctl(['verify', id, '--dir', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`line ${lines.length + 1}: torn`);
  });

  it('is left out of `log --json`, which stays one valid JSON document', () => {
    const r = leakctl(['log', id, '--json', '--dir', dir]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as unknown[]).length).toBe(lines.length);
    expect(r.stderr).toContain(`line ${lines.length + 1} of incident t1's evidence log, its last, is cut short`);
  });

  it('is set aside by resume --answers into a side file holding those exact bytes, and the run completes', () => {
    const r = leakctl(['resume', id, '--answers', join(fixtures, 'more.yaml'), '--dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('set aside');
    const side = readdirSync(incident).filter((f) => f.startsWith('evidence.jsonl.') && f !== 'evidence.jsonl');
    expect(side).toHaveLength(1);
    expect(r.stderr).toContain(join(incident, side[0]!));
    expect(readFileSync(join(incident, side[0]!), 'utf8')).toBe(torn);
    const after = linesOf(incident);
    expect(after.slice(0, lines.length)).toEqual(lines);
    expect(after.join('\n')).not.toContain('members_aff"');
    expect(leakctl(['verify', id, '--dir', dir]).code).toBe(0);
    expect(existsSync(logOf(incident))).toBe(true);
  });
});
