/**
 * The append side of a chain file (SPEC section 4): one entry per line, each written with a single
 * append and flushed (fsync) before append() returns, so a crash or `kill -9` loses at most the
 * entry being written, and a write that fails leaves the file as it was.
 *
 * An appender writes after the position a reader verified (chain.ts); it holds no lock itself.
 * The Incident takes the lock, catches up with what others appended, and only then appends.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, LeakctlError } from '../ui/errors.js';
import type { ChainPosition, TornTail } from './chain.js';
import { atKeyOfDate, readExactly } from './chain.js';
import { FILE_MODE, fixFor, messageOf, writeFileDurably } from './durable.js';
import { formatAt, isEntryType, sha256Hex, type EntryType, type EvidenceEntry } from './entry.js';


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

/** Never follow a symbolic link, never block on a FIFO (the open fails or the check after it refuses). */
const APPEND_FLAGS = fs.constants.O_WRONLY | fs.constants.O_APPEND | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

/** A new entry's place: the position it follows and the moment it is recorded at. */
export interface NewEntry {
  readonly type: EntryType;
  readonly actor: string;
  readonly data: Record<string, unknown>;
  readonly at: Date;
}

export class ChainAppender {
  readonly file: string;
  /** The incident id, as named in messages. */
  private readonly incidentId: string;
  private fd: number | null = null;
  private ino = -1;
  private readonly io: LogIo;
  /** Set when a failed append could not be undone: the file may end with a partial line. */
  private damage: string | null = null;

  constructor(file: string, incidentId: string, io: Partial<LogIo> = {}) {
    this.file = file;
    this.incidentId = incidentId;
    this.io = { ...realIo, ...io };
  }

