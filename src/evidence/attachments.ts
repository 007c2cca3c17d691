/**
 * Evidence files are copied into the incident (SPEC section 4), named by content, and hashed while
 * they are copied, so the log can record a hash of exactly the bytes that were kept.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, InvalidInput, LeakctlError } from '../ui/errors.js';
import { printable } from '../ui/text.js';
import { errno, FILE_MODE, notAttachable, placeFile, removeStaleTemps, tempPathFor } from './durable.js';
import { ATTACHMENTS_DIR } from './layout.js';

export interface AttachedFile {
  /** Relative to the incident directory, forward slashes: `attachments/<sha256 prefix>-<name>`. */
  path: string;
  sha256: string;
  bytes: number;
  /** The source path as it was given. */
  original: string;
  /** The source's modification time when it was copied (RFC 3339, UTC): part of its custody. */
  modified?: string;
}

const CHUNK = 1024 * 1024;
const NAME_MAX_CHARS = 100;
/** File systems limit names to 255 bytes; leave room for the hash prefix and a collision suffix. */
const NAME_MAX_BYTES = 200;



/**
 * The name an attachment is stored under: the original's last path component, with control
 * characters, bidi overrides (which make `report\u202Etxt.exe` look like `reportexe.txt` in a
 * file manager), slashes, backslashes, leading dots (hidden files, `..`) and the characters
 * Windows forbids replaced by `_`, so an incident directory can be copied to any machine for counsel.
 */
export function sanitiseName(original: string): string {
  const base = original.split(/[/\\]/).pop() ?? '';
  let name = base.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c/\\:*?"<>|]/g, '_').replace(/^\.+/, (dots) => '_'.repeat(dots.length));
  let chars = Array.from(name);
  if (chars.length > NAME_MAX_CHARS || Buffer.byteLength(name) > NAME_MAX_BYTES) {
    // Keep a short extension, so the file still opens with the right program.
    const ext = /\.[A-Za-z0-9]{1,10}$/.exec(name)?.[0] ?? '';
    chars = Array.from(name.slice(0, name.length - ext.length));
    const extChars = Array.from(ext);
    while (
      chars.length > 0 &&
      (chars.length + extChars.length > NAME_MAX_CHARS || Buffer.byteLength(chars.join('') + ext) > NAME_MAX_BYTES)
    ) {
      chars.pop();
    }
    name = chars.join('') + ext;
  }
  return name.length === 0 ? 'file' : name;
}

/** SHA-256 and size of a file, read in chunks. */
export async function hashFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK })) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), bytes };
}

/** A copy in the incident: the file as the log records it, and whether this call stored it (false: the same bytes were there already). */
export interface StoredAttachment {
  readonly file: AttachedFile;
  readonly fresh: boolean;
}

/** Copies `sourcePath` into `<incidentDir>/attachments/`, hashing it on the way. */
export async function copyAttachment(incidentDir: string, sourcePath: string): Promise<StoredAttachment> {
  // The path as messages show it: a file name may carry terminal escapes or bidi overrides.
  const shown = printable(sourcePath);
  let st: fs.Stats;
  try {
    st = await fs.promises.lstat(sourcePath);
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') throw new InvalidInput(`attachment not found: ${shown}`);
    throw new InvalidInput(`cannot read attachment ${shown}: ${printable((e as Error).message)}`);
  }
  const kind = notAttachable(st);
  if (kind) throw new InvalidInput(`cannot attach ${shown}: it is ${kind}`);

  const dir = path.join(incidentDir, ATTACHMENTS_DIR);
  removeStaleTemps(dir);
  // O_NOFOLLOW and the fstat below catch a swap between lstat and open; O_NONBLOCK keeps a
  // FIFO swapped in from blocking the open.
  const flags = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);
  let src: fs.promises.FileHandle;
  try {
    src = await fs.promises.open(sourcePath, flags);
  } catch (e) {
    throw new InvalidInput(`cannot read attachment ${shown}: ${printable((e as Error).message)}`);
  }
  const tmp = tempPathFor(path.join(dir, 'copy'));
  let sha256: string;
  let bytes = 0;
  let modified: string;
  try {
    const fst = await src.stat();
    modified = fst.mtime.toISOString();
    if (!fst.isFile() || fst.ino !== st.ino || fst.dev !== st.dev) {
      throw new InvalidInput(`cannot attach ${shown}: it changed while it was being opened; try again`);
    }
    let out: fs.promises.FileHandle;
    try {
      out = await fs.promises.open(tmp, 'wx', FILE_MODE);
    } catch (e) {
      if (errno(e) === 'ENOENT') throw new InvalidInput(`no incident at ${incidentDir} (it has no attachments directory)`);
      throw e;
    }
    try {
      await out.chmod(FILE_MODE);
      const h = createHash('sha256');
      const buf = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const { bytesRead } = await src.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        const piece = buf.subarray(0, bytesRead);
        h.update(piece);
        let w = 0;
        while (w < bytesRead) w += (await out.write(piece, w, bytesRead - w)).bytesWritten;
        bytes += bytesRead;
      }
      await out.sync();
      sha256 = h.digest('hex');
    } finally {
      await out.close();
    }
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    if (e instanceof LeakctlError) throw e;
    throw new LeakctlError(
      `could not copy ${shown} into ${dir}: ${printable((e as Error).message)}. Check the disk space and permissions, then try again.`,
      EXIT.failure,
    );
  } finally {
    await src.close();
  }

  const name = sanitiseName(sourcePath);
  try {
    for (let n = 1; n <= 1000; n++) {
      // A file already there under the name is kept, never overwritten: it is evidence.
      const stored = `${sha256.slice(0, 12)}-${n === 1 ? '' : `${n}-`}${name}`;
      const target = path.join(dir, stored);
      const file = { path: `${ATTACHMENTS_DIR}/${stored}`, sha256, bytes, original: sourcePath, modified };
      if (placeFile(tmp, target, false)) return { file, fresh: true };
      const existing = await hashFile(target).catch(() => null);
      if (existing && existing.sha256 === sha256) {
        await fs.promises.rm(tmp, { force: true });
        return { file, fresh: false };
      }
    }
    throw new Error('too many different files already stored under this name');
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw new LeakctlError(`could not store ${shown} in ${dir}: ${printable((e as Error).message)}`, EXIT.failure);
  }
}

