/**
 * The append side of a chain (evidence/log.ts): what each line is, byte for byte, and what a
 * failed write leaves. The Incident tests cover the lock, catching up and the torn tail.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHAIN_START, openChainFile, scanChain, type ChainPosition } from '../../src/evidence/chain.js';
import { ChainAppender, setAsideTail, type LogIo } from '../../src/evidence/log.js';
import { verifyLog } from '../../src/evidence/verify.js';
import { LeakctlError } from '../../src/ui/errors.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

let dir: string;
let file: string;
beforeEach(() => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leakctl-log-')), 'leak-1');
  fs.mkdirSync(dir);
  file = path.join(dir, 'evidence.jsonl');
  fs.writeFileSync(file, '', { mode: 0o600 });
});
afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

const fileLines = (): string[] => fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);

/** Where the chain on disk ends, as a reader finds it. */
function positionOfFile(): ChainPosition {
  const { fd, size } = openChainFile(file);
  try {
    return scanChain(fd, CHAIN_START, size, () => undefined).position;
  } finally {
    fs.closeSync(fd);
  }
}

function caught(f: () => unknown): LeakctlError {
  try {
    f();
  } catch (e) {
    if (e instanceof LeakctlError) return e;
    throw e;
  }
  throw new Error('expected a LeakctlError');
}

function threeEntries(appender = new ChainAppender(file, 'leak-1')): ChainAppender {
  appender.append(CHAIN_START, { type: 'incident.opened', actor: 'dana', data: { playbook: { id: 'platform-leak' }, drill: false }, at: at(0) });
  appender.append(positionOfFile(), { type: 'step.answered', actor: 'dana', data: { step: 'exposed_data', value: ['names', 'emails'], source: 'prompt' }, at: at(1) });
  appender.append(positionOfFile(), { type: 'note.added', actor: 'Zoë', data: { text: 'she said "it\'s on pastebin" \\ 🔥\nsecond line' }, at: at(2) });
  return appender;
}

describe('ChainAppender.append', () => {
  it('writes one line per entry whose hash and links match the SPEC rule, recomputed independently', () => {
    threeEntries().close();
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
    expect(positionOfFile()).toMatchObject({ entries: 3, head: prev });
  });

  it('returns exactly what a later read of the line gives, undefined members dropped, and the position after it', () => {
    const appender = new ChainAppender(file, 'leak-1');
    const { entry: e, position } = appender.append(CHAIN_START, { type: 'incident.opened', actor: 'dana', data: { text: 'hi', later: undefined }, at: at(0) });
    appender.close();
    expect(e.data).toEqual({ text: 'hi' });
    expect(JSON.parse(fileLines()[0] as string)).toEqual(e);
    // The position after it is where a reader finds the chain's end.
    expect(position).toEqual(positionOfFile());
  });

  it('refuses to append after a position that is not the end of the file, with exit 1, writing nothing', async () => {
    const appender = threeEntries();
    const stale = positionOfFile();
    appender.append(stale, { type: 'note.added', actor: 'eve', data: { text: 'from another process' }, at: at(3) });
    const before = fs.readFileSync(file);
    const e = caught(() => appender.append(stale, { type: 'note.added', actor: 'dana', data: { text: 'stale view' }, at: at(4) }));
    appender.close();
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/changed while this leakctl was writing it/);
    expect(fs.readFileSync(file)).toEqual(before);
    expect((await verifyLog(file)).ok).toBe(true);
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

  it('takes the entry back out when fsync fails, naming the permissions fix for EACCES', () => {
    threeEntries().close();
    const before = fs.readFileSync(file);
    const appender = new ChainAppender(file, 'leak-1', failing('fsync', 'EACCES').io);
    const e = caught(() => appender.append(positionOfFile(), { type: 'note.added', actor: 'dana', data: { text: 'lost' }, at: at(5) }));
    appender.close();
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/Fix the permissions of .*evidence\.jsonl/);
    expect(fs.readFileSync(file)).toEqual(before);
  });

  it('when even the undo fails, says the log may end with a partial line and stops appending; the partial line is then a torn tail', () => {
    threeEntries().close();
    const { io } = failing('write', 'EROFS');
    const appender = new ChainAppender(file, 'leak-1', {
      ...io,
      ftruncateSync: () => {
        throw Object.assign(new Error('EROFS: simulated'), { code: 'EROFS' });
      },
    });
    const position = positionOfFile();
    const e = caught(() => appender.append(position, { type: 'note.added', actor: 'dana', data: { text: 'lost' }, at: at(5) }));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/partial line/);
    expect(e.message).toMatch(/read-only/);
    expect(() => appender.append(position, { type: 'note.added', actor: 'dana', data: { text: 'again' }, at: at(6) })).toThrow(/partial line/);
    appender.close();
    const { fd, size } = openChainFile(file);
    const scan = scanChain(fd, CHAIN_START, size, () => undefined);
    fs.closeSync(fd);
    expect(scan.problem).toBeNull();
    expect(scan.tail).toMatchObject({ line: 4, offset: position.offset });
  });
});

describe('setAsideTail', () => {
  it('moves the torn bytes into an owner-only side file and cuts the log back to its last complete line', async () => {
    threeEntries().close();
    const intact = fs.readFileSync(file);
    const junk = Buffer.concat([Buffer.alloc(40), Buffer.from('\n')]);
    fs.appendFileSync(file, junk);
    const { fd, size } = openChainFile(file);
    const scan = scanChain(fd, CHAIN_START, size, () => undefined);
    fs.closeSync(fd);
    // A zero-filled block that ends in a newline (a power cut) is torn too, not tampering.
    expect(scan.problem).toBeNull();
    const aside = setAsideTail(file, scan.tail!, 3, new Date('2026-03-02T09:30:00.000Z'));
    expect(aside).toEqual({ file: path.join(dir, 'evidence.jsonl.torn-3-20260302T093000.000Z'), bytes: junk.length });
    expect(fs.readFileSync(aside.file)).toEqual(junk);
    expect(fs.statSync(aside.file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file)).toEqual(intact);
    // A second tear at the same moment gets a side file of its own.
    fs.appendFileSync(file, '{"seq":3');
    const again = setAsideTail(file, { line: 4, offset: intact.length, bytes: 8 }, 3, new Date('2026-03-02T09:30:00.000Z'));
    expect(again.file).toBe(`${aside.file}-2`);
    expect((await verifyLog(file)).ok).toBe(true);
  });
});
