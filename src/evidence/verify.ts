/**
 * `leakctl verify` (SPEC section 4): the chain rules every reader enforces (chain.ts), and on top
 * of them every attachment the log names re-hashed, and optionally a head recorded earlier. It
 * reports; deciding the exit status (3 on a problem) is the command's job.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidInput } from '../ui/errors.js';
import { hashFile } from './attachments.js';
import { printable } from '../ui/text.js';
import { openChainFile, scanChain, CHAIN_START, type ChainLine, type ChainPosition, type ChainProblem, type ChainScan } from './chain.js';
import type { EvidenceEntry } from './entry.js';
import { checkCheckpoints, loadAllowedSigners, readCheckpointCopy, readCheckpoints, type SealedCheckpoint } from './checkpoints.js';
import { ChainsError, chainsGone, hashOfChains, joinedChainNames, mergeRead, readChain, type ReadChain } from './chains.js';
import { ATTACHMENTS_DIR, CHAINS_DIR, LOG_FILE } from './layout.js';
import { Replay, type IncidentState } from './state.js';

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
  /** Their paths, relative to the incident directory (what an export copies). */
  attachmentPaths: string[];
  /** Lines in the file, a torn last line included. */
  lines: number;
  /** With `head`: the line whose hash it is, when it is in the log. Entries after it were added later. */
  headLine?: number;
  /** A real incident with entries written on a clock set by hand (not a failure: a warning). */
  clockSetByHand?: { entries: number; first: number };
  /** Attachments named but not checked: a copy of a log without its attachments/ directory. */
  attachmentsNotChecked?: number;
  /** The sealed checkpoints beside the log that still hold, with who signed each (issue 16). */
  checkpoints?: SealedCheckpoint[];
}

export interface VerifyOptions {
  /** A head hash recorded earlier (e.g. the footer of a draft): proves nothing was cut since. */
  head?: string;
  /** Where the attachments the log names are looked for (the log file's own directory unless given). */
  dir?: string;
  /**
   * A copy of a log checked on its own (verify FILE): when no attachments/ directory is beside
   * it, the attachments are reported as not checked rather than missing.
   */
  copy?: boolean;
  /**
   * For a reader that needs some entries in the same pass (the report's custody, notices and
   * skips, issue 15): the entries of these types, and every answer that names files, decoded and
   * given to `seen` in order as the chain verifies them. When the log does not verify, what was
   * given is not to be used. A line of a collected type that is hash-valid but not an entry is
   * found here when it is decoded, where `leakctl verify` would find it only if it named files.
   */
  collect?: { readonly types: ReadonlySet<string>; readonly seen: (entry: EvidenceEntry) => void };
  /** The allowed_signers file checkpoint signatures are checked against (issue 16). */
  allowedSigners?: string;
  /** The timestamp authority's CA certificate the checkpoints' timestamp tokens are checked against. */
  tsaCa?: string;
  /** Checkpoints held elsewhere (`verify --checkpoint FILE`): absolute path, and the name to report. */
  checkpointCopies?: readonly { file: string; shown: string }[];
  /** The incident the checkpoints' origin must name; none for a copy checked on its own. */
  incident?: string;
  /** The time a signer's valid-after/valid-before is held against (the command's clock). */
  now?: Date;
  /** The other responders' chains, for the checkpoints' chain lines (issue 17): the hash of a chain's entry `size - 1`. */
  chainHash?: (writer: string, size: number) => string | undefined;
  /** The other chains are checked beside this log (verifyIncident): its `sees` are theirs to hold. */
  chainsBeside?: boolean;
  /** A responder's chain under chains/ (issue 17): its first entry is responder.joined, and the checkpoints are the opener's log's to check. */
  joined?: boolean;
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
      return (v as { path: string; sha256: string; bytes: number }[]).map((f) => ({ line, path: f.path, sha256: f.sha256, bytes: f.bytes }));
    }
  }
  return [];
}

