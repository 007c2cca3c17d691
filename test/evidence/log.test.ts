import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EvidenceLog, type LogIo } from '../../src/evidence/log.js';
import { verifyLog } from '../../src/evidence/verify.js';
import { InvalidInput, LeakctlError } from '../../src/ui/errors.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);
const mode = (p: string): number => fs.statSync(p).mode & 0o777;

let root: string;
let dir: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'leakctl-log-'));
  dir = path.join(root, 'incidents', 'leak-1');
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const logFile = (): string => path.join(dir, 'evidence.jsonl');
const fileLines = (): string[] => fs.readFileSync(logFile(), 'utf8').split('\n').slice(0, -1);

function caught(f: () => unknown): LeakctlError {
  try {
    f();
  } catch (e) {
    if (e instanceof LeakctlError) return e;
    throw e;
  }
  throw new Error('expected a LeakctlError');
}

/** Opens the incident with three entries written. */
function threeEntries(): EvidenceLog {
  const log = EvidenceLog.create(dir);
  log.append('incident.opened', 'dana', { playbook: 'platform-leak', drill: false }, at(0));
  log.append('step.answered', 'dana', { step: 'exposed_data', value: ['names', 'emails'], source: 'prompt' }, at(1));
  log.append('note.added', 'dana', { text: 'Zoë called: "it\'s on pastebin" \\ 🔥\nsecond line' }, at(2));
  return log;
}

describe('EvidenceLog.create', () => {
  for (const umask of [0o000, 0o022, 0o077]) {
    it(`makes the incident directories 0700 and the log 0600 under umask ${umask.toString(8).padStart(3, '0')}`, () => {
      const old = process.umask(umask);
      try {
        EvidenceLog.create(dir).close();
      } finally {
        process.umask(old);
      }
      expect(mode(path.join(root, 'incidents'))).toBe(0o700);
      expect(mode(dir)).toBe(0o700);
      expect(mode(path.join(dir, 'attachments'))).toBe(0o700);
      expect(mode(path.join(dir, 'drafts'))).toBe(0o700);
      expect(mode(logFile())).toBe(0o600);
      expect(fs.readFileSync(logFile(), 'utf8')).toBe('');
    });
  }

  it('tightens an incident directory that already existed with looser permissions', () => {
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    EvidenceLog.create(dir).close();
    expect(mode(dir)).toBe(0o700);
  });

  it('refuses an incident that already exists, naming its directory, and leaves its log alone', () => {
    threeEntries().close();
    const before = fs.readFileSync(logFile());
    const e = caught(() => EvidenceLog.create(dir));
    expect(e).toBeInstanceOf(InvalidInput);
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain(dir);
    expect(fs.readFileSync(logFile())).toEqual(before);
  });
});

describe('EvidenceLog.append', () => {
  it('writes one line per entry whose hash and links match the SPEC rule, recomputed independently', () => {
    const log = threeEntries();
    const lines = fileLines();
    expect(lines).toHaveLength(3);
    let prev: string | null = null;
    lines.forEach((line, i) => {
      const m = /^(\{.*),"hash":"([0-9a-f]{64})"\}$/.exec(line);
      expect(m, line).not.toBeNull();
      const [, withoutHash, hash] = m as RegExpExecArray;
      expect(createHash('sha256').update(`${withoutHash}}`, 'utf8').digest('hex')).toBe(hash);
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(parsed)).toEqual(['seq', 'at', 'type', 'actor', 'data', 'prev', 'hash']);
      expect(parsed.seq).toBe(i);
      expect(parsed.prev).toBe(prev);
      expect(parsed.at).toBe(at(i).toISOString());
      prev = hash as string;
    });
    expect(log.head).toBe(prev);
    expect(log.count).toBe(3);
    log.close();
  });

  it('returns exactly what a later read of the line gives, undefined members dropped', () => {
    const log = EvidenceLog.create(dir);
    const e = log.append('note.added', 'dana', { text: 'hi', later: undefined }, at(0));
    log.close();
    expect(e.data).toEqual({ text: 'hi' });
    expect(JSON.parse(fileLines()[0] as string)).toEqual(e);
  });

  it('refuses to append after incident.closed, also after reopening', () => {
    const log = threeEntries();
    log.append('incident.closed', 'dana', {}, at(3));
    const e = caught(() => log.append('note.added', 'dana', { text: 'late' }, at(4)));
    expect(e).toBeInstanceOf(InvalidInput);
    expect(e.message).toBe('incident leak-1 is closed; its log is read-only');
    log.close();
    const again = EvidenceLog.open(dir);
    expect(again.closed).toBe(true);
    expect(() => again.append('note.added', 'dana', { text: 'late' }, at(5))).toThrow(/incident leak-1 is closed/);
    again.close();
    expect(fileLines()).toHaveLength(4);
  });
});

