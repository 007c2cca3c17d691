/**
 * The export bundle (issue 16): everything a third party needs to check an incident without
 * leakctl — the log, the attachments, the drafts, the checkpoints with their signatures and
 * timestamp tokens, the allowed_signers and TSA certificate they are checked against, an
 * independent verifier in Python, a SHA256SUMS of it all, and VERIFY.md, which gives the exact
 * commands. It is built under a temporary name beside its destination, checked there as `leakctl
 * verify` checks an incident, and only then put in place: a bundle that exists verifies.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashFile } from '../evidence/attachments.js';
import { FILE_MODE, fixFor, makePrivateDir, messageOf, placeFile, syncDir, tempPathFor } from '../evidence/durable.js';
import { ATTACHMENTS_DIR, CHECKPOINTS_DIR, DRAFTS_DIR } from '../evidence/layout.js';
import { verifyIncident, type VerifyReport } from '../evidence/verify.js';
import { EXIT, InvalidInput, LeakctlError } from '../ui/errors.js';
import { printable } from '../ui/text.js';
import { BUNDLE_FILES, verifyGuide } from './bundle-guide.js';
import type { EvidenceEntry } from '../evidence/entry.js';
import type { Incident } from './incident.js';

export interface BundleOptions {
  /** Where the bundle goes: a directory that does not exist yet, or a file ending in .tar.gz. */
  readonly target: string;
  readonly allowedSigners?: string;
  readonly tsaCa?: string;
  readonly now: Date;
  readonly version: string;
  /** The independent verifier shipped in the bundle (verifier/verify.py of the package). */
  readonly verifier: string;
}

export interface Bundle {
  readonly target: string;
  readonly archive: boolean;
  readonly files: number;
  readonly report: VerifyReport;
  /** Files in attachments/ that no entry names, and drafts that are not what the log recorded rendering: not exported. */
  readonly leftOut: readonly string[];
}

/** Whether a path names a gzipped tar archive rather than a directory. */
function isArchive(target: string): boolean {
  return /\.(tar\.gz|tgz)$/i.test(target);
}

/** Names that say an archive of another kind: written as a directory, they would mislead whoever receives them. */
const OTHER_ARCHIVE = /\.(zip|tar|tar\.(bz2|xz|zst)|tbz2?|txz|gz|bz2|xz|7z|rar)$/i;

/**
 * Exit 2 for a destination a bundle must not take, before anything is read: one that exists
 * (a link included, even a dangling one), or names an archive leakctl does not write.
 */
export function checkBundleTarget(target: string, given: string): void {
  if (!isArchive(target) && OTHER_ARCHIVE.test(target)) {
    throw new InvalidInput(`--bundle ${printable(given)}: leakctl writes a bundle as a .tar.gz (or .tgz) file or as a directory; name one ending in .tar.gz, or a directory`);
  }
  if (fs.lstatSync(target, { throwIfNoEntry: false })) throw new InvalidInput(`${printable(given)} already exists; a bundle is never written over anything. Name a new ${isArchive(target) ? 'file' : 'directory'}.`);
}

/** The bundle's top directory: the destination's own name, or the archive's without its extension. */
function rootName(target: string): string {
  return path.basename(target).replace(/\.(tar\.gz|tgz)$/i, '');
}

