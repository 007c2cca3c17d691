/**
 * `leakctl verify` (SPEC section 4): recomputes every hash and link of the log and re-hashes every
 * attachment it names. Streamed: memory stays flat however long the log is. It reports; deciding
 * the exit status (3 on a problem) is the command's job.
 */
import { hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidInput } from '../ui/errors.js';
import { ENTRY_TYPES, entryShapeError, sha256Hex, type EvidenceEntry } from './entry.js';
import { hashFile } from './attachments.js';
import { LOG_FILE } from './log.js';
import { CHUNK_BYTES, isTornLine } from './read.js';

export interface VerifyProblem {
  /** 1-based line of the log the problem is on; 0 when it concerns the log as a whole. */
  line: number;
  /** A sentence for the responder, starting with `line N:` when it is about one line. */
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Entries verified from the start up to the first problem (all of them when the chain is intact). */
  entries: number;
  /** Hash of the last verified entry: the log's head when the chain is intact. */
  head: string | null;
  problems: VerifyProblem[];
  /** Distinct attachment files re-hashed. */
  attachments: number;
  /** Lines in the file, a torn last line included. */
  lines: number;
  /** With `head`: the line whose hash it is, when it is in the log. Entries after it were added later. */
  headLine?: number;
}

export interface VerifyOptions {
  /** A head hash recorded earlier (e.g. the footer of a draft): proves nothing was cut since. */
  head?: string;
}

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
const CLOSED_TYPE = ENTRY_TYPES.indexOf('incident.closed');
const ATTACHED_TYPE = ENTRY_TYPES.indexOf('evidence.attached');
const ANSWERED_TYPE = ENTRY_TYPES.indexOf('step.answered');
const SHA256_KEY = bytes('"sha256":');
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;

function bytesAt(buf: Buffer, pos: number, lit: Buffer): boolean {
  for (let k = 0; k < lit.length; k++) if (buf[pos + k] !== lit[k]) return false;
  return true;
}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 48 && c <= 57;

/** The byte form of entry.ts's `at` pattern: YYYY-MM-DDTHH:MM:SS.mmmZ with in-range fields. */
const TIME_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];
function timeAt(b: Buffer, p: number): boolean {
  for (const k of TIME_DIGITS) if (!isDigit(b[p + k])) return false;
  if (b[p + 4] !== 45 || b[p + 7] !== 45 || b[p + 10] !== 84 || b[p + 13] !== 58 || b[p + 16] !== 58) return false;
  if (b[p + 19] !== 46 || b[p + 23] !== 90) return false;
  const month = twoDigits(b, p + 5);
  const day = twoDigits(b, p + 8);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && twoDigits(b, p + 11) <= 23 && twoDigits(b, p + 14) <= 59 && twoDigits(b, p + 17) <= 59;
}

function twoDigits(b: Buffer, p: number): number {
  return ((b[p] as number) - 48) * 10 + ((b[p + 1] as number) - 48);
}

/** Whether the bytes at `pos` spell the ASCII string `text` (a hex digest). One native slice beats a JS loop here. */
function asciiAt(buf: Buffer, pos: number, text: string): boolean {
  return buf.toString('latin1', pos, pos + text.length) === text;
}

/**
 * Fast path: checks the line in buf[s, e) in leakctl's own layout by byte positions, without
 * JSON.parse. Returns the entry type's index when the line is in that layout, its seq is `seq`,
 * its prev is `prev` and its hash is right; -1 sends the line down the careful path, which decides
 * and says why. The hash is left in `out.digest`.
 *
 * Why not parse: verify must stay within 3x `sha256sum` on a 200,000-entry log, and JSON.parse
 * per line was half of its time. It adds nothing to what the check proves: the hash binds every
 * byte of the line, so an edit anywhere in actor or data is caught by it. What is not checked
 * here is that actor and data are well-formed JSON on a line whose hash is right, which only
 * someone recomputing hashes could produce; replay (readEntries) still reports such a line.
 */