async function checkAttachment(dir: string, ref: AttachmentRef): Promise<string | null> {
  const p = ref.path;
  const root = path.resolve(dir);
  const full = path.resolve(root, p);
  const parts = p.split('/');
  // A plain relative path, as leakctl writes one: no `..`, `.` or empty part (README, "Attachments").
  if (path.isAbsolute(p) || parts.some((part) => part === '' || part === '.' || part === '..') || !full.startsWith(root + path.sep)) {
    return `line ${ref.line}: attachment path ${JSON.stringify(p)} points outside the incident directory`;
  }
  // Each directory on the way and the file itself as they are: a link anywhere is refused, as
  // every writer refuses one in an incident.
  let st: fs.Stats | undefined;
  for (let k = 1; k <= parts.length; k++) {
    try {
      st = await fs.promises.lstat(path.join(root, ...parts.slice(0, k)));
    } catch {
      return `line ${ref.line}: attachment ${printable(p)} is missing`;
    }
    if (st.isSymbolicLink()) return `line ${ref.line}: attachment ${printable(p)}: ${printable(parts.slice(0, k).join('/'))} is a symbolic link`;
  }
  if (!st?.isFile()) return `line ${ref.line}: attachment ${p} is no longer a regular file`;
  const actual = await hashFile(full);
  if (actual.sha256 !== ref.sha256) {
    return `line ${ref.line}: attachment ${p} has changed (its sha256 is now ${actual.sha256}; the log recorded ${ref.sha256})`;
  }
  if (ref.bytes !== undefined && actual.bytes !== ref.bytes) {
    return `line ${ref.line}: attachment ${p} is ${actual.bytes} bytes; the log recorded ${ref.bytes}`;
  }
  return null;
}

const SHA256_KEY = Buffer.from('"sha256":', 'latin1');

/** The one wording of a log that does not verify: verify prints it, and every command that refuses the log. */
export function chainFailure(file: string, problem: ChainProblem): string {
  return `${problem.message}\n${doesNotVerify(file, problem.line - 1)}`;
}

/** The closing sentence of a failed verification. */
export function doesNotVerify(file: string, intact: number): string {
  return `${printable(file)}: the evidence log does not verify (${intact} entries intact before the first problem).`;
}

/**
 * Verifies the log `file`, whatever its name (an auditor checks a copy); attachments are looked
 * for relative to `dir` (the file's own directory unless given).
 */
