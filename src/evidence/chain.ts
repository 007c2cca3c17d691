/**
 * Reading a chain: the rules every reader enforces (SPEC section 4, issue 8), in one streaming
 * pass whose memory does not grow with the log.
 *
 * A line is an entry when it is valid UTF-8 and JSON with exactly the members seq, at, type,
 * actor, data, prev, hash in that order; its hash is the SHA-256 of its own bytes without the
 * hash member; seq is its line number - 1; prev is the previous line's hash (null on the first);
 * `at` is not earlier than the previous entry's; the first entry, and only the first, is
 * `incident.opened`; and nothing follows `incident.closed`. The first line that breaks a rule is
 * the problem (every later line would fail its link anyway). A last line cut short by a crash
 * (no newline, or not JSON at all) is not part of the content: it is reported as the torn tail.
 *
 * Good lines are handed to a visitor as they pass, so that replay, verify and the timeline read
 * the log once, and only what they need of each line is decoded.
 */
import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';
import * as fs from 'node:fs';
import { EXIT, InvalidInput, LeakctlError } from '../ui/errors.js';
import { printable } from '../ui/text.js';
import { errno, fileKind, fixFor, messageOf } from './durable.js';
import { ENTRY_TYPES, entryShapeError, sha256Hex, type EntryType, type EvidenceEntry } from './entry.js';

const CHUNK_BYTES = 1024 * 1024;

/** Where a reader stands in a chain: everything before `offset` has been verified. */
export interface ChainPosition {
  /** Bytes verified from the start of the file (whole lines). */
  readonly offset: number;
  /** Entries verified; also the seq of the next one. */
  readonly entries: number;
  readonly head: string | null;
  /** The last entry's `at`, as written, and as a number that orders like time. */
  readonly lastAt: string | null;
  readonly lastAtKey: number;
  readonly closed: boolean;
}

export const CHAIN_START: ChainPosition = { offset: 0, entries: 0, head: null, lastAt: null, lastAtKey: -1, closed: false };

/**
 * One good line, as the visitor sees it. The object and its buffer are reused: read what you
 * need during the call. `buf` holds exactly the chunk the line is in (the same object for every
 * line of a chunk, a new one for the next). `entry()` decodes the line, the costly part.
 */
export interface ChainLine {
  /** 1-based line number; the entry's seq is line - 1. */
  readonly line: number;
  readonly type: EntryType;
  /** Byte offset of the line in the file, and its length without the newline. */
  readonly offset: number;
  readonly length: number;
  readonly buf: Buffer;
  readonly start: number;
  readonly end: number;
  /**
   * Where the data object's text is in `buf` (its `{`, and the index after its `}`), when the
   * line was read in leakctl's own layout; -1 otherwise (then decode it with entry()).
   */
  readonly dataStart: number;
  readonly dataEnd: number;
  /** The whole entry, parsed. */
  entry(): EvidenceEntry;
}

export type ChainVisitor = (line: ChainLine) => void;

export interface ChainProblem {
  /** 1-based line of the log the problem is on. */
  readonly line: number;
  /** `line N: …`, a sentence for the responder. */
  readonly message: string;
}

export interface TornTail {
  readonly line: number;
  readonly offset: number;
  readonly bytes: number;
}

export interface ChainScan {
  /** After the last verified entry (the whole chain when there is no problem). */
  readonly position: ChainPosition;
  readonly problem: ChainProblem | null;
  /** A last line cut short: a crash while writing, or (for a reader that holds no lock) a write still in progress. */
  readonly tail: TornTail | null;
  /** Lines in the part of the file that was read, a torn tail included. */
  readonly lines: number;
}

export interface ScanOptions {
  /** Keep reading after a problem, handing the lines that parse to `afterProblem` (verify lists every attachment). */
  readonly afterProblem?: (entry: EvidenceEntry, line: number) => void;
  /**
   * A read buffer to use (and to grow, for a line longer than it): a reader that scans a log in
   * slices passes the same one each time, so memory stays flat. Scanned into from its start.
   */
  readonly buffer?: { bytes: Buffer };
  /**
   * A responder's own chain under `chains/` (issue 17): it begins with `responder.joined`, and
   * holds no `incident.opened` (the incident is opened once, in `evidence.jsonl`).
   */
  readonly joined?: boolean;
  /** Handed each chunk as it is read, before its lines: a search once per chunk instead of once per line. */
  readonly chunk?: (bytes: Buffer) => void;
}