function fastCheck(buf: Buffer, s: number, e: number, seq: number, prev: string | null, out: { digest: string }): number {
  const len = e - s;
  if (len < TAIL_HEX_PREV || !bytesAt(buf, s, SEQ_OPEN)) return -1;
  let p = s + SEQ_OPEN.length;
  // seq: digits without a leading zero, equal to the expected value.
  const first = p;
  let value = 0;
  while (isDigit(buf[p]) && p - first < 16) value = value * 10 + ((buf[p++] as number) - 48);
  if (p === first || (buf[first] === 48 && p - first > 1) || value !== seq) return -1;
  if (!bytesAt(buf, p, AT_OPEN) || !timeAt(buf, p + AT_OPEN.length)) return -1;
  p += AT_OPEN.length + 24;
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

interface AttachmentRef {
  line: number;
  path: string;
  sha256: string;
  bytes: number | undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The files an entry says are part of the evidence, or a problem with how it lists them. */
function attachmentRefs(e: EvidenceEntry, line: number): AttachmentRef[] | string {
  if (e.type === 'evidence.attached') {
    const files = e.data.files;
    if (!Array.isArray(files)) return `line ${line}: evidence.attached has no files list`;
    const refs: AttachmentRef[] = [];
    for (const f of files) {
      if (!isObject(f) || typeof f.path !== 'string' || typeof f.sha256 !== 'string') {
        return `line ${line}: evidence.attached lists a file without a path and sha256`;
      }
      refs.push({ line, path: f.path, sha256: f.sha256, bytes: typeof f.bytes === 'number' ? f.bytes : undefined });
    }
    return refs;
  }
  if (e.type === 'step.answered') {
    // An attachment step's answer: an array of {path, sha256, bytes}. Other answers are not files.
    const v = e.data.value;
    if (
      Array.isArray(v) &&
      v.length > 0 &&
      v.every((f) => isObject(f) && typeof f.path === 'string' && typeof f.sha256 === 'string' && typeof f.bytes === 'number')
    ) {
      return (v as { path: string; sha256: string; bytes: number }[]).map((f) => ({
        line,
        path: f.path,
        sha256: f.sha256,
        bytes: f.bytes,
      }));
    }
  }
  return [];
}

async function checkAttachment(dir: string, ref: AttachmentRef): Promise<string | null> {
  const p = ref.path;
  const root = path.resolve(dir);
  const full = path.resolve(root, p);
  if (path.isAbsolute(p) || !full.startsWith(root + path.sep)) {
    return `line ${ref.line}: attachment path ${JSON.stringify(p)} points outside the incident directory`;
  }
  let st: fs.Stats;
  try {
    st = await fs.promises.lstat(full);
  } catch {
    return `line ${ref.line}: attachment ${p} is missing`;
  }
  if (!st.isFile()) return `line ${ref.line}: attachment ${p} is no longer a regular file`;
  const actual = await hashFile(full);
  if (actual.sha256 !== ref.sha256) {
    return `line ${ref.line}: attachment ${p} has changed (its sha256 is now ${actual.sha256}; the log recorded ${ref.sha256})`;
  }
  if (ref.bytes !== undefined && actual.bytes !== ref.bytes) {
    return `line ${ref.line}: attachment ${p} is ${actual.bytes} bytes; the log recorded ${ref.bytes}`;
  }
  return null;
}

/** Finds the log: an incident directory, or the path of an evidence.jsonl itself. */
function locate(target: string): { dir: string; file: string } {
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    throw new InvalidInput(`no incident at ${target}`);
  }
  if (st.isDirectory()) {
    const file = path.join(target, LOG_FILE);
    if (!fs.existsSync(file)) throw new InvalidInput(`no incident at ${target}`);
    return { dir: target, file };
  }
  return { dir: path.dirname(target), file: target };
}

/** A line parsed the careful way: the entry, or why it is not one. */
function parseCarefully(raw: string): { entry: EvidenceEntry | null; error: string | null; json: boolean } {
  if (raw.length === 0) return { entry: null, error: 'empty line', json: false };
  if (raw.endsWith('\r')) {
    return { entry: null, error: 'ends with a carriage return (saved with Windows line endings?)', json: true };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return { entry: null, error: `not valid JSON (${(err as Error).message})`, json: false };
  }
  // hash and prev need only be strings here: they are compared with hashes verify computed.
  const error = entryShapeError(value, false);
  return error === null ? { entry: value as EvidenceEntry, error: null, json: true } : { entry: null, error, json: true };
}

/**
 * The first rule a parsed line breaks, in an order that makes the message say what happened: an
 * edited line fails its own hash; a deleted, inserted or swapped one keeps its hash but not its
 * place (seq) or its link (prev).
 */
function chainError(raw: string, e: EvidenceEntry, n: number, head: string | null, closedLine: number): string | null {
  const len = raw.length;
  if (!raw.startsWith(',"hash":"', len - HASH_SUFFIX) || !raw.endsWith('"}') || raw.slice(len - HASH_SUFFIX + 9, len - 2) !== e.hash) {
    return 'does not end with its hash the way leakctl writes it (edited by hand?)';
  }
  // The line's own text without the hash member is exactly the text the SPEC hashes, as written;
  // hashing it (rather than a re-serialisation) binds every byte of the line.
  if (sha256Hex(raw.slice(0, len - HASH_SUFFIX) + '}') !== e.hash) return 'hash does not match its content (entry edited?)';
  if (e.seq !== n - 1) return `seq ${e.seq} where ${n - 1} was expected (a line deleted or swapped?)`;
  if (e.prev !== head) {
    return n === 1
      ? 'prev should be null in the first entry (lines deleted from the start?)'
      : `prev does not link to line ${n - 1}'s hash (a line deleted, inserted or swapped?)`;
  }
  if (closedLine) return `entry after the incident was closed on line ${closedLine} (appended later?)`;
  return null;
}

type LineVisitor = (buf: Buffer, start: number, end: number, line: number, last: boolean, newline: boolean) => void;

/**
 * Calls `visit` for every line of the file as it stood when the scan began, with the line's bytes
 * at buf[start, end) (valid only during the call). Reads in 1 MiB chunks; a line cut by a chunk's
 * end is moved to the front of the buffer, which grows only for a line longer than a chunk.
 */
async function scanLines(file: string, visit: LineVisitor, onChunk: () => void): Promise<void> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    let buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let carry = 0;
    let base = 0;
    let line = 0;
    for (;;) {
      if (carry === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, carry);
        buf = bigger;
      }
      const want = Math.min(buf.length - carry, size - base - carry);
      const { bytesRead } = want > 0 ? await fh.read(buf, carry, want, base + carry) : { bytesRead: 0 };
      if (bytesRead === 0) {
        if (carry > 0) visit(buf, 0, carry, ++line, true, false);
        return;
      }
      onChunk();
      const filled = carry + bytesRead;
      let s = 0;
      for (;;) {
        const nl = buf.indexOf(10, s);
        if (nl === -1 || nl >= filled) break;
        visit(buf, s, nl, ++line, base + nl === size - 1, true);
        s = nl + 1;
      }
      buf.copy(buf, 0, s, filled);
      carry = filled - s;
      base += s;
    }
  } finally {
    await fh.close();
  }
}