export async function verifyLog(file: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  let want: Buffer | undefined;
  if (opts.head !== undefined) {
    const head = opts.head.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(head)) {
      throw new InvalidInput(`--head must be a SHA-256 hash (64 hex digits, as verify prints it); got ${JSON.stringify(opts.head)}`);
    }
    want = Buffer.from(head, 'latin1');
  }
  const dir = opts.dir ?? path.dirname(file);
  // The checkpoints beside the log (the hash of the last entry each sealed is noted on the way),
  // and whom they may be signed by: a broken allowed_signers file is the reader's to fix (exit 2).
  const checkpoints = readCheckpoints(dir);
  // Copies held elsewhere are checked like those beside the log; one that cannot be read is the reader's to fix (exit 2).
  for (const copy of opts.checkpointCopies ?? []) {
    const read = readCheckpointCopy(copy.file, copy.shown);
    if (typeof read === 'string') throw new InvalidInput(`--checkpoint: ${printable(read)}`);
    checkpoints.loaded.push(read);
  }
  const allowed = opts.allowedSigners === undefined ? undefined : loadAllowedSigners(opts.allowedSigners);
  if (typeof allowed === 'string') throw new InvalidInput(`${allowed}; fix it, or name another with --allowed-signers FILE`);
  const { fd, size } = openChainFile(file);
  let scan: ChainScan;
  let state: IncidentState | null;
  let problem: ChainProblem | null;
  let position: ChainPosition;
  let headLine: number | undefined;
  const refProblems: VerifyProblem[] = [];
  const refs = new Map<string, AttachmentRef>();
  const collect = opts.collect;
  const sealedSizes = new Set(checkpoints.loaded.map((c) => c.checkpoint.size));
  const hashAt = new Map<number, string>();
  const sealedEntries: { line: number; file: string }[] = [];
  const noteRefs = (e: EvidenceEntry, n: number): void => {
    const found = attachmentRefs(e, n);
    if (typeof found === 'string') refProblems.push({ line: n, message: found });
    else for (const r of found) if (!refs.has(`${r.path}\0${r.sha256}`)) refs.set(`${r.path}\0${r.sha256}`, r);
  };
  try {
    if (size === 0) throw new InvalidInput(`${file} is empty: there is nothing to verify (an incident that was never started has no entries)`);
    const replay = new Replay(path.basename(dir));
    let shaIn: Buffer | null = null;
    let shaAt = -1;
    scan = scanChain(
      fd,
      CHAIN_START,
      size,
      (line: ChainLine) => {
        replay.visit(line);
        if (want && headLine === undefined && line.buf.compare(want, 0, 64, line.end - 66, line.end - 2) === 0) headLine = line.line;
        // Decoded (a few lines only): whatever the line's layout, its hash member as written.
        if (sealedSizes.has(line.line)) hashAt.set(line.line, line.entry().hash);
        if (line.type === 'checkpoint.sealed') sealedEntries.push({ line: line.line, file: String(line.entry().data.checkpoint) });
        // Only entries that can name files are decoded: every evidence.attached, and a
        // step.answered whose line holds a `"sha256":` (an attachment step's answer); and those
        // a reader collects in the same pass.
        let files = line.type === 'evidence.attached';
        if (line.type === 'step.answered') {
          // The chunk is searched once for the next `"sha256":`, not once per line.
          if (shaIn !== line.buf || (shaAt !== -1 && shaAt < line.start)) {
            shaIn = line.buf;
            shaAt = line.buf.indexOf(SHA256_KEY, line.start);
          }
          files = shaAt !== -1 && shaAt < line.end;
        }
        const collected = collect !== undefined && (files || collect.types.has(line.type));
        if (!files && !collected) return;
        const entry = line.entry();
        if (files) noteRefs(entry, line.line);
        if (collected) collect.seen(entry);
      },
      {
        afterProblem: (entry, n) => {
          if (want && headLine === undefined && entry.hash === want.toString('latin1')) headLine = n;
          noteRefs(entry, n);
        },
        joined: opts.joined === true,
        chunk: replay.chunk,
      },
    );
    problem = scan.problem;
    position = scan.position;
    const finished = replay.finish(fd, scan.position);
    if ('problem' in finished) {
      // A hash-valid line that is not an entry, found when it was decoded at the end: the chain
      // is intact only up to the line before it.
      problem = finished.problem;
      position = scanChain(fd, CHAIN_START, finished.offset, () => undefined).position;
      state = null;
    } else {
      state = finished.state;
    }
    // An entry that had read other responders' chains, in a log with none beside it (issue 17).
    if (problem === null && replay.firstSees > 0 && !opts.joined && !opts.chainsBeside) problem = { line: replay.firstSees, message: chainsGone(replay.firstSees) };
  } finally {
    fs.closeSync(fd);
  }

  let attachments = 0;
  const attachmentPaths = [...new Set([...refs.values()].map((r) => r.path))];
  const unchecked = opts.copy === true && !fs.existsSync(path.join(dir, ATTACHMENTS_DIR)) ? refs.size : 0;
  if (unchecked > 0) refs.clear();
  for (const ref of refs.values()) {
    attachments += 1;
    const message = await checkAttachment(dir, ref);
    if (message) refProblems.push({ line: ref.line, message });
  }
  refProblems.sort((a, b) => a.line - b.line);

  const problems: VerifyProblem[] = [];
  if (problem) problems.push(problem);
  if (scan.tail) {
    problems.push({ line: scan.tail.line, message: `line ${scan.tail.line}: torn last line (a crash while writing?); the next leakctl command that writes to the incident sets it aside` });
  }
  problems.push(...refProblems);
  // Every checkpoint the log says was sealed must still be there; every one there must hold.
  const present = new Set(checkpoints.loaded.map((c) => c.file));
  for (const { line, file: named } of sealedEntries) {
    if (!present.has(named) && !checkpoints.problems.some((p) => p.startsWith(named))) problems.push({ line, message: `line ${line}: the checkpoint it sealed, ${named}, is missing` });
  }
  // A responder's chain names the checkpoints it sealed; they are checked once, with the opener's log.
  const held = opts.joined ? { loaded: [], problems: [] } : checkpoints;
  const checked = checkCheckpoints(held.loaded, { hashAt, entries: position.entries, ...(opts.incident !== undefined ? { incident: opts.incident } : {}), ...(opts.chainHash ? { chainHash: opts.chainHash } : {}) }, allowed, opts.now ?? new Date(), opts.tsaCa);
  for (const message of [...held.problems, ...checked.problems]) problems.push({ line: 0, message });
  if (want !== undefined && headLine === undefined) {
    problems.push({
      line: 0,
      message:
        `the given head ${want.toString('latin1')} is not in this log: entries were cut from its end ` +
        `(it now ends at line ${scan.lines}), or the hash belongs to another incident's log`,
    });
  }
  const report: VerifyReport = { ok: problems.length === 0, entries: position.entries, head: position.head, problems, attachments, attachmentPaths, lines: scan.lines };
  if (headLine !== undefined) report.headLine = headLine;
  if (state?.clockSetByHand) report.clockSetByHand = state.clockSetByHand;
  if (unchecked > 0) report.attachmentsNotChecked = unchecked;
  if (checked.sealed.length > 0) report.checkpoints = checked.sealed;
  return report;
}

