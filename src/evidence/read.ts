/**
 * Streaming reads of evidence.jsonl. Logs grow for the whole life of an incident (and drills make
 * big ones), so nothing here holds more than one chunk plus one line in memory.
 */
import * as fs from 'node:fs';
import { InvalidInput } from '../ui/errors.js';
import { parseEntryLine, type EvidenceEntry, type ParsedLine } from './entry.js';

export const CHUNK_BYTES = 1024 * 1024;

/**
 * Consecutive lines of the file: line numbers `first`, `first + 1`, …, 1-based as editors count
 * (the entry on line N has seq N - 1). Every line but the file's last ended with a newline; when
 * `last` is set, the batch ends with the file's last line and `newline` says whether it had one.
 */
export interface LineBatch {
  first: number;
  lines: string[];
  last: boolean;
  newline: boolean;
}

/**
 * A torn last line: no trailing newline (the write was cut short), or not JSON at all (e.g. the
 * zero-filled block a file system can leave after a power cut). Replay skips it, verify reports
 * it, `EvidenceLog.open({ setAsideTorn: true })` moves it aside. One rule for all three.
 */
export function isTornLine(l: { newline: boolean; last: boolean }, json: boolean): boolean {
  return l.last && (!l.newline || !json);
}

/**
 * Cuts a byte stream into lines, a batch per chunk. Cutting on the byte 0x0a is safe for UTF-8: it
 * never occurs inside a multi-byte sequence. The newest complete line is held back until the next
 * chunk shows whether it is the last.
 */
class LineCutter {
  private rest: Buffer | null = null;
  private held: string | null = null;
  private next = 1;

  push(chunk: Buffer): LineBatch | null {
    const lastNl = chunk.lastIndexOf(10);
    if (lastNl === -1) {
      this.rest = this.rest ? Buffer.concat([this.rest, chunk]) : Buffer.from(chunk);
      return null;
    }
    const head = chunk.subarray(0, lastNl);
    const text = (this.rest ? Buffer.concat([this.rest, head]) : head).toString('utf8');
    // The caller reuses its read buffer: keep a copy of the unfinished tail.
    this.rest = lastNl + 1 < chunk.length ? Buffer.from(chunk.subarray(lastNl + 1)) : null;
    const lines = text.split('\n');
    const newest = lines.pop() as string;
    if (this.held !== null) lines.unshift(this.held);
    this.held = newest;
    const batch: LineBatch = { first: this.next, lines, last: false, newline: true };
    this.next += lines.length;
    return lines.length > 0 ? batch : null;
  }

  end(): LineBatch | null {
    const lines: string[] = [];
    if (this.held !== null) lines.push(this.held);
    const partial = this.rest !== null && this.rest.length > 0;
    if (partial) lines.push((this.rest as Buffer).toString('utf8'));
    this.held = null;
    this.rest = null;
    if (lines.length === 0) return null;
    const batch: LineBatch = { first: this.next, lines, last: true, newline: !partial };
    this.next += lines.length;
    return batch;
  }
}

/** The file's lines, one batch per chunk read: the shape verify wants, where per-line objects cost. */
export async function* readLineBatches(file: string, chunkBytes = CHUNK_BYTES): AsyncGenerator<LineBatch> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    const cutter = new LineCutter();
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const batch = cutter.push(buf.subarray(0, bytesRead));
      if (batch) yield batch;
    }
    const tail = cutter.end();
    if (tail) yield tail;
  } finally {
    await fh.close();
  }
}

export interface LogLine {
  /** 1-based line number. */
  line: number;
  raw: string;
  entry?: EvidenceEntry;
  /** Why the line is not an entry (bad JSON, wrong members or types). Hash and links are not checked here. */
  error?: string;
  /** The last line, cut short by a crash: not part of the log's content. */
  torn: boolean;
}

function toLogLine(raw: string, line: number, last: boolean, newline: boolean): LogLine {
  const parsed: ParsedLine = raw.length === 0 ? { error: 'empty line', json: false } : parseEntryLine(raw);
  const torn = isTornLine({ last, newline }, parsed.json);
  if (torn) return { line, raw, error: 'torn last line (a crash while writing?)', torn };
  if (parsed.entry) return { line, raw, entry: parsed.entry, torn };
  return { line, raw, error: parsed.error, torn };
}

function* logLines(b: LineBatch): Generator<LogLine> {
  const n = b.lines.length;
  for (let i = 0; i < n; i++) {
    const last = b.last && i === n - 1;
    yield toLogLine(b.lines[i] as string, b.first + i, last, last ? b.newline : true);
  }
}

/**
 * Every line of the log, parsed, in order, read in 1 MiB chunks. Replay uses this. A torn last line
 * is yielded with `torn: true` and no entry, so a reader can say it is there and otherwise skip it.
 * Hashes and links are not checked here: that is verify's job.
 */
export async function* readEntries(file: string): AsyncGenerator<LogLine> {
  for await (const batch of readLineBatches(file)) yield* logLines(batch);
}

/**
 * The whole log at once, for small logs in tests and tools only: replay must use readEntries.
 * Throws on any line that is not an entry, except a torn last line, which is left out.
 */
export function readAllEntries(file: string): EvidenceEntry[] {
  const cutter = new LineCutter();
  const batches = [cutter.push(fs.readFileSync(file)), cutter.end()];
  const entries: EvidenceEntry[] = [];
  for (const b of batches) {
    if (!b) continue;
    for (const ll of logLines(b)) {
      if (ll.torn) continue;
      if (!ll.entry) {
        throw new InvalidInput(`${file}:${ll.line}: ${ll.error ?? 'not an entry'}; run \`leakctl verify\` on the incident`);
      }
      entries.push(ll.entry);
    }
  }
  return entries;
}