export async function writeBundle(incident: Incident, opts: BundleOptions): Promise<Bundle> {
  const archive = isArchive(opts.target);
  checkBundleTarget(opts.target, opts.target);
  const stage = tempPathFor(path.join(path.dirname(opts.target), rootName(opts.target)));
  try {
    makePrivateDir(stage);
    const inner = path.join(stage, incident.id);
    makePrivateDir(inner);
    incident.copyChainsTo(inner);
    for (const part of [ATTACHMENTS_DIR, DRAFTS_DIR, CHECKPOINTS_DIR]) copyTree(path.join(incident.dir, part), path.join(inner, part));
    if (opts.allowedSigners) copyInto(opts.allowedSigners, path.join(stage, BUNDLE_FILES.signers), 'allowed_signers');
    if (opts.tsaCa) copyInto(opts.tsaCa, path.join(stage, BUNDLE_FILES.tsaCa), 'tsa_ca');
    fs.copyFileSync(opts.verifier, path.join(stage, BUNDLE_FILES.verifier));
    fs.chmodSync(path.join(stage, BUNDLE_FILES.verifier), FILE_MODE);

    // The copy is checked as leakctl checks an incident: what goes out verifies.
    const sealed: { checkpoint: string; principal: string | undefined }[] = [];
    // What the log says each draft is: the SHA-256 of its latest rendering, followed where it was moved aside.
    const rendered = new Map<string, string>();
    const seen = (e: EvidenceEntry): void => {
      if (e.type === 'checkpoint.sealed') sealed.push({ checkpoint: String(e.data.checkpoint), principal: typeof e.data.principal === 'string' ? e.data.principal : undefined });
      else if (e.type === 'notice.rendered') rendered.set(String(e.data.file), String(e.data.sha256));
      else if (e.type === 'notice.withdrawn') {
        const sha = rendered.get(String(e.data.file));
        rendered.delete(String(e.data.file));
        if (sha !== undefined) rendered.set(String(e.data.moved_to), sha);
      }
    };
    const report = await verifyIncident(inner, {
      incident: incident.id,
      now: opts.now,
      ...(opts.allowedSigners ? { allowedSigners: path.join(stage, BUNDLE_FILES.signers) } : {}),
      ...(opts.tsaCa ? { tsaCa: path.join(stage, BUNDLE_FILES.tsaCa) } : {}),
      collect: { types: new Set(['checkpoint.sealed', 'notice.rendered', 'notice.withdrawn']), seen },
    });
    if (!report.ok) {
      throw new LeakctlError(
        `the copy of incident ${incident.id} does not verify, so no bundle was written:\n${report.problems.map((p) => `  ${printable(p.message)}`).join('\n')}\nRun leakctl verify ${incident.id} to see what changed.`,
        EXIT.checkFailed,
      );
    }
    // Only what the log vouches for goes out: the attachments it names, and the drafts that are,
    // byte for byte, what it recorded rendering (one edited since is vouched for by nothing).
    const named = new Set(report.attachmentPaths);
    const attachments = await keepVouched(inner, ATTACHMENTS_DIR, async (file) => named.has(file));
    const drafts = await keepVouched(inner, DRAFTS_DIR, async (file) => rendered.get(file) === (await hashFile(path.join(inner, file))).sha256);
    const leftOut = [...attachments.leftOut, ...drafts.leftOut];
    const guide = verifyGuide({
      id: incident.id,
      version: opts.version,
      exportedAt: opts.now,
      report,
      sealed,
      tokens: listFiles(path.join(inner, CHECKPOINTS_DIR)).filter((f) => f.endsWith('.tsr')).map((f) => `${CHECKPOINTS_DIR}/${f}`),
      drafts: drafts.kept,
      allowedSigners: opts.allowedSigners !== undefined,
      tsaCa: opts.tsaCa !== undefined,
    });
    fs.writeFileSync(path.join(stage, BUNDLE_FILES.guide), guide, { mode: FILE_MODE });
    const files = await writeSums(stage);
    if (archive) await packArchive(stage, opts.target);
    else {
      syncTree(stage);
      // The name is claimed first (mkdir fails if anything took it meanwhile); the staged
      // directory then replaces that empty one in a single rename.
      try {
        fs.mkdirSync(opts.target);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new InvalidInput(`${printable(opts.target)} appeared while the bundle was written; nothing was written over it. Name a new directory.`);
        throw e;
      }
      try {
        fs.renameSync(stage, opts.target);
      } catch (e) {
        // The claimed name is given back: nothing is left behind.
        fs.rmdirSync(opts.target);
        throw e;
      }
      syncDir(path.dirname(opts.target));
    }
    return { target: opts.target, archive, files, report, leftOut };
  } catch (e) {
    if (e instanceof LeakctlError) throw e;
    throw new LeakctlError(`could not write the bundle ${printable(opts.target)}: ${messageOf(e)}. ${fixFor(e, opts.target)}. Nothing was left behind.`, EXIT.failure);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * Removes from `root`/`part` (recursively) every file `vouched` does not hold for (given its path
 * relative to `root`, as the log names it): how many stayed, and which were left out.
 */
async function keepVouched(root: string, part: string, vouched: (file: string) => Promise<boolean>): Promise<{ kept: number; leftOut: string[] }> {
  if (!fs.existsSync(path.join(root, part))) return { kept: 0, leftOut: [] };
  const leftOut: string[] = [];
  const files = walk(path.join(root, part)).map((rel) => `${part}/${rel}`);
  for (const file of files) {
    if (await vouched(file)) continue;
    fs.rmSync(path.join(root, file));
    leftOut.push(file);
  }
  return { kept: files.length - leftOut.length, leftOut };
}

/** The regular files of a directory, sorted; none when it is missing. */
function listFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * The regular files of an incident's part, copied (recursively): temporary files of a write in
 * progress (names starting with a dot) are left out, and a link of any kind is refused, as every
 * writer refuses it in an incident.
 */
function copyTree(from: string, to: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(from, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  makePrivateDir(to);
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) copyTree(source, path.join(to, entry.name));
    else if (entry.isFile()) {
      fs.copyFileSync(source, path.join(to, entry.name), fs.constants.COPYFILE_EXCL);
      fs.chmodSync(path.join(to, entry.name), FILE_MODE);
    } else throw new InvalidInput(`${printable(source)} is not a regular file; an incident holds only files. Put the file itself in its place, then export again.`);
  }
}

function copyInto(from: string, to: string, what: string): void {
  try {
    fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
  } catch (e) {
    throw new InvalidInput(`the ${what} file ${printable(from)} (leakctl.config.yaml) cannot be read: ${messageOf(e)}. Fix the path, then export again.`);
  }
  fs.chmodSync(to, FILE_MODE);
}

/** Every file under `root`, relative with forward slashes, sorted. */
function walk(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const name = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...walk(root, name));
    else out.push(name);
  }
  return out.sort();
}

