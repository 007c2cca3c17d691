/**
 * The one way leakctl writes a file that must survive a crash (issue 8): the bytes go to a
 * temporary file beside the target, are flushed (fsync), and the temporary file is then renamed
 * (or, where nothing may be overwritten, hard-linked) into place, and the directory flushed. A
 * crash or a full disk never leaves half a file under the target's name. Incident files hold
 * personal data: directories 0700, files 0600, whatever the umask.
 *
 * The evidence log itself is appended to, never rewritten: log.ts does that, with the same
 * helpers for modes and errors.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, InvalidInput, LeakctlError } from '../ui/errors.js';
import { printable } from '../ui/text.js';

const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** The error's code (ENOENT, EACCES, …), if it has one. */
export function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

export function messageOf(e: unknown): string {
  return printable(e instanceof Error ? e.message : String(e));
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

/** Whether a process with this pid exists on this host. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else. Only ESRCH proves it is gone.
    return errno(e) !== 'ESRCH';
  }
}

/** Makes a new or renamed directory entry durable. Best effort where a directory cannot be opened (Windows). */
export function syncDir(dir: string): void {
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

/**
 * mkdir -p with mode 0700 for every directory this call creates (chmod, since mkdir's mode is
 * filtered by the umask). A directory that was there already is left as its owner set it.
 */
export function makePrivateDir(dir: string): void {
  const first = fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (first === undefined) return;
  const stop = path.resolve(first);
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    fs.chmodSync(d, DIR_MODE);
    if (d === stop || path.dirname(d) === d) break;
  }
}

/** The name tempPathFor gives: `.<name>.tmp-<pid>-<12 hex>`. Anchored: an evidence file may end the same way. */
const TEMP = /^\..+\.tmp-(\d+)-[0-9a-f]{12}$/;

/** A private name beside `target` for its bytes while they are being written. */
export function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  return path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
}

/**
 * Temporary files of a leakctl that was killed while writing (their process is gone): nothing
 * refers to them, and they would otherwise stay in the incident for good.
 */
export function removeStaleTemps(dir: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(TEMP.exec(entry.name)?.[1] ?? 0);
    if (pid > 0 && pid !== process.pid && !isAlive(pid)) fs.rmSync(path.join(dir, entry.name), { force: true, recursive: entry.isDirectory() });
  }
}

/** Errors of link(2) on a file system without hard links: a caller falls back to a check and a rename. */
export const NO_HARD_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/** What a path is when it is not a regular file ("a symbolic link", "a named pipe (FIFO)", …); null for a regular file. */
export function fileKind(st: fs.Stats): string | null {
  if (st.isFile()) return null;
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isBlockDevice() || st.isCharacterDevice()) return 'a device file';
  return 'not a regular file';
}

/** Why a path cannot be attached, and what to do instead; null for a regular file. */
export function notAttachable(st: fs.Stats): string | null {
  const kind = fileKind(st);
  if (kind === null) return null;
  if (st.isSymbolicLink()) return `${kind}; attach the file it points to instead`;
  if (st.isDirectory()) return `${kind}; attach the files in it one by one (or an archive of it)`;
  return `${kind}, not a regular file`;
}

/**
 * Moves a flushed temporary file to `target`. With `overwrite: false` an existing target is kept
 * and false is returned, the temporary file still in place for another name (link(2) fails rather
 * than replace; where a file system has no hard links, a check then a rename).
 */
export function placeFile(temp: string, target: string, overwrite: boolean): boolean {
  if (overwrite) {
    fs.renameSync(temp, target);
  } else {
    try {
      fs.linkSync(temp, target);
      fs.rmSync(temp, { force: true });
    } catch (e) {
      if (errno(e) === 'EEXIST') return false;
      if (!NO_HARD_LINKS.has(errno(e) ?? '')) throw e;
      if (fs.existsSync(target)) return false;
      fs.renameSync(temp, target);
    }
  }
  syncDir(path.dirname(target));
  return true;
}

/**
 * Creates the directory `target` whole or not at all: `build` fills it under a temporary name
 * beside it, everything is flushed, and it is renamed into place. rename(2) replaces nothing but
 * an empty directory, so when `target` exists with content, the temporary directory is removed and
 * the rename's error (ENOTEMPTY, EEXIST) is thrown for the caller to name.
 */
export function createDirAtomically(target: string, build: (dir: string) => void): void {
  const temp = tempPathFor(target);
  try {
    makePrivateDir(temp);
    build(temp);
    syncDir(temp);
    fs.renameSync(temp, target);
  } catch (e) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw e;
  }
  syncDir(path.dirname(target));
}

/** Writes every byte to `fd`: a write can stop short when the disk fills up, and the rest then fails. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) {
    const n = fs.writeSync(fd, bytes, done, bytes.length - done);
    if (n <= 0) throw Object.assign(new Error('no space left on device (nothing more could be written)'), { code: 'ENOSPC' });
    done += n;
  }
}

export interface WriteOptions {
  /** Replace an existing file (the default), or keep it and return false. */
  readonly overwrite?: boolean;
  /** 0600 unless said otherwise: most of what leakctl writes holds personal data. */
  readonly mode?: number;
}