describe('EvidenceLog.open', () => {
  it('continues seq and prev where the log ends', () => {
    const first = threeEntries();
    const head = first.head;
    first.close();
    const log = EvidenceLog.open(dir);
    expect(log.count).toBe(3);
    expect(log.head).toBe(head);
    const e = log.append('run.resumed', 'dana', {}, at(10));
    log.close();
    expect(e.seq).toBe(3);
    expect(e.prev).toBe(head);
    expect(JSON.parse(fileLines()[3] as string)).toEqual(e);
  });

  it('opens an empty log at seq 0', () => {
    EvidenceLog.create(dir).close();
    const log = EvidenceLog.open(dir);
    expect([log.count, log.head]).toEqual([0, null]);
    log.close();
  });

  it('finds the last entry when it is longer than the tail chunk', () => {
    const log = EvidenceLog.create(dir);
    log.append('incident.opened', 'dana', {}, at(0));
    const big = log.append('note.added', 'dana', { text: 'x'.repeat(200_000) }, at(1));
    log.close();
    const again = EvidenceLog.open(dir);
    expect([again.count, again.head]).toEqual([2, big.hash]);
    again.close();
  });

  it('says there is no incident when the log does not exist', () => {
    const e = caught(() => EvidenceLog.open(path.join(root, 'nope')));
    expect(e).toBeInstanceOf(InvalidInput);
    expect(e.message).toBe(`no incident at ${path.join(root, 'nope')}`);
  });
});