/** Thrown by a visitor, or by `entry()` on a line that is hash-valid but not JSON: becomes the scan's problem. */
class LineProblem extends Error {}

/** `,"hash":"` + 64 hex + `"}`: what follows the hashed text on every line leakctl writes. */
const HASH_SUFFIX = 9 + 64 + 2;
/** `,"prev":null` + the hash suffix. */
const TAIL_NULL_PREV = 12 + HASH_SUFFIX;
/** `,"prev":"<64 hex>"` + the hash suffix. */
const TAIL_HEX_PREV = 10 + 64 + HASH_SUFFIX;

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const SEQ_OPEN = bytes('{"seq":');
const AT_OPEN = bytes(',"at":"');
const TYPE_OPEN = bytes('","type":"');
const ACTOR_OPEN = bytes('","actor":"');
const DATA_OPEN = bytes(',"data":{');
const PREV_NULL = bytes(',"prev":null');
const PREV_OPEN = bytes(',"prev":"');
const HASH_OPEN = bytes(',"hash":"');
const TYPE_BYTES = ENTRY_TYPES.map(bytes);
const OPENED = ENTRY_TYPES.indexOf('incident.opened');
const JOINED = ENTRY_TYPES.indexOf('responder.joined');
const CLOSED = ENTRY_TYPES.indexOf('incident.closed');
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;

function bytesAt(buf: Buffer, pos: number, lit: Buffer): boolean {
  for (let k = 0; k < lit.length; k++) if (buf[pos + k] !== lit[k]) return false;
  return true;
}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 48 && c <= 57;

/**
 * The `at` at b[p..p+24) (YYYY-MM-DDTHH:MM:SS.mmmZ with fields in range) as a number that orders
 * like time, or -1 when it is not in that form. Comparing numbers is what keeps the order check
 * off the cost of verify: no string or Date per line. Unrolled: it runs on every line.
 */
function atKeyOf(b: Buffer, p: number): number {
  if (b[p + 4] !== 45 || b[p + 7] !== 45 || b[p + 10] !== 84 || b[p + 13] !== 58 || b[p + 16] !== 58 || b[p + 19] !== 46 || b[p + 23] !== 90) return -1;
  const d = (k: number): number => {
    const v = (b[p + k] as number) - 48;
    return v >= 0 && v <= 9 ? v : -100_000;
  };
  const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const month = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  const hour = d(11) * 10 + d(12);
  const minute = d(14) * 10 + d(15);
  const second = d(17) * 10 + d(18);
  const ms = d(20) * 100 + d(21) * 10 + d(22);
  if (year < 0 || ms < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
  // Below 2^53 for every four-digit year: exact.
  return (((((year * 13 + month) * 32 + day) * 24 + hour) * 60 + minute) * 60 + second) * 1000 + ms;
}

/** The same number for a moment (what `at` will read once formatted), without formatting it. */
export function atKeyOfDate(date: Date): number {
  return (((((date.getUTCFullYear() * 13 + date.getUTCMonth() + 1) * 32 + date.getUTCDate()) * 24 + date.getUTCHours()) * 60 + date.getUTCMinutes()) * 60 + date.getUTCSeconds()) * 1000 + date.getUTCMilliseconds();
}

/** The same number for an `at` string. */
export function atKey(at: string): number {
  return at.length === 24 ? atKeyOf(Buffer.from(at, 'latin1'), 0) : -1;
}

/** Whether the bytes at `pos` spell the ASCII `text` (a hex digest): compared in place, no string made. */
function asciiAt(buf: Buffer, pos: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) if (buf[pos + k] !== text.charCodeAt(k)) return false;
  return true;
}

/** What the fast path learns of a line besides its type. */
interface Fast {
  digest: string;
  atKey: number;
  atPos: number;
  /** The data object's `{` and the index after its `}`. */
  dataStart: number;
  dataEnd: number;
}