/**
 * Writes `data` to `target` durably: all of it or nothing. Throws the I/O error as it is (the
 * caller knows what the file is and says so); the temporary file is removed on failure.
 */
export function writeFileDurably(target: string, data: string | Uint8Array, options: WriteOptions = {}): boolean {
  const temp = tempPathFor(target);
  try {
    writeTemp(temp, data, options.mode ?? FILE_MODE);
    if (placeFile(temp, target, options.overwrite ?? true)) return true;
    fs.rmSync(temp, { force: true });
    return false;
  } catch (e) {
    fs.rmSync(temp, { force: true });
    throw e;
  }
}

/**
 * Writes several files of one directory durably, replacing what is there: each is written and
 * flushed under a temporary name, then all are renamed into place and the directory flushed
 * once. A failure names the file (`failed`) and the ones already renamed into place (`replaced`);
 * a failure while writing, the usual one (a full disk), replaces nothing.
 */
export function writeFilesDurably(dir: string, files: readonly { name: string; data: string | Uint8Array }[]): void {
  const temps: string[] = [];
  const replaced: string[] = [];
  let current = '';
  try {
    for (const file of files) {
      current = path.join(dir, file.name);
      const temp = tempPathFor(current);
      temps.push(temp);
      writeTemp(temp, file.data, FILE_MODE);
    }
    files.forEach((file, i) => {
      current = path.join(dir, file.name);
      fs.renameSync(temps[i] as string, current);
      replaced.push(current);
    });
  } catch (e) {
    for (const temp of temps) fs.rmSync(temp, { force: true });
    // Which file failed, and which were replaced before it (a rename cannot be taken back).
    throw Object.assign(e as Error, { failed: current, replaced });
  }
  syncDir(dir);
}