describe('a torn last line', () => {
  const TORN = '{"seq":3,"at":"2026-03-02T09:03:00.000Z","type":"note.ad';

  function tear(): Buffer {
    threeEntries().close();
    const intact = fs.readFileSync(logFile());
    fs.appendFileSync(logFile(), TORN);
    return intact;
  }

  it('is refused by a plain open, which says to run leakctl resume and changes nothing', () => {
    tear();
    const before = fs.readFileSync(logFile());
    const e = caught(() => EvidenceLog.open(dir));
    expect(e).toBeInstanceOf(InvalidInput);
    expect(e.message).toMatch(/torn last line/);
    expect(e.message).toMatch(/leakctl resume leak-1/);
    expect(fs.readFileSync(logFile())).toEqual(before);
    expect(fs.readdirSync(dir).filter((f) => f.includes('torn'))).toEqual([]);
  });

  it('is reported by verify', async () => {
    tear();
    const report = await verifyLog(dir);
    expect(report.ok).toBe(false);
    expect(report.entries).toBe(3);
    expect(report.problems).toEqual([
      { line: 4, message: 'line 4: torn last line (a crash while writing?); `leakctl resume` sets it aside' },
    ]);
  });

  it('is set aside byte for byte with setAsideTorn; the log is cut back and goes on verifying', async () => {
    const intact = tear();
    const log = EvidenceLog.open(dir, { setAsideTorn: true, now: new Date('2026-03-02T09:30:00.000Z') });
    const side = path.join(dir, 'evidence.jsonl.torn-3-20260302T093000.000Z');
    expect(log.setAside).toEqual({ file: side, bytes: Buffer.byteLength(TORN) });
    expect(fs.readFileSync(side, 'utf8')).toBe(TORN);
    expect(mode(side)).toBe(0o600);
    expect(fs.readFileSync(logFile())).toEqual(intact);
    const e = log.append('run.resumed', 'dana', {}, at(30));
    log.close();
    expect(e.seq).toBe(3);
    const report = await verifyLog(dir);
    expect(report).toMatchObject({ ok: true, entries: 4, head: e.hash, problems: [] });
  });

  it('also covers a last line that ends in a newline but is not JSON (a zero-filled block)', async () => {
    threeEntries().close();
    const intact = fs.readFileSync(logFile());
    const junk = Buffer.concat([Buffer.alloc(40), Buffer.from('\n')]);
    fs.appendFileSync(logFile(), junk);
    expect(() => EvidenceLog.open(dir)).toThrow(/torn last line/);
    const log = EvidenceLog.open(dir, { setAsideTorn: true });
    expect(fs.readFileSync(log.setAside?.file as string)).toEqual(junk);
    expect(fs.readFileSync(logFile())).toEqual(intact);
    log.close();
  });

  it('can be the only line: the log starts again at seq 0', () => {
    EvidenceLog.create(dir).close();
    fs.appendFileSync(logFile(), '{"seq":0,"at":"2026-03');
    const log = EvidenceLog.open(dir, { setAsideTorn: true, now: T0 });
    expect([log.count, log.head, fs.statSync(logFile()).size]).toEqual([0, null, 0]);
    expect(path.basename(log.setAside?.file as string)).toBe('evidence.jsonl.torn-0-20260302T090000.000Z');
    log.close();
  });
});

describe('a failed write', () => {
  function failing(kind: 'write' | 'fsync', code: string): { io: Partial<LogIo>; fail: { on: boolean } } {
    const fail = { on: true };
    const err = (): Error => Object.assign(new Error(`${code}: simulated`), { code });
    const io: Partial<LogIo> = {
      writeSync(fd, buffer) {
        if (fail.on && kind === 'write') {
          // Half the line reaches the file before the disk fills up.
          fs.writeSync(fd, buffer.subarray(0, buffer.length >> 1));
          throw err();
        }
        return fs.writeSync(fd, buffer);
      },
      fsyncSync(fd) {
        if (fail.on && kind === 'fsync') throw err();
        fs.fsyncSync(fd);
      },
    };
    return { io, fail };
  }

  it('leaves the log as it was and says what to do, with exit 1 (disk full)', async () => {
    threeEntries().close();
    const before = fs.readFileSync(logFile());
    const { io, fail } = failing('write', 'ENOSPC');
    const log = EvidenceLog.open(dir, { io });
    const head = log.head;
    const e = caught(() => log.append('note.added', 'dana', { text: 'lost' }, at(5)));
    expect(e.exitCode).toBe(1);
    expect(e).not.toBeInstanceOf(InvalidInput);
    expect(e.message).toContain(logFile());
    expect(e.message).toMatch(/Free some disk space/);
    expect(e.message).toMatch(/log is unchanged/);
    expect(fs.readFileSync(logFile())).toEqual(before);
    expect([log.count, log.head]).toEqual([3, head]);

    fail.on = false;
    const next = log.append('note.added', 'dana', { text: 'after freeing space' }, at(6));
    log.close();
    expect(next.seq).toBe(3);
    expect((await verifyLog(dir)).ok).toBe(true);
  });

  it('takes the entry back out when fsync fails, naming the permissions fix for EACCES', () => {
    threeEntries().close();
    const before = fs.readFileSync(logFile());
    const { io } = failing('fsync', 'EACCES');
    const log = EvidenceLog.open(dir, { io });
    const e = caught(() => log.append('note.added', 'dana', { text: 'lost' }, at(5)));
    log.close();
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/Fix the permissions of .*evidence\.jsonl/);
    expect(fs.readFileSync(logFile())).toEqual(before);
  });

  it('when even the undo fails, says the log may end with a partial line and stops appending; resume repairs it', async () => {
    threeEntries().close();
    const { io } = failing('write', 'EROFS');
    const log = EvidenceLog.open(dir, {
      io: { ...io, ftruncateSync: () => { throw Object.assign(new Error('EROFS: simulated'), { code: 'EROFS' }); } },
    });
    const e = caught(() => log.append('note.added', 'dana', { text: 'lost' }, at(5)));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/partial line/);
    expect(e.message).toMatch(/read-only/);
    expect(() => log.append('note.added', 'dana', { text: 'again' }, at(6))).toThrow(/partial line/);
    log.close();
    const repaired = EvidenceLog.open(dir, { setAsideTorn: true });
    expect(repaired.count).toBe(3);
    repaired.close();
    expect((await verifyLog(dir)).ok).toBe(true);
  });

  it.skipIf(process.getuid?.() === 0)('refuses a read-only log with exit 1 and the permissions fix', () => {
    threeEntries().close();
    fs.chmodSync(logFile(), 0o400);
    const e = caught(() => EvidenceLog.open(dir));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/Fix the permissions/);
  });
});

