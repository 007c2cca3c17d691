/**
 * The chain reader (evidence/chain.ts): the same verdict however a log is read (whole, in
 * slices, or caught up from a position), and `at` compared as numbers that order like time.
 */
import { closeSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atKey, atKeyOfDate, CHAIN_START, openChainFile, scanChain, type ChainPosition } from '../../src/evidence/chain.js';
import { formatAt, hashOf, serialiseEntry, type EntryType } from '../../src/evidence/entry.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'leakctl-chain-'));
  file = join(dir, 'evidence.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** n entries, the first incident.opened, with text long enough to cross chunk boundaries. */
function writeLog(n: number, text = (seq: number) => `note ${seq} ${'é🔥x'.repeat(seq % 50)}`): string[] {
  const lines: string[] = [];
  let prev: string | null = null;
  for (let seq = 0; seq < n; seq++) {
    const type: EntryType = seq === 0 ? 'incident.opened' : 'note.added';
    const unhashed = { seq, at: new Date(Date.UTC(2026, 2, 2) + seq * 1000).toISOString(), type, actor: 'dana', data: { text: text(seq) }, prev };
    const entry = { ...unhashed, hash: hashOf(unhashed) };
    lines.push(serialiseEntry(entry));
    prev = entry.hash;
  }
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return lines;
}

function scan(from = CHAIN_START, upTo?: number, seen: number[] = []) {
  const { fd, size } = openChainFile(file);
  try {
    return scanChain(fd, from, upTo ?? size, (line) => void seen.push(line.line));
  } finally {
    closeSync(fd);
  }
}

describe('scanChain', () => {
  it('gives the same position read whole, in slices cut anywhere, or caught up from a position', () => {
    writeLog(3000);
    const whole = scan();
    expect(whole.problem).toBeNull();
    expect(whole.position.entries).toBe(3000);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400_000 }), { minLength: 1, maxLength: 6 }), (cuts) => {
        let position: ChainPosition = CHAIN_START;
        const seen: number[] = [];
        for (const step of [...cuts, Number.MAX_SAFE_INTEGER]) {
          const r = scan(position, Math.min(position.offset + step, whole.position.offset), seen);
          expect(r.problem).toBeNull();
          position = r.position;
          if (position.offset === whole.position.offset) break;
        }
        expect(position).toEqual(whole.position);
        expect(seen).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
      }),
      { numRuns: 40 },
    );
  });

  it('names a byte that is not UTF-8 deep in a large file, on its line', () => {
    const lines = writeLog(5000);
    const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''));
    const lineStart = bytes.indexOf(Buffer.from(lines[4321]!));
    const at = bytes.indexOf(Buffer.from('é'), lineStart);
    bytes[at] = 0xff;
    writeFileSync(file, bytes);
    expect(scan().problem).toEqual({ line: 4322, message: 'line 4322: is not valid UTF-8 (a byte was changed?)' });
  });
});

describe('at as a number', () => {
  it('orders like time, for a formatted string and for the moment alike', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (a, b) => {
        expect(atKey(formatAt(a))).toBe(atKeyOfDate(a));
        expect(Math.sign(atKeyOfDate(a) - atKeyOfDate(b))).toBe(Math.sign(a.getTime() - b.getTime()));
      }),
    );
  });

  it('is -1 for a text not in the one form at takes', () => {
    for (const bad of ['2026-13-01T00:00:00.000Z', '2026-03-02T24:00:00.000Z', '2026-03-02T09:00:00Z', '2026-03-02 09:00:00.000Z', 'x026-03-02T09:00:00.000Z']) expect(atKey(bad), bad).toBe(-1);
  });
});
