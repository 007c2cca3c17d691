import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EvidenceLog } from '../../src/evidence/log.js';
import { readAllEntries, readEntries, type LogLine } from '../../src/evidence/read.js';

let dir: string;
beforeEach(() => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leakctl-read-')), 'leak-1');
});
afterEach(() => {
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

const file = (): string => path.join(dir, 'evidence.jsonl');

async function all(f: string): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of readEntries(f)) out.push(l);
  return out;
}

function write(n: number, text = 'x'): ReturnType<EvidenceLog['append']>[] {
  const log = EvidenceLog.create(dir);
  const entries = Array.from({ length: n }, (_, i) =>
    log.append('note.added', 'dana', { text: `${text} ${i}` }, new Date(Date.UTC(2026, 2, 2, 9, i))),
  );
  log.close();
  return entries;
}

describe('readEntries', () => {
  it('yields every entry in order with its 1-based line number', async () => {
    const written = write(3);
    const lines = await all(file());
    expect(lines.map((l) => [l.line, l.entry, l.torn])).toEqual(written.map((e, i) => [i + 1, e, false]));
  });

  it('reads lines that cross its 1 MiB chunks', async () => {
    const written = write(40, 'y'.repeat(100_000));
    const lines = await all(file());
    expect(lines).toHaveLength(40);
    expect(lines.every((l, i) => l.entry?.hash === written[i]?.hash)).toBe(true);
  });

  it('marks a torn last line and says what is wrong with a bad line in the middle', async () => {
    write(2);
    const good = fs.readFileSync(file(), 'utf8').split('\n');
    fs.writeFileSync(file(), `${good[0]}\n{"seq":1}\n${good[1]}\n{"seq":2,"at`);
    const lines = await all(file());
    expect(lines.map((l) => [l.line, l.torn, l.entry?.seq, l.error])).toEqual([
      [1, false, 0, undefined],
      [2, false, undefined, 'has members seq; expected exactly seq, at, type, actor, data, prev, hash in that order'],
      [3, false, 1, undefined],
      [4, true, undefined, 'torn last line (a crash while writing?)'],
    ]);
  });

  it('yields nothing for an empty log', async () => {
    EvidenceLog.create(dir).close();
    expect(await all(file())).toEqual([]);
  });
});

describe('readAllEntries', () => {
  it('returns the entries, leaving out a torn last line', () => {
    const written = write(2);
    fs.appendFileSync(file(), '{"seq":2');
    expect(readAllEntries(file())).toEqual(written);
  });

  it('names the file and line of a line that is not an entry', () => {
    write(2);
    fs.appendFileSync(file(), 'garbage\n{"also":"bad"}\n');
    expect(() => readAllEntries(file())).toThrow(`${file()}:3: not valid JSON`);
  });
});