function writeTemp(temp: string, data: string | Uint8Array, mode: number): void {
  const fd = fs.openSync(temp, 'wx', mode);
  try {
    fs.fchmodSync(fd, mode);
    writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** What an output option must never write over: the command's input files, and anything inside these directories. */
export interface Protected {
  readonly files: readonly string[];
  readonly dirs: readonly string[];
  /** What the option names, as its messages say it: a file unless said otherwise. */
  readonly output?: 'file' | 'directory or .tar.gz file';
}

/**
 * The path with symbolic links in its existing part resolved: where a write would really land. A
 * link whose file does not exist yet (a dangling one) lands where it points.
 */
function landing(target: string): string {
  let existing = path.resolve(target);
  const rest: string[] = [];
  for (let links = 0; ; ) {
    try {
      return path.join(fs.realpathSync(existing), ...rest.reverse());
    } catch {
      const pointsTo = links < 40 ? linkTarget(existing) : undefined;
      if (pointsTo !== undefined) {
        links += 1;
        existing = path.resolve(path.dirname(existing), pointsTo);
        continue;
      }
      const parent = path.dirname(existing);
      if (parent === existing) return path.resolve(target);
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

function linkTarget(file: string): string | undefined {
  try {
    return fs.readlinkSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Exit 2 when an output option names a path it must not write (issue 9): an input of the command
 * (`drill --junit answers.yaml` overwrote the answers) or a file inside an incident, or a
 * directory. Checked before the command runs, so nothing has been done in vain.
 */
export function checkOutputPath(target: string, given: string, option: string, guard: Protected): void {
  const where = landing(target);
  // The same file by name, or by device and inode where it exists (another spelling of it on a
  // case-insensitive file system, a hard link).
  const st = statOrUndefined(target);
  for (const file of guard.files) {
    const other = st && statOrUndefined(file);
    if (landing(file) === where || (other && other.dev === st.dev && other.ino === st.ino)) {
      throw new InvalidInput(`${option} ${printable(given)} is ${printable(file)}, an input of this command; name another file for the output`);
    }
  }
  for (const dir of guard.dirs) {
    const inside = landing(dir);
    if (where === inside || where.startsWith(inside + path.sep)) {
      throw new InvalidInput(`${option} ${printable(given)} is inside ${printable(dir)}, where the incidents are; leakctl writes nothing there but through an incident. Name a ${guard.output ?? 'file'} elsewhere`);
    }
  }
  // stat, not lstat: a link to a regular file is written through (writeOutputFile), as a person
  // naming it expects.
  if (st && !st.isFile()) throw new InvalidInput(`${option} ${printable(given)} is ${fileKind(st)}; name a regular file`);
  // The directories missing on the way are created; the nearest one that exists must take a file.
  let dir = path.dirname(path.resolve(target));
  let dirSt = statOrUndefined(dir);
  while (!dirSt && path.dirname(dir) !== dir) dirSt = statOrUndefined((dir = path.dirname(dir)));
  if (dirSt && !dirSt.isDirectory()) throw new InvalidInput(`${option} ${printable(given)}: ${printable(dir)} is ${fileKind(dirSt) ?? 'a file'}, not a directory; name a file in a directory`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new InvalidInput(`${option} ${printable(given)}: the directory ${printable(dir)} cannot be written by this user; name a file in a directory you can write`);
  }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

/**
 * An output file a person named (a JUnit report, an export): written durably, its directory
 * created when missing. An I/O failure is exit 1 with the file named and what to do.
 */
export function writeOutputFile(given: string, data: string | Uint8Array, what: string, mode = 0o644): void {
  const file = new OutputFile(given, what, mode);
  file.write(data);
  file.commit();
}

/** Writes to a descriptor gathered into pieces of 64 KiB: one write(2) per piece, not per line. */
class Gathered {
  private pending: Buffer[] = [];
  private size = 0;
  /** Bytes written to the descriptor so far. */
  written = 0;

  constructor(private readonly fd: number) {}

  add(data: string | Uint8Array): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.pending.push(bytes);
    this.size += bytes.length;
    if (this.size >= 1 << 16) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const bytes = Buffer.concat(this.pending, this.size);
    this.pending = [];
    this.size = 0;
    writeAll(this.fd, bytes);
    this.written += bytes.length;
  }
}

/**
 * An output file a person named, written a piece at a time (a report of a long log) or at once
 * (writeOutputFile): through a symbolic link to the file it names, under a temporary name beside
 * it, flushed, then renamed into place, so that a failure or an interruption leaves the earlier
 * file, if any, as it was. An I/O failure is exit 1 with the file named and what to do.
 */
export class OutputFile {
  private readonly target: string;
  private readonly temp: string;
  private readonly fd: number;
  private readonly out: Gathered;
  private open = true;

  /** `mode`: 0644 for what is shared as it is (a JUnit report); 0600 for what holds personal data (the report, the register), whatever the umask. */
  constructor(
    private readonly given: string,
    private readonly what: string,
    mode = 0o644,
  ) {
    this.target = landing(given);
    this.temp = tempPathFor(this.target);
    let fd: number | undefined;
    try {
      fs.mkdirSync(path.dirname(this.target), { recursive: true });
      fd = fs.openSync(this.temp, 'wx', mode);
      fs.fchmodSync(fd, mode);
    } catch (e) {
      if (fd !== undefined) fs.closeSync(fd);
      fs.rmSync(this.temp, { force: true });
      throw this.failed(e);
    }
    this.fd = fd;
    this.out = new Gathered(fd);
  }

  write(data: string | Uint8Array): void {
    this.guarded(() => this.out.add(data));
  }

  /** Flushes, and puts the file in place. */
  commit(): void {
    try {
      this.flush();
      fs.fsyncSync(this.fd);
      this.close();
      fs.renameSync(this.temp, this.target);
      syncDir(path.dirname(this.target));
    } catch (e) {
      this.abort();
      throw e instanceof LeakctlError ? e : this.failed(e);
    }
  }

  /** Leaves no temporary file behind (an error while the content was being made); nothing once committed. */
  abort(): void {
    if (!this.open && !fs.existsSync(this.temp)) return;
    this.close();
    fs.rmSync(this.temp, { force: true });
  }

  private close(): void {
    if (!this.open) return;
    this.open = false;
    fs.closeSync(this.fd);
  }

  private flush(): void {
    this.guarded(() => this.out.flush());
  }

  /** A write that fails leaves no temporary file, and says which file and what to do. */
  private guarded(write: () => void): void {
    try {
      write();
    } catch (e) {
      this.abort();
      throw this.failed(e);
    }
  }

  private failed(e: unknown): LeakctlError {
    return new LeakctlError(`could not write ${this.what} ${this.given}: ${messageOf(e)}. ${fixFor(e, this.target)}, then try again.`, EXIT.failure);
  }
}

/**
 * Text kept aside on disk while the rest of a document is made, then read back in order: a part
 * that comes last in the document but is known first (the report's timeline, read in the same
 * pass as what the sections before it need). Private (0600) in a directory of its own, removed
 * by dispose(); memory stays flat however long the text.
 */
export class Spill {
  private readonly dir: string;
  private readonly file: string;
  private readonly fd: number;
  private readonly out: Gathered;

  constructor(tempDir: string) {
    this.dir = fs.mkdtempSync(path.join(tempDir, 'leakctl-'));
    this.file = path.join(this.dir, 'spill');
    this.fd = fs.openSync(this.file, 'wx+', FILE_MODE);
    this.out = new Gathered(this.fd);
  }

  write(text: string): void {
    this.out.add(text);
  }

  /** What was written, in pieces of at most a megabyte. */
  *read(): Generator<Buffer> {
    this.out.flush();
    const written = this.out.written;
    for (let at = 0; at < written; ) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, written - at));
      const n = fs.readSync(this.fd, chunk, 0, chunk.length, at);
      if (n === 0) throw new Error(`${this.file} ended at byte ${at} of ${written}`);
      at += n;
      yield chunk.subarray(0, n);
    }
  }

  dispose(): void {
    fs.closeSync(this.fd);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