// Issue 7: a `start` killed, or out of disk, between creating the log and writing its first entry
// whole left an incident that neither `start` (it exists) nor `resume` (never opened) could continue.
describe('a log without one complete entry, left by a start that crashed', () => {
  it('is taken over by create when empty', () => {
    EvidenceLog.create(dir).close();
    const log = EvidenceLog.create(dir);
    const e = log.append('incident.opened', 'dana', {}, at(0));
    log.close();
    expect([e.seq, e.prev]).toEqual([0, null]);
    expect(fileLines()).toHaveLength(1);
  });

  it('is taken over by create when it holds only a torn first line, which is set aside first', async () => {
    EvidenceLog.create(dir).close();
    const torn = '{"seq":0,"at":"2026-03-02T09:00:00.000Z","type":"incident.op';
    fs.appendFileSync(logFile(), torn);
    const log = EvidenceLog.create(dir, { now: T0 });
    expect(log.setAside?.file).toBe(path.join(dir, 'evidence.jsonl.torn-0-20260302T090000.000Z'));
    expect(fs.readFileSync(log.setAside!.file, 'utf8')).toBe(torn);
    log.append('incident.opened', 'dana', {}, at(0));
    log.close();
    expect((await verifyLog(dir)).ok).toBe(true);
  });

  it('is not taken over once it has an entry, even with a torn line after it', () => {
    threeEntries().close();
    fs.appendFileSync(logFile(), '{"seq":3,"at');
    const before = fs.readFileSync(logFile());
    expect(caught(() => EvidenceLog.create(dir))).toBeInstanceOf(InvalidInput);
    expect(fs.readFileSync(logFile())).toEqual(before);
    expect(fs.readdirSync(dir).filter((f) => f.includes('torn'))).toEqual([]);
  });
});

describe('a log that changed under an open EvidenceLog', () => {
  // Guards the chain against a writer that ignored the lock (or a second start that took over the
  // same empty log): appending our seq and prev after its bytes would break the chain.
  it('refuses to append, with exit 1, and writes nothing', async () => {
    const log = threeEntries();
    const other = EvidenceLog.open(dir);
    other.append('note.added', 'eve', { text: 'from another process' }, at(3));
    other.close();
    const before = fs.readFileSync(logFile());
    const e = caught(() => log.append('note.added', 'dana', { text: 'stale view' }, at(4)));
    log.close();
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/changed while this leakctl had it open/);
    expect(fs.readFileSync(logFile())).toEqual(before);
    expect((await verifyLog(dir)).ok).toBe(true);
  });
});