/**
 * Fast path: checks the line in buf[s, e) in leakctl's own layout by byte positions, without
 * JSON.parse. Returns the entry type's index when the line is in that layout, its seq is `seq`,
 * its prev is `prev` and its hash is right; -1 sends the line down the careful path, which decides
 * and says why.
 *
 * Why not parse: verify must stay within a small multiple of `sha256sum` on a 200,000-entry log
 * (issue 8: every command verifies on open), and JSON.parse per line would triple its time. It
 * adds nothing to what the check proves: the hash binds every byte of the line, so an edit
 * anywhere in actor or data is caught by it. What is not checked here is that data is
 * well-formed JSON on a line whose hash is right, which only someone recomputing hashes could
 * produce; decoding such a line (entry()) reports it.
 */
function fastCheck(buf: Buffer, s: number, e: number, seq: number, prev: string | null, out: Fast): number {
  const len = e - s;
  if (len < TAIL_HEX_PREV || !bytesAt(buf, s, SEQ_OPEN)) return -1;
  let p = s + SEQ_OPEN.length;
  const first = p;
  let value = 0;
  while (isDigit(buf[p]) && p - first < 16) value = value * 10 + ((buf[p++] as number) - 48);
  if (p === first || (buf[first] === 48 && p - first > 1) || value !== seq) return -1;
  if (!bytesAt(buf, p, AT_OPEN)) return -1;
  out.atPos = p + AT_OPEN.length;
  out.atKey = atKeyOf(buf, out.atPos);
  if (out.atKey < 0) return -1;
  p = out.atPos + 24;
  if (!bytesAt(buf, p, TYPE_OPEN)) return -1;
  p += TYPE_OPEN.length;
  let type = -1;
  for (let t = 0; t < TYPE_BYTES.length; t++) {
    const tb = TYPE_BYTES[t] as Buffer;
    if (buf[p + tb.length] === 34 && bytesAt(buf, p, tb)) {
      type = t;
      p += tb.length;
      break;
    }
  }
  if (type < 0 || !bytesAt(buf, p, ACTOR_OPEN)) return -1;
  p += ACTOR_OPEN.length;

  // Tail: `,"prev":null` or `,"prev":"<hex>"`, then `,"hash":"<hex>"}`.
  let dataEnd: number;
  if (buf[e - HASH_SUFFIX - 1] === 34) {
    if (prev === null || !bytesAt(buf, e - TAIL_HEX_PREV, PREV_OPEN) || !asciiAt(buf, e - TAIL_HEX_PREV + 9, prev)) return -1;
    dataEnd = e - TAIL_HEX_PREV;
  } else {
    if (prev !== null || !bytesAt(buf, e - TAIL_NULL_PREV, PREV_NULL)) return -1;
    dataEnd = e - TAIL_NULL_PREV;
  }
  if (!bytesAt(buf, e - HASH_SUFFIX, HASH_OPEN) || buf[e - 2] !== 34 || buf[e - 1] !== CLOSE_BRACE) return -1;

  // The actor string (UTF-8 is safe to scan for ASCII quote and backslash), then `,"data":{` … `}`.
  for (;;) {
    if (p >= dataEnd) return -1;
    const c = buf[p];
    if (c === 34) break;
    p += c === 92 ? 2 : 1;
  }
  if (!bytesAt(buf, p + 1, DATA_OPEN) || p + 1 + DATA_OPEN.length >= dataEnd || buf[dataEnd - 1] !== CLOSE_BRACE) return -1;
  out.dataStart = p + DATA_OPEN.length;
  out.dataEnd = dataEnd;

  // The hashed text is the line up to `,"hash":…` with the object closed: a `}` goes over the
  // comma just while the bytes are hashed, instead of copying the line.
  const at = e - HASH_SUFFIX;
  buf[at] = CLOSE_BRACE;
  const digest = hash('sha256', buf.subarray(s, at + 1), 'hex');
  buf[at] = COMMA;
  if (!asciiAt(buf, e - 66, digest)) return -1;
  out.digest = digest;
  return type;
}

