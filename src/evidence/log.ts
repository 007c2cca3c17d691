/**
 * The append side of evidence.jsonl (SPEC section 4): one entry per line, each written with a single
 * append and fsynced before append() returns, so a crash or `kill -9` loses at most the entry
 * being written, and a write that fails leaves the file as it was.
 *
 * Callers hold the incident's lock (lock.ts) while a log is open for appending.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, InvalidInput, LeakctlError } from '../ui/errors.js';
import {
  formatAt,
  hashOf,
  isEntryType,
  parseEntryLine,
  serialiseEntry,
  type EntryType,
  type EvidenceEntry,
  type ParsedLine,
} from './entry.js';
import { isTornLine } from './read.js';

export const LOG_FILE = 'evidence.jsonl';
export const ATTACHMENTS_DIR = 'attachments';
export const DRAFTS_DIR = 'drafts';
/** The log and the attachments hold personal data: owner only. */
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** The file operations whose failure append() must survive; tests replace them to fail on cue. */
export interface LogIo {
  writeSync(fd: number, buffer: Buffer): number;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
}

const realIo: LogIo = {
  writeSync: (fd, buffer) => fs.writeSync(fd, buffer),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
};

export interface CreateOptions {
  /** The run's clock, for the name of a side file (see reopenUnopened). */
  now?: Date;
  io?: Partial<LogIo>;
}

export interface OpenOptions {
  /** Move a torn last line to a side file instead of refusing (what `leakctl resume` does). */
  setAsideTorn?: boolean;
  /** The run's clock, for the side file's name. */
  now?: Date;
  io?: Partial<LogIo>;
}

export interface SetAside {
  /** Absolute path of the side file that now holds the torn bytes. */
  file: string;
  bytes: number;
}

export function logFileOf(incidentDir: string): string {
  return path.join(incidentDir, LOG_FILE);
}

/** The error's code (ENOENT, EACCES, …), if it has one. */
export function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** What the responder can do about an I/O error, as a sentence. */
export function fixFor(e: unknown, file: string): string {
  switch (errno(e)) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'Free some disk space';
    case 'EACCES':
    case 'EPERM':
      return `Fix the permissions of ${file} and its directory (you need write access; leakctl creates them owner-only)`;
    case 'EROFS':
      return 'The file system is read-only: remount it read-write or use an incidents directory on another disk';
    default:
      return 'Check the disk and the file system';
  }
}

function fsyncDir(dir: string): void {
  // Makes a new or renamed directory entry durable. Some platforms cannot open or fsync a
  // directory (Windows): there it is best effort.
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* best effort, see above */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** mkdir -p with exact modes for every directory this call creates (and `dir` itself). */
export function makePrivateDir(dir: string): void {
  const first = fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  // mkdir's mode is filtered by the umask; chmod is not, so 0700 holds under umask 000 too.
  if (first !== undefined) {
    let d = path.resolve(dir);
    const stop = path.resolve(first);
    for (;;) {
      fs.chmodSync(d, DIR_MODE);
      if (d === stop) break;
      const parent = path.dirname(d);
      if (parent === d) break;
      d = parent;
    }
  } else {
    fs.chmodSync(dir, DIR_MODE);
  }
}

const TAIL_CHUNK = 64 * 1024;

function readAt(fd: number, buf: Buffer, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += n;
  }
}

/** Start offset of the line whose text ends at `end` (exclusive), found by reading backwards. */
function lineStartBefore(fd: number, end: number): number {
  const buf = Buffer.allocUnsafe(TAIL_CHUNK);
  let pos = end;
  while (pos > 0) {
    const len = Math.min(TAIL_CHUNK, pos);
    const from = pos - len;
    readAt(fd, buf, len, from);
    const i = buf.subarray(0, len).lastIndexOf(10);
    if (i !== -1) return from + i + 1;
    pos = from;
  }
  return 0;
}

function readLine(fd: number, start: number, end: number): ParsedLine {
  const buf = Buffer.allocUnsafe(end - start);
  readAt(fd, buf, buf.length, start);
  if (buf.length === 0) return { error: 'empty line', json: false };
  return parseEntryLine(buf.toString('utf8'));
}

interface Tail {
  size: number;
  last: EvidenceEntry | null;
  torn: { start: number; bytes: number } | null;
}

