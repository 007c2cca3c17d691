/**
 * One writer at a time per incident (SPEC section 4): a lock file created with O_EXCL, holding who
 * took it. It is held for the moment of a write, never while a person is thinking (issue 8), so a
 * second writer waits for it, a few seconds at most, instead of being refused. No process handlers
 * are registered here; the Incident releases the lock in a `finally`, and a lock left by a killed
 * process is recognised as stale by the next one.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXIT, InvalidInput, LeakctlError } from '../ui/errors.js';
import { printable } from '../ui/text.js';
import { errno, FILE_MODE, fixFor, isAlive, NO_HARD_LINKS, tempPathFor, writeAll } from './durable.js';

const LOCK_FILE = '.lock';

export interface LockHolder {
  pid: number;
  host: string;
  started: string;
}

export interface IncidentLock {
  readonly file: string;
  /** The stale lock this acquisition replaced, if any (its process had ended). */
  readonly tookOver?: LockHolder;
  /**
   * Whether the lock file is still this one's: a writer checks just before it writes, so that a
   * lock lost to a race over a stale one is not written under.
   */
  held(): boolean;
  /** Removes the lock file if it is still ours. Safe to call more than once. */
  release(): void;
}

export interface LockOptions {
  /** The run's clock, for `started`. */
  now?: Date;
  /** How long to wait for a lock another process holds (default 10 s; 0: do not wait). */
  waitMs?: number;
  /** Told once, when the lock is not free at the first try, who holds it. */
  onWait?: (holder: string) => void;
}

/** Locks are held for milliseconds: this long a wait means something is wrong. */
const LOCK_WAIT_MS = 10_000;

function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder> | null;
    if (v && typeof v.pid === 'number' && Number.isSafeInteger(v.pid) && v.pid > 0 && typeof v.host === 'string' && typeof v.started === 'string') {
      return { pid: v.pid, host: v.host, started: v.started };
    }
  } catch {
    /* not ours to understand: treated as held, see below */
  }
  return null;
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (errno(e) === 'ENOENT') return null;
    throw e;
  }
}

/** Who holds the lock, in words; the lock file's text is shown escaped (anyone could have written it). */
function holderInWords(h: LockHolder): string {
  const where = h.host === os.hostname() ? `pid ${h.pid}` : `pid ${h.pid} on host ${printable(h.host)}`;
  return `${where}, since ${printable(h.started)}`;
}

function busy(incidentDir: string, lockFile: string, text: string, waitedMs: number): InvalidInput {
  const id = path.basename(path.resolve(incidentDir));
  const h = parseHolder(text);
  if (!h) {
    return new InvalidInput(
      `incident ${id} is locked by ${lockFile}, which cannot be read; if no leakctl process is working on this incident, delete that file and try again`,
    );
  }
  const waited = waitedMs > 0 ? ` and held it for the ${Math.round(waitedMs / 100) / 10} s this one waited` : '';
  return new InvalidInput(
    `incident ${id} is being written by another leakctl process (${holderInWords(h)})${waited}; wait for it to finish or stop it. ` +
      `If that process is not leakctl (its pid was reused after a crash), delete ${lockFile} and try again.`,
  );
}

/**
 * Takes the incident's write lock. A lock held by a live process is waited for (up to `waitMs`,
 * polling; measured on a monotonic clock, so a system clock set back does not stretch it); after
 * that, InvalidInput naming the holder. A lock whose process has ended is taken over.
 */