/** A line parsed the careful way: the entry, or why it is not one. */
function parseCarefully(buf: Buffer, s: number, e: number): { entry: EvidenceEntry | null; error: string | null; json: boolean; raw: string } {
  const raw = buf.toString('utf8', s, e);
  if (e === s) return { entry: null, error: 'empty line', json: false, raw };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return { entry: null, error: `not valid JSON (${(err as Error).message})`, json: false, raw };
  }
  // Strict UTF-8: a decoder would turn an invalid byte into U+FFFD, and a line whose hash was
  // made over that character would pass. A byte leakctl cannot have written is tampering.
  if (!isUtf8(buf.subarray(s, e))) return { entry: null, error: 'is not valid UTF-8 (a byte was changed?)', json: true, raw };
  if (raw.endsWith('\r')) return { entry: null, error: 'ends with a carriage return (saved with Windows line endings?)', json: true, raw };
  // hash and prev need only be strings here: they are compared with hashes computed below.
  const error = entryShapeError(value, false);
  return error === null ? { entry: value as EvidenceEntry, error: null, json: true, raw } : { entry: null, error, json: true, raw };
}

/**
 * The first rule a parsed line breaks, in an order that makes the message say what happened: an
 * edited line fails its own hash; a deleted, inserted or swapped one keeps its hash but not its
 * place (seq) or its link (prev).
 */
function chainError(raw: string, e: EvidenceEntry, n: number, pos: ChainPosition, joined: boolean): string | null {
  const len = raw.length;
  if (!raw.startsWith(',"hash":"', len - HASH_SUFFIX) || !raw.endsWith('"}') || raw.slice(len - HASH_SUFFIX + 9, len - 2) !== e.hash) {
    return 'does not end with its hash the way leakctl writes it (edited by hand?)';
  }
  // The line's own text without the hash member is exactly the text the SPEC hashes, as written;
  // hashing it (rather than a re-serialisation) binds every byte of the line.
  if (sha256Hex(raw.slice(0, len - HASH_SUFFIX) + '}') !== e.hash) return 'hash does not match its content (entry edited?)';
  if (e.seq !== n - 1) return `seq ${e.seq} where ${n - 1} was expected (a line deleted or swapped?)`;
  if (e.prev !== pos.head) {
    return n === 1
      ? 'prev should be null in the first entry (lines deleted from the start?)'
      : `prev does not link to line ${n - 1}'s hash (a line deleted, inserted or swapped?)`;
  }
  return ruleError(e.type, atKey(e.at), e.at, n, pos, joined);
}

/** The rules beyond the hash and the links, shared by both paths. */
function ruleError(type: EntryType, key: number, at: string, n: number, pos: ChainPosition, joined: boolean): string | null {
  if (pos.closed) return `entry after the incident was closed on line ${n - 1} (appended later?)`;
  if (joined) {
    if (n === 1 && type !== 'responder.joined') return `the first entry is ${type}; a responder's chain begins with responder.joined (its start was cut off or replaced?)`;
    if (type === 'incident.opened') return "incident.opened in a responder's chain: an incident is opened once, in evidence.jsonl";
    if (n > 1 && type === 'responder.joined') return 'responder.joined where only the first entry may be one (two chains joined together?)';
  } else {
    if (n === 1 && type !== 'incident.opened') return `the first entry is ${type}; a log begins with incident.opened (its start was cut off or replaced?)`;
    if (n > 1 && type === 'incident.opened') return 'incident.opened where only the first entry may be one (two logs joined together?)';
    if (type === 'responder.joined') return `responder.joined in the opener's log: it begins a responder's own chain, under chains/`;
  }
  if (key < pos.lastAtKey) return `at ${at} is earlier than the entry before it (${pos.lastAt}); time in a log only moves forward (entries reordered, or a clock set back?)`;
  return null;
}

class Line implements ChainLine {
  line = 0;
  type: EntryType = 'incident.opened';
  offset = 0;
  length = 0;
  buf: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  dataStart = -1;
  dataEnd = -1;
  parsed: EvidenceEntry | null = null;
  entry(): EvidenceEntry {
    if (this.parsed) return this.parsed;
    const decoded = decodeEntry(this.buf.toString('utf8', this.start, this.end), this.line);
    if (typeof decoded === 'string') throw new LineProblem(decoded);
    // Read by position, the line had this type; decoded, JSON's last-wins rule could give it
    // another (a member written twice, which leakctl never writes): what was checked must be
    // what is acted on.
    if (decoded.type !== this.type) throw new LineProblem(`line ${this.line}: its type reads ${this.type} where it is written and ${decoded.type} decoded (a member written twice?)`);
    this.parsed = decoded;
    return decoded;
  }
}