  /**
   * Appends one entry after `position` and returns it, once it is on disk, with the position
   * after it. `data` is stored as its JSON form, and the returned entry carries exactly what a
   * later replay will read. The caller holds the lock and has verified the file up to
   * `position`, which must be its end.
   */
  append(position: ChainPosition, next: NewEntry, ino?: number): { entry: EvidenceEntry; position: ChainPosition } {
    if (this.damage) throw new LeakctlError(this.damage, EXIT.failure);
    if (!isEntryType(next.type)) throw new TypeError(`unknown evidence entry type ${JSON.stringify(next.type)}`);
    // The line is built once from the JSON of data (so `undefined` members are gone exactly as a
    // later read will find them), and the entry returned is parsed back from that same text.
    const dataJson = JSON.stringify(next.data ?? null);
    if (dataJson === undefined || dataJson[0] !== '{') throw new TypeError('evidence entry data must be a JSON object');
    const at = formatAt(next.at);
    const key = atKeyOfDate(next.at);
    if (key < position.lastAtKey) throw new Error(`append at ${at} before the log's last entry (${position.lastAt}): the caller must refuse this`);
    const unhashed = `{"seq":${position.entries},"at":"${at}","type":"${next.type}","actor":${JSON.stringify(next.actor)},"data":${dataJson},"prev":${position.head === null ? 'null' : `"${position.head}"`}}`;
    const hash = sha256Hex(unhashed);
    const bytes = Buffer.from(`${unhashed.slice(0, -1)},"hash":"${hash}"}\n`, 'utf8');
    const entry: EvidenceEntry = { seq: position.entries, at, type: next.type, actor: next.actor, data: JSON.parse(dataJson) as Record<string, unknown>, prev: position.head, hash };

    const fd = this.open(ino);
    let before: number;
    try {
      before = fs.fstatSync(fd).size;
    } catch (e) {
      throw this.failure('write to', e, true);
    }
    if (before !== position.offset) {
      // The caller verified the file up to `position`: anything else means a writer that ignored the lock.
      throw new LeakctlError(
        `the evidence log ${this.file} changed while this leakctl was writing it (${before} bytes where ${position.offset} were verified; ` +
          `is a process writing it without leakctl's lock?). The entry was not recorded. Run \`leakctl verify ${this.incidentId}\`, then try again.`,
        EXIT.failure,
      );
    }
    try {
      // One write on an O_APPEND descriptor: the line lands whole at the end or not at all,
      // except for a short write (disk full), which is undone below.
      const written = this.io.writeSync(fd, bytes);
      if (written !== bytes.length) {
        throw Object.assign(new Error(`only ${written} of ${bytes.length} bytes were written (is the disk full?)`), { code: 'ENOSPC' });
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
    return {
      entry,
      position: { offset: before + bytes.length, entries: position.entries + 1, head: hash, lastAt: at, lastAtKey: key, closed: position.closed || next.type === 'incident.closed' },
    };
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    fs.closeSync(fd);
  }

  /**
   * The descriptor, opened once and kept while it names the file the caller read: `ino` is the
   * inode the caller found at the log's path (under the lock); a log replaced since this
   * descriptor was opened (renamed over, deleted) is opened afresh. Without `ino`, the path is
   * looked at here. The size check in append() then decides.
   */
  private open(ino?: number): number {
    let current = ino;
    if (current === undefined) {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(this.file);
      } catch (e) {
        throw this.failure('open', e, true);
      }
      if (!st.isFile()) throw new LeakctlError(`the evidence log ${this.file} is no longer a regular file; nothing was recorded`, EXIT.invalid);
      current = st.ino;
    }
    if (this.fd !== null && current === this.ino) return this.fd;
    this.close();
    try {
      this.fd = fs.openSync(this.file, APPEND_FLAGS);
      this.ino = fs.fstatSync(this.fd).ino;
    } catch (e) {
      throw new LeakctlError(`could not open the evidence log ${this.file} for writing: ${messageOf(e)}. ${fixFor(e, this.file)}.`, EXIT.failure);
    }
    if (!fs.fstatSync(this.fd).isFile()) {
      this.close();
      throw new LeakctlError(`the evidence log ${this.file} is no longer a regular file; nothing was recorded`, EXIT.invalid);
    }
    return this.fd;
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
        `the next leakctl command that writes to incident ${this.incidentId} sets it aside`;
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
      : `The entry was not recorded, and the log may now end with a partial line, which the next command that writes sets aside`;
    return new LeakctlError(
      `could not ${action} the evidence log ${this.file}: ${messageOf(cause)}. ${state}. ` +
        `${fixFor(cause, this.file)}, then try again; everything recorded before is kept.`,
      EXIT.failure,
    );
  }
}

export interface SetAside {
  /** Absolute path of the side file that now holds the torn bytes. */
  readonly file: string;
  readonly bytes: number;
}

/**
 * Moves a torn last line (a crash while writing) out of the log into a new owner-only side file
 * beside it, then cuts the log back to its last complete line: kept, never deleted. Only under
 * the incident's lock, where a partial line cannot be a write still in progress.
 */
export function setAsideTail(file: string, tail: TornTail, seq: number, now: Date): SetAside {
  const dir = path.dirname(file);
  try {
    const fd = fs.openSync(file, fs.constants.O_RDWR | (fs.constants.O_NOFOLLOW ?? 0));
    try {
      const bytes = Buffer.allocUnsafe(tail.bytes);
      readExactly(fd, bytes, tail.offset);
      const stamp = formatAt(now).replace(/[-:]/g, '');
      let side = '';
      for (let n = 1; ; n++) {
        side = path.join(dir, `${path.basename(file)}.torn-${seq}-${stamp}${n === 1 ? '' : `-${n}`}`);
        if (writeFileDurably(side, bytes, { overwrite: false, mode: FILE_MODE })) break;
        if (n >= 100) throw new Error('too many side files with the same name');
      }
      if (fs.fstatSync(fd).size !== tail.offset + tail.bytes) throw new Error('the log changed while it was being repaired (is another process writing it?)');
      // Only now that the side file is on disk: cut the log back to its last complete line.
      fs.ftruncateSync(fd, tail.offset);
      fs.fsyncSync(fd);
      return { file: side, bytes: tail.bytes };
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    if (e instanceof LeakctlError) throw e;
    throw new LeakctlError(`could not set aside the torn last line of ${file}: ${messageOf(e)}. ${fixFor(e, file)}, then try again.`, EXIT.failure);
  }
}