/** The last complete entry and any torn bytes after it, reading only the end of the file. */
function readTail(fd: number, file: string): Tail {
  const size = fs.fstatSync(fd).size;
  if (size === 0) return { size, last: null, torn: null };
  const lastByte = Buffer.alloc(1);
  readAt(fd, lastByte, 1, size - 1);
  const newline = lastByte[0] === 10;
  let end = newline ? size - 1 : size;
  let start = lineStartBefore(fd, end);
  let parsed = readLine(fd, start, end);
  let torn: Tail['torn'] = null;
  if (isTornLine({ newline, last: true }, parsed.json)) {
    torn = { start, bytes: size - start };
    if (start === 0) return { size, last: null, torn };
    end = start - 1;
    start = lineStartBefore(fd, end);
    parsed = readLine(fd, start, end);
  }
  if (!parsed.entry) {
    throw new InvalidInput(
      `the last ${torn ? 'complete ' : ''}line of ${file} is not a valid entry (${parsed.error}); ` +
        'run `leakctl verify` on the incident to see what happened to the log',
    );
  }
  return { size, last: parsed.entry, torn };
}

function sideFileStamp(now: Date): string {
  return formatAt(now).replace(/[-:]/g, '');
}

/** Copies the torn bytes to a new owner-only side file next to the log, durably. */
function writeSideFile(rfd: number, dir: string, torn: { start: number; bytes: number }, seq: number, now: Date): string {
  const base = `${LOG_FILE}.torn-${seq}-${sideFileStamp(now)}`;
  let sideFile = '';
  let sfd: number | undefined;
  for (let n = 1; sfd === undefined; n++) {
    sideFile = path.join(dir, n === 1 ? base : `${base}-${n}`);
    try {
      sfd = fs.openSync(sideFile, 'wx', FILE_MODE);
    } catch (e) {
      if (errno(e) !== 'EEXIST' || n >= 100) throw e;
    }
  }
  try {
    fs.fchmodSync(sfd, FILE_MODE);
    const buf = Buffer.allocUnsafe(Math.min(TAIL_CHUNK, torn.bytes));
    for (let off = 0; off < torn.bytes; ) {
      const len = Math.min(buf.length, torn.bytes - off);
      readAt(rfd, buf, len, torn.start + off);
      let w = 0;
      while (w < len) w += fs.writeSync(sfd, buf, w, len - w);
      off += len;
    }
    fs.fsyncSync(sfd);
  } finally {
    fs.closeSync(sfd);
  }
  fsyncDir(dir);
  return sideFile;
}

export class EvidenceLog {
  readonly dir: string;
  readonly file: string;
  /** The incident id, as named in messages: the directory's name. */
  readonly incidentId: string;
  /** Set when open() moved a torn last line aside. */
  readonly setAside?: SetAside;

  private fd: number | null;
  /** The log's size as this object left it: anything else at the next append means another writer. */
  private size: number;
  private nextSeq: number;
  private headHash: string | null;
  private isClosed: boolean;
  /** Set when a failed append could not be undone: the file may end with a partial line. */
  private damage: string | null = null;
  private readonly io: LogIo;

  private constructor(
    dir: string,
    fd: number,
    size: number,
    last: EvidenceEntry | null,
    io: Partial<LogIo> | undefined,
    setAside?: SetAside,
  ) {
    this.dir = dir;
    this.file = logFileOf(dir);
    this.incidentId = path.basename(path.resolve(dir));
    this.fd = fd;
    this.size = size;
    this.nextSeq = last ? last.seq + 1 : 0;
    this.headHash = last ? last.hash : null;
    this.isClosed = last?.type === 'incident.closed';
    this.io = { ...realIo, ...io };
    if (setAside) this.setAside = setAside;
  }

  /** Creates a new incident directory with an empty log. Refuses an existing incident. */
  static create(incidentDir: string, opts: CreateOptions = {}): EvidenceLog {
    const file = logFileOf(incidentDir);
    const id = path.basename(path.resolve(incidentDir));
    try {
      makePrivateDir(incidentDir);
    } catch (e) {
      throw new LeakctlError(
        `could not create the incident directory ${incidentDir}: ${messageOf(e)}. ${fixFor(e, incidentDir)}.`,
        EXIT.failure,
      );
    }
    let fd: number;
    let reopened: EvidenceLog | undefined;
    try {
      // 'ax': append-only, and fails if the log exists, so two starts cannot both create it.
      fd = fs.openSync(file, 'ax', FILE_MODE);
    } catch (e) {
      if (errno(e) !== 'EEXIST') {
        throw new LeakctlError(`could not create the evidence log ${file}: ${messageOf(e)}. ${fixFor(e, file)}.`, EXIT.failure);
      }
      reopened = EvidenceLog.reopenUnopened(incidentDir, file, opts);
      if (!reopened) {
        throw new InvalidInput(
          `an incident already exists at ${incidentDir}; choose another id, or continue it with \`leakctl resume ${id}\``,
        );
      }
      fd = reopened.fd as number;
    }
    try {
      fs.fchmodSync(fd, FILE_MODE);
      makePrivateDir(path.join(incidentDir, ATTACHMENTS_DIR));
      makePrivateDir(path.join(incidentDir, DRAFTS_DIR));
      fs.fsyncSync(fd);
      fsyncDir(incidentDir);
      fsyncDir(path.dirname(path.resolve(incidentDir)));
    } catch (e) {
      if (reopened) reopened.close();
      else fs.closeSync(fd);
      throw new LeakctlError(
        `could not set up the incident directory ${incidentDir}: ${messageOf(e)}. ${fixFor(e, incidentDir)}.`,
        EXIT.failure,
      );
    }
    return reopened ?? new EvidenceLog(incidentDir, fd, 0, null, opts.io);
  }