export async function acquireLock(incidentDir: string, opts: LockOptions = {}): Promise<IncidentLock> {
  const waitMs = opts.waitMs ?? LOCK_WAIT_MS;
  const started = performance.now();
  let told = false;
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    const result = tryLock(incidentDir, opts);
    if (typeof result !== 'string') return result;
    if (performance.now() - started >= waitMs) throw busy(incidentDir, path.join(incidentDir, LOCK_FILE), result, waitMs);
    if (!told && opts.onWait) {
      told = true;
      const holder = parseHolder(result);
      opts.onWait(holder ? holderInWords(holder) : 'an unreadable lock file');
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** One attempt: the lock, or the text of the lock file that holds it (possibly empty). */
function tryLock(incidentDir: string, opts: LockOptions): IncidentLock | string {
  const lockFile = path.join(incidentDir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, host: os.hostname(), started: (opts.now ?? new Date()).toISOString() };
  const content = JSON.stringify(mine) + '\n';

  const cannot = (file: string, e: unknown): LeakctlError =>
    new LeakctlError(`could not create the lock file ${file}: ${(e as Error).message}. ${fixFor(e, file)}, then try again.`, EXIT.failure);

  /**
   * The lock is written in full under a private name and then linked into place: link(2) fails
   * if the lock exists, as O_EXCL does, and no one ever sees a lock file that is empty or half
   * written, which a concurrent command would have to report as unreadable (issue 7). A write
   * that fails (a full disk) leaves no lock behind to block the next command. Unlike the writes
   * of durable.ts it is not flushed: a lock outlives no crash (a dead holder's lock is stale),
   * and an fsync per lock would double the cost of every entry. The private name is the one
   * durable.ts gives temporary files, so that one killed mid-way is cleared like theirs.
   */
  const tryCreate = (): boolean => {
    const temp = tempPathFor(lockFile);
    let fd: number;
    try {
      fd = fs.openSync(temp, 'wx', FILE_MODE);
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') throw new InvalidInput(`no incident at ${incidentDir}`);
      throw cannot(lockFile, e);
    }
    try {
      try {
        writeAll(fd, Buffer.from(content));
      } finally {
        fs.closeSync(fd);
      }
    } catch (e) {
      fs.rmSync(temp, { force: true });
      throw cannot(lockFile, e);
    }
    try {
      fs.linkSync(temp, lockFile);
      return true;
    } catch (e) {
      if (errno(e) === 'EEXIST') return false;
      if (!NO_HARD_LINKS.has(errno(e) ?? '')) throw cannot(lockFile, e);
      // A file system without hard links: an exclusive create of the lock itself, as before.
      return createInPlace();
    } finally {
      fs.rmSync(temp, { force: true });
    }
  };

  const createInPlace = (): boolean => {
    let fd: number;
    try {
      fd = fs.openSync(lockFile, 'wx', FILE_MODE);
    } catch (e) {
      if (errno(e) === 'EEXIST') return false;
      throw cannot(lockFile, e);
    }
    try {
      try {
        writeAll(fd, Buffer.from(content));
      } finally {
        fs.closeSync(fd);
      }
    } catch (e) {
      fs.rmSync(lockFile, { force: true });
      throw cannot(lockFile, e);
    }
    return true;
  };

  const lock = (tookOver?: LockHolder): IncidentLock => {
    let mine = true;
    return {
      file: lockFile,
      ...(tookOver ? { tookOver } : {}),
      held: () => mine && readText(lockFile) === content,
      release() {
        if (!mine) return;
        mine = false;
        try {
          // Only our own lock: after a takeover by someone else, theirs must stay.
          if (readText(lockFile) === content) fs.unlinkSync(lockFile);
        } catch {
          /* already gone */
        }
      },
    };
  };

  if (tryCreate()) return lock();

  const seen = readText(lockFile);
  if (seen === null) {
    // Released between our attempt and the read.
    if (tryCreate()) return lock();
    return readText(lockFile) ?? '';
  }
  const holder = parseHolder(seen);
  // A process on another host cannot be checked from here, so its lock is always respected.
  if (!holder || holder.host !== os.hostname() || isAlive(holder.pid)) return seen;

  // Stale. Two processes may find it stale at once; a plain unlink could then remove the lock
  // the other one has just created. Renaming to a private name moves exactly one file, which we
  // then check is the stale one before discarding it.
  const moved = tempPathFor(lockFile);
  try {
    fs.renameSync(lockFile, moved);
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw e;
  }
  const movedText = readText(moved);
  if (movedText !== null && movedText !== seen) {
    // We moved someone's fresh lock: put it back (link fails rather than overwrite) and give way.
    // Should a third process have taken the place meanwhile, the lock we moved is lost to its
    // owner, whose held() check before writing then fails: it refuses rather than write unlocked.
    try {
      fs.linkSync(moved, lockFile);
    } catch {
      /* someone holds the lock now either way */
    }
    fs.rmSync(moved, { force: true });
    return movedText;
  }
  fs.rmSync(moved, { force: true });
  if (tryCreate()) return lock(holder);
  return readText(lockFile) ?? '';
}