/**
 * `leakctl verify` of an incident directory: its log, and with several responders (issue 17)
 * every chain under chains/ and every cross-link between them. Entries and head are then those of
 * the merged order, and `collect` is given the entries in that order once all of it verified.
 */
export async function verifyIncident(dir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  let names: string[];
  try {
    names = joinedChainNames(dir);
  } catch (error) {
    if (!(error instanceof ChainsError)) throw error;
    names = [];
    const report = await verifyLog(path.join(dir, LOG_FILE), opts);
    return { ...report, ok: false, problems: [...report.problems, { line: 0, message: error.message }] };
  }
  if (names.length === 0) return verifyLog(path.join(dir, LOG_FILE), opts);
  const { head, collect, ...rest } = opts;
  if (head !== undefined && !/^[0-9a-f]{64}$/.test(head.trim().toLowerCase())) {
    throw new InvalidInput(`--head must be a SHA-256 hash (64 hex digits, as verify prints it); got ${JSON.stringify(head)}`);
  }
  // The chains as they read, read once: for the checkpoints' chain lines, then the merge. One that
  // does not read (its lines, or its name) is reported below, once each chain has verified.
  const read: ReadChain[] = [];
  const unread: ChainsError[] = [];
  for (const name of names) {
    try {
      read.push(readChain(dir, name));
    } catch (error) {
      if (!(error instanceof ChainsError)) throw error;
      unread.push(error);
    }
  }
  const chainHash = hashOfChains(read);
  const main = await verifyLog(path.join(dir, LOG_FILE), { ...rest, dir, chainHash, chainsBeside: true });
  const problems: VerifyProblem[] = [...main.problems];
  const paths = new Set(main.attachmentPaths);
  let lines = main.lines;
  let intact = main.entries;
  for (const name of names) {
    const rel = `${CHAINS_DIR}/${name}`;
    // Created and not yet written (a crash before its first entry): a chain with no entries.
    if (fs.lstatSync(path.join(dir, rel), { throwIfNoEntry: false })?.size === 0) continue;
    const r = await verifyLog(path.join(dir, rel), { dir, joined: true, ...(opts.copy !== undefined ? { copy: opts.copy } : {}) });
    for (const p of r.problems) problems.push({ line: p.line, message: `${rel} ${p.message}` });
    for (const p of r.attachmentPaths) paths.add(p);
    lines += r.lines;
    intact += r.entries;
  }
  const report: VerifyReport = { ...main, ok: false, problems, attachmentPaths: [...paths], attachments: paths.size, lines, entries: intact };
  if (problems.length > 0) return report;
  let merged;
  try {
    if (unread[0]) throw unread[0];
    merged = mergeRead(path.basename(dir), [readChain(dir, null), ...read.filter((c) => c.entries.length > 0)]);
  } catch (error) {
    if (!(error instanceof ChainsError)) throw error;
    problems.push({ line: error.problem.line, message: error.problem.message });
    return report;
  }
  const order = merged.order.map((p) => merged.chains[p.chain]!.entries[p.seq]!);
  report.head = order.at(-1)?.hash ?? null;
  if (head !== undefined) {
    const want = head.trim().toLowerCase();
    const at = order.findIndex((e) => e.hash === want);
    if (at < 0) problems.push({ line: 0, message: `the given head ${want} is in none of this incident's chains: entries were cut from one, or the hash belongs to another incident` });
    else report.headLine = at + 1;
  }
  if (collect) for (const e of order) if (collect.types.has(e.type) || e.type === 'step.answered') collect.seen(e);
  if (merged.state.clockSetByHand) report.clockSetByHand = merged.state.clockSetByHand;
  report.ok = problems.length === 0;
  return report;
}