/**
 * Reads `fd` from `from.offset` up to `size` (the size the caller saw: a reader never chases a
 * file that grows under it), verifying every line and handing the good ones to `visit`.
 */
export function scanChain(fd: number, from: ChainPosition, size: number, visit: ChainVisitor, options: ScanOptions = {}): ChainScan {
  let offset = from.offset;
  let entries = from.entries;
  let head = from.head;
  let lastAtKey = from.lastAtKey;
  let lastAt = from.lastAt;
  // The last `at` is kept as bytes and made a string only when asked for (once per scan).
  let lastAtBuf: Buffer | null = null;
  let lastAtPos = 0;
  let closed = from.closed;
  let problem: ChainProblem | null = null;
  let tail: TornTail | null = null;
  let lineNo = from.entries;
  const out: Fast = { digest: '', atKey: -1, atPos: 0, dataStart: -1, dataEnd: -1 };
  const view = new Line();
  const joined = options.joined === true;
  const first = joined ? JOINED : OPENED;
  const never = joined ? OPENED : JOINED;

  const position = (): ChainPosition => {
    if (lastAtBuf !== null) {
      lastAt = lastAtBuf.toString('latin1', lastAtPos, lastAtPos + 24);
      lastAtBuf = null;
    }
    return { offset, entries, head, lastAt, lastAtKey, closed };
  };

  let buf = options.buffer?.bytes ?? Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(size - offset, 1)));
  let carry = 0;
  let base = offset;
  let chunkIsUtf8 = true;

  /** Hands a good line to the visitor, then moves the position past it (not when the visitor refuses it). */
  const good = (b: Buffer, s: number, e: number, type: number, digest: string, key: number, atPos: number, parsed: EvidenceEntry | null): void => {
    view.line = lineNo;
    view.type = ENTRY_TYPES[type] as EntryType;
    view.offset = base + s;
    view.length = e - s;
    view.buf = b;
    view.start = s;
    view.end = e;
    view.parsed = parsed;
    view.dataStart = parsed ? -1 : out.dataStart;
    view.dataEnd = parsed ? -1 : out.dataEnd;
    try {
      visit(view);
    } catch (error) {
      if (!(error instanceof LineProblem)) throw error;
      problem = { line: lineNo, message: error.message };
      return;
    }
    entries += 1;
    head = digest;
    lastAtKey = key;
    if (parsed) {
      lastAt = parsed.at;
      lastAtBuf = null;
    } else {
      lastAtBuf = b;
      lastAtPos = atPos;
    }
    if (type === CLOSED) closed = true;
    offset = base + e + 1;
  };

  /** One complete line (it ended with a newline) at b[s, e). */
  const complete = (b: Buffer, s: number, e: number, last: boolean): void => {
    lineNo += 1;
    if (problem === null && (chunkIsUtf8 || isUtf8(b.subarray(s, e)))) {
      const type = fastCheck(b, s, e, entries, head, out);
      if (type >= 0 && out.atKey >= lastAtKey && !closed && (entries === 0) === (type === first) && type !== never) {
        good(b, s, e, type, out.digest, out.atKey, out.atPos, null);
        return;
      }
    }
    const c = parseCarefully(b, s, e);
    if (last && !c.json) {
      tail = { line: lineNo, offset: base + s, bytes: e - s + 1 };
      return;
    }
    if (problem !== null) {
      if (c.entry && options.afterProblem) options.afterProblem(c.entry, lineNo);
      return;
    }
    const why = c.entry ? chainError(c.raw, c.entry, lineNo, position(), joined) : c.error;
    if (why !== null) {
      problem = { line: lineNo, message: `line ${lineNo}: ${why}` };
      if (c.entry && options.afterProblem) options.afterProblem(c.entry, lineNo);
      return;
    }
    const entry = c.entry!;
    good(b, s, e, ENTRY_TYPES.indexOf(entry.type), entry.hash, atKey(entry.at), 0, entry);
  };

  for (;;) {
    if (carry === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, carry);
      buf = bigger;
      if (options.buffer) options.buffer.bytes = buf;
    }
    const want = Math.min(buf.length - carry, size - base - carry);
    const read = want > 0 ? readFully(fd, buf, carry, want, base + carry) : 0;
    if (read === 0) {
      if (carry > 0) {
        // A last line without its newline: a write cut short, or one still in progress.
        lineNo += 1;
        tail = { line: lineNo, offset: base, bytes: carry };
      }
      break;
    }
    const filled = carry + read;
    // A view of exactly the bytes read: a visitor's search in it cannot run into stale bytes.
    const chunk = buf.subarray(0, filled);
    const lastNl = chunk.lastIndexOf(10);
    // One UTF-8 check per chunk (a newline never falls inside a multi-byte character); a chunk
    // that fails is checked line by line, to name the line.
    chunkIsUtf8 = lastNl < 0 || isUtf8(chunk.subarray(0, lastNl));
    options.chunk?.(chunk);
    let s = 0;
    for (;;) {
      const nl = chunk.indexOf(10, s);
      if (nl === -1) break;
      complete(chunk, s, nl, base + nl + 1 === size);
      s = nl + 1;
    }
    if (lastAtBuf === chunk) {
      // The buffer is about to be refilled: keep the 24 bytes of the last `at`.
      lastAtBuf = Buffer.from(buf.subarray(lastAtPos, lastAtPos + 24));
      lastAtPos = 0;
    }
    buf.copy(buf, 0, s, filled);
    carry = filled - s;
    base += s;
  }
  return { position: position(), problem, tail, lines: lineNo };
}