/**
 * Checks, line by line: JSON; exactly the members seq, at, type, actor, data, prev, hash in that
 * order; the hash; seq = line - 1; prev = the previous line's hash; nothing after
 * incident.closed. The first bad line is reported (every later line would fail its link anyway),
 * plus a torn last line, every missing or changed attachment, and a `head` that is not in the log.
 */
export async function verifyLog(incidentDir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const { dir, file } = locate(incidentDir);
  let wantHead: string | undefined;
  if (opts.head !== undefined) {
    wantHead = opts.head.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(wantHead)) {
      throw new InvalidInput(`--head must be a SHA-256 hash (64 hex digits, as verify prints it); got ${JSON.stringify(opts.head)}`);
    }
  }

  let entries = 0;
  let lines = 0;
  let chainProblem: VerifyProblem | null = null;
  let tornProblem: VerifyProblem | null = null;
  let closedLine = 0;
  let headLine: number | undefined;
  const refProblems: VerifyProblem[] = [];
  const refs = new Map<string, AttachmentRef>();
  const noteRefs = (e: EvidenceEntry, n: number): void => {
    const found = attachmentRefs(e, n);
    if (typeof found === 'string') refProblems.push({ line: n, message: found });
    else for (const r of found) if (!refs.has(`${r.path}\0${r.sha256}`)) refs.set(`${r.path}\0${r.sha256}`, r);
  };

  let head: string | null = null;
  const out = { digest: '' };
  // Where the next `"sha256":` in the current chunk is (-1: not looked for, or passed), and
  // from where it was looked for (Infinity: there is none in the rest of the chunk).
  let shaAt = -1;
  let shaFrom = 0;

  const careful = (buf: Buffer, s: number, e: number, n: number, last: boolean, newline: boolean): void => {
    const raw = buf.toString('utf8', s, e);
    const c = parseCarefully(raw);
    if (isTornLine({ last, newline }, c.json)) {
      tornProblem = { line: n, message: `line ${n}: torn last line (a crash while writing?); \`leakctl resume\` sets it aside` };
      return;
    }
    const ent = c.entry;
    if (ent) {
      if (ent.hash === wantHead) headLine ??= n;
      noteRefs(ent, n);
    }
    if (chainProblem) return;
    const problem: string | null = ent ? chainError(raw, ent, n, head, closedLine) : c.error;
    if (problem !== null) {
      chainProblem = { line: n, message: `line ${n}: ${problem}` };
    } else if (ent) {
      entries += 1;
      head = ent.hash;
      if (ent.type === 'incident.closed') closedLine = n;
    }
  };

  await scanLines(file, (buf, s, e, n, last, newline) => {
    lines = n;
    if (chainProblem === null && closedLine === 0 && newline) {
      const type = fastCheck(buf, s, e, n - 1, head, out);
      if (type >= 0) {
        const digest = out.digest;
        entries += 1;
        head = digest;
        if (type === CLOSED_TYPE) closedLine = n;
        if (headLine === undefined && digest === wantHead) headLine = n;
        if (type === ATTACHED_TYPE || type === ANSWERED_TYPE) {
          // Only entries that can name files are decoded: every evidence.attached, and a
          // step.answered whose line holds a `"sha256":` (an attachment step's answer). The
          // chunk is searched for it once, not once per line.
          if (shaAt !== -1 && shaAt < s) shaAt = -1;
          if (shaAt === -1 && shaFrom <= s) {
            shaAt = buf.indexOf(SHA256_KEY, s);
            shaFrom = shaAt === -1 ? Infinity : s;
          }
          if (type === ATTACHED_TYPE || (shaAt !== -1 && shaAt < e)) {
            const c = parseCarefully(buf.toString('utf8', s, e));
            if (c.entry) noteRefs(c.entry, n);
            else chainProblem = { line: n, message: `line ${n}: ${c.error}` };
          }
        }
        return;
      }
    }
    careful(buf, s, e, n, last, newline);
  }, () => {
    shaAt = -1;
    shaFrom = 0;
  });

  let attachments = 0;
  for (const ref of refs.values()) {
    attachments += 1;
    const message = await checkAttachment(dir, ref);
    if (message) refProblems.push({ line: ref.line, message });
  }
  refProblems.sort((a, b) => a.line - b.line);

  const problems: VerifyProblem[] = [];
  if (chainProblem) problems.push(chainProblem);
  if (tornProblem) problems.push(tornProblem);
  problems.push(...refProblems);
  if (wantHead !== undefined && headLine === undefined) {
    problems.push({
      line: 0,
      message:
        `the given head ${wantHead} is not in this log: entries were cut from its end ` +
        `(it now ends at line ${lines}), or the hash belongs to another incident's log`,
    });
  }

  const report: VerifyReport = { ok: problems.length === 0, entries, head, problems, attachments, lines };
  if (headLine !== undefined) report.headLine = headLine;
  return report;
}