  /**
   * A log without one complete entry is what a `start` leaves when it is killed, or runs out of
   * disk, between creating the log and writing its first entry whole (issue 7). `resume` cannot
   * continue an incident that was never opened, so `start` with the same id takes such a log
   * over; a torn first line is set aside in a side file first, as `resume` does. Undefined when
   * the log has an entry (a real incident: the caller refuses it) or cannot be read. A second
   * start racing for the same log is stopped by the lock or, failing that, by append's check that
   * the file did not change under it.
   */
  private static reopenUnopened(incidentDir: string, file: string, opts: CreateOptions): EvidenceLog | undefined {
    let rfd: number;
    try {
      rfd = fs.openSync(file, 'r');
    } catch {
      return undefined;
    }
    try {
      if (readTail(rfd, file).last !== null) return undefined;
    } catch {
      return undefined;
    } finally {
      fs.closeSync(rfd);
    }
    const log = EvidenceLog.open(incidentDir, {
      setAsideTorn: true,
      ...(opts.now ? { now: opts.now } : {}),
      ...(opts.io ? { io: opts.io } : {}),
    });
    if (log.count === 0) return log;
    log.close();
    return undefined;
  }

  /**
   * Opens an existing log for appending. Only the end of the file is read, to learn the next seq
   * and the head hash; a torn last line is refused, or moved aside with `setAsideTorn`.
   */
  static open(incidentDir: string, opts: OpenOptions = {}): EvidenceLog {
    const file = logFileOf(incidentDir);
    const id = path.basename(path.resolve(incidentDir));
    let rfd: number;
    try {
      rfd = fs.openSync(file, 'r');
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') throw new InvalidInput(`no incident at ${incidentDir}`);
      throw new LeakctlError(`could not read the evidence log ${file}: ${messageOf(e)}. ${fixFor(e, file)}.`, EXIT.failure);
    }
    let fd: number | undefined;
    try {
      const tail = readTail(rfd, file);
      if (tail.torn && !opts.setAsideTorn) {
        throw new InvalidInput(
          `the evidence log ${file} ends with a torn last line (${tail.torn.bytes} bytes; a crash while writing?). ` +
            `Run \`leakctl resume ${id}\`: it sets the torn line aside in a side file and continues.`,
        );
      }
      try {
        fd = fs.openSync(file, 'a');
      } catch (e) {
        throw new LeakctlError(
          `could not open the evidence log ${file} for writing: ${messageOf(e)}. ${fixFor(e, file)}.`,
          EXIT.failure,
        );
      }
      let setAside: SetAside | undefined;
      if (tail.torn) {
        const seq = tail.last ? tail.last.seq + 1 : 0;
        try {
          const sideFile = writeSideFile(rfd, incidentDir, tail.torn, seq, opts.now ?? new Date());
          if (fs.fstatSync(fd).size !== tail.size) {
            throw new Error('the log changed while it was being repaired (is another leakctl writing it?)');
          }
          // Only now that the side file is on disk: cut the log back to its last complete line.
          fs.ftruncateSync(fd, tail.torn.start);
          fs.fsyncSync(fd);
          setAside = { file: sideFile, bytes: tail.torn.bytes };
        } catch (e) {
          throw new LeakctlError(
            `could not set aside the torn last line of ${file}: ${messageOf(e)}. ${fixFor(e, file)}, then try again.`,
            EXIT.failure,
          );
        }
      }
      const log = new EvidenceLog(incidentDir, fd, tail.torn ? tail.torn.start : tail.size, tail.last, opts.io, setAside);
      fd = undefined;
      return log;
    } catch (e) {
      if (e instanceof LeakctlError) throw e;
      throw new LeakctlError(`could not read the evidence log ${file}: ${messageOf(e)}. ${fixFor(e, file)}.`, EXIT.failure);
    } finally {
      fs.closeSync(rfd);
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  /** The hash of the last entry, or null for an empty log. */
  get head(): string | null {
    return this.headHash;
  }

  /** The number of entries; also the seq the next entry gets. */
  get count(): number {
    return this.nextSeq;
  }

  /** True once an incident.closed entry is in the log. */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Appends one entry and returns it once it is on disk. `data` is stored as its JSON form, and the
   * returned entry carries exactly what a later replay will read.
   */
  append(type: EntryType, actor: string, data: Record<string, unknown>, at: Date): EvidenceEntry {
    const fd = this.fd;
    if (fd === null) throw new Error(`EvidenceLog.append on ${this.file} after close()`);
    if (this.isClosed) throw new InvalidInput(`incident ${this.incidentId} is closed; its log is read-only`);
    if (this.damage) throw new LeakctlError(this.damage, EXIT.failure);
    if (!isEntryType(type)) throw new TypeError(`unknown evidence entry type ${JSON.stringify(type)}`);
    if (typeof actor !== 'string') throw new TypeError('evidence entry actor must be a string');
    // Round-trip through JSON so `undefined` members and the like are gone from the returned entry
    // exactly as they are from the line: what append returns is what replay will see.
    const json: unknown = JSON.parse(JSON.stringify(data ?? null));
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new TypeError('evidence entry data must be a JSON object');
    }
    const unhashed = {
      seq: this.nextSeq,
      at: formatAt(at),
      type,
      actor,
      data: json as Record<string, unknown>,
      prev: this.headHash,
    };
    const entry: EvidenceEntry = { ...unhashed, hash: hashOf(unhashed) };
    const bytes = Buffer.from(serialiseEntry(entry) + '\n', 'utf8');

    let before: number;
    try {
      before = fs.fstatSync(fd).size;
    } catch (e) {
      throw this.failure('write to', e, true);
    }
    if (before !== this.size) {
      // Our seq and prev describe the file as we left it; appending them to a file that changed
      // would break the chain. Only a writer that ignored the lock can cause this.
      throw new LeakctlError(
        `the evidence log ${this.file} changed while this leakctl had it open (${before} bytes where ${this.size} were written; ` +
          `is another process writing it?). The entry was not recorded. Run \`leakctl verify ${this.incidentId}\`, then try again.`,
        EXIT.failure,
      );
    }
    try {
      // One write on an O_APPEND descriptor: the line lands whole at the end or not at all,
      // except for a short write (disk full), which is undone below.
      const written = this.io.writeSync(fd, bytes);
      if (written !== bytes.length) {
        const e = new Error(`only ${written} of ${bytes.length} bytes were written (is the disk full?)`);
        (e as NodeJS.ErrnoException).code = 'ENOSPC';
        throw e;
      }
    } catch (e) {
      throw this.failure('write to', e, this.undo(before));
    }
    try {
      this.io.fsyncSync(fd);
    } catch (e) {
      // Not known to be on disk: take it out, so the caller's "not recorded" is true.
      throw this.failure('flush to disk', e, this.undo(before));
    }
    this.size = before + bytes.length;
    this.nextSeq += 1;
    this.headHash = entry.hash;
    if (type === 'incident.closed') this.isClosed = true;
    return entry;
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    fs.closeSync(fd);
  }

  /** Cuts the file back to `length` after a failed append; false if that failed too. */
  private undo(length: number): boolean {
    const fd = this.fd;
    if (fd === null) return false;
    try {
      this.io.ftruncateSync(fd, length);
    } catch {
      this.damage =
        `the evidence log ${this.file} may end with a partial line after a failed write; ` +
        `run \`leakctl resume ${this.incidentId}\`, which sets it aside`;
      return false;
    }
    try {
      this.io.fsyncSync(fd);
    } catch {
      /* the truncation is in the page cache; a later successful fsync persists it */
    }
    return true;
  }

  private failure(action: string, cause: unknown, unchanged: boolean): LeakctlError {
    const state = unchanged
      ? 'The entry was not recorded and the log is unchanged'
      : `The entry was not recorded, and the log may now end with a partial line: \`leakctl resume ${this.incidentId}\` sets it aside`;
    return new LeakctlError(
      `could not ${action} the evidence log ${this.file}: ${messageOf(cause)}. ${state}. ` +
        `${fixFor(cause, this.file)}, then try again; everything recorded before is kept.`,
      EXIT.failure,
    );
  }
}