/** The log file is not there (the caller says what that means: no incident, no such file). */
export class NoLogFile extends InvalidInput {}

/** Flags of every read of a log: never follow a symbolic link, never block on a FIFO. */
const READ_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

/**
 * Opens a log for reading, refusing at once (exit 2) anything but a regular file: a FIFO would
 * hang the reader, a device would never end, and a symbolic link could lead anywhere, so none is
 * opened for reading, let alone followed (issue 8). Returns the descriptor and the size to read to.
 */
export function openChainFile(file: string): { fd: number; size: number; ino: number } {
  const shown = printable(file);
  let fd: number;
  try {
    fd = fs.openSync(file, READ_FLAGS);
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') throw new NoLogFile(`${shown}: no such file`);
    if (errno(e) === 'ELOOP' || errno(e) === 'EMLINK') {
      throw new InvalidInput(`${shown} is a symbolic link; leakctl reads an evidence log only as a regular file, never through a link. Name the file itself.`);
    }
    throw new LeakctlError(`cannot read ${shown}: ${messageOf(e)}. ${fixFor(e, file)}.`, EXIT.failure);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) {
      throw new InvalidInput(
        `${shown} is ${fileKind(st)}, not a regular file; an evidence log is a regular file, and nothing else is read as one. Put the log back in place as a file (a copy of it verifies anywhere: leakctl verify FILE).`,
      );
    }
    return { fd, size: st.size, ino: st.ino };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/**
 * A line the hash vouches for, decoded: the entry, or why it is not one (`line N: …`). A
 * hash-valid line that is not an entry can only come from someone who recomputed its hash.
 */
export function decodeEntry(text: string, line: number): EvidenceEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `line ${line}: not valid JSON (${(error as Error).message})`;
  }
  const shape = entryShapeError(value);
  return shape === null ? (value as EvidenceEntry) : `line ${line}: ${shape}`;
}

/** Reads exactly `buf.length` bytes at `position`, or throws: the file is shorter than it was. */
export function readExactly(fd: number, buf: Buffer, position: number): void {
  if (readFully(fd, buf, 0, buf.length, position) !== buf.length) {
    throw new Error(`the file ended at byte ${position + buf.length} while it was read back (it was cut short meanwhile?)`);
  }
}

function readFully(fd: number, buf: Buffer, at: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, at + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