/**
 * SHA256SUMS in the form `sha256sum -c` reads: hash, two spaces, the path. A name holding a
 * backslash or a newline is written as sha256sum writes it: the line starts with a backslash and
 * those two characters are escaped.
 */
async function writeSums(stage: string): Promise<number> {
  const files = walk(stage);
  let text = '';
  for (const rel of files) {
    const { sha256 } = await hashFile(path.join(stage, rel));
    text += /[\\\n]/.test(rel) ? `\\${sha256}  ${rel.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n` : `${sha256}  ${rel}\n`;
  }
  fs.writeFileSync(path.join(stage, BUNDLE_FILES.sums), text, { mode: FILE_MODE });
  return files.length + 1;
}

/** Flushes every file and directory of a tree, so that the rename that publishes it publishes its content. */
function syncTree(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) syncTree(full);
    else {
      const fd = fs.openSync(full, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
  }
  syncDir(dir);
}

/** The staged tree as a .tar.gz whose one top directory is the archive's own name, written under a temporary name and renamed. */
async function packArchive(stage: string, target: string): Promise<void> {
  const { create } = await import('tar');
  const temp = tempPathFor(target);
  try {
    // Made first, private: tar writes into it and keeps its mode.
    fs.closeSync(fs.openSync(temp, 'wx', FILE_MODE));
    await create({ gzip: true, file: temp, cwd: stage, portable: true, prefix: rootName(target) }, fs.readdirSync(stage).sort());
    const fd = fs.openSync(temp, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (!placeFile(temp, target, false)) throw new InvalidInput(`${printable(target)} appeared while the bundle was written; nothing was written over it. Name a new file.`);
    syncDir(path.dirname(target));
  } catch (e) {
    fs.rmSync(temp, { force: true });
    throw e;
  }
}
