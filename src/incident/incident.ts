/**
 * The one door into an incident (issue 8). Every command reaches an incident through
 * `Incident.create` or `Incident.open`; `record()` is the only way anything is appended to its
 * log, and drafts and attachments are written through it too. Nothing else writes inside an
 * incident directory, and nothing reads its log but through the chain rules (evidence/chain.ts).
 *
 * - Open verifies the whole chain and replays it in one pass; a log that breaks a rule is refused
 *   with exit 3 and the message `verify` prints, and nothing is written.
 * - The lock is held for the moment of a write, never while a person is thinking: `record()`
 *   takes it, reads what other processes appended since this one last looked (so a session that
 *   waits hours at a prompt stays in step), appends with fsync, applies the entry, releases.
 * - Time only moves forward: an entry is never dated before the one it follows.
 * - Creation is atomic: the directory is built under a temporary name, its first entry written
 *   and flushed, and only then renamed into place. No one sees a started incident without it.
 *
 * An incident has chains (today one, `evidence.jsonl`; issue 14 adds one per responder): this
 * class is the only code that knows how many.
 */
import { hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyAttachment, type AttachedFile, type StoredAttachment } from '../evidence/attachments.js';
import { atKey, CHAIN_START, NoLogFile, openChainFile, scanChain, type ChainLine, type ChainPosition, type ChainVisitor, type ChainProblem, type ChainScan, type TornTail } from '../evidence/chain.js';
import { createDirAtomically, errno, FILE_MODE, fileKind, fixFor, makePrivateDir, messageOf, removeStaleTemps, syncDir, writeAll, writeFileDurably, writeFilesDurably } from '../evidence/durable.js';
import { formatAt, hashOf, serialiseEntry, type EntryType, type EvidenceEntry } from '../evidence/entry.js';
import { ATTACHMENTS_DIR, CHAINS_DIR, CHECKPOINTS_DIR, DRAFTS_DIR, LOG_FILE } from '../evidence/layout.js';
import { ChainsError, chainPath, chainsGone, hashOfChains, joinedChainNames, linesOf, readAllChains, SEES, type MergedChains, type ReadChain } from '../evidence/chains.js';
import { acquireLock } from '../evidence/lock.js';
import { ChainAppender, setAsideTail, type LogIo } from '../evidence/log.js';
import { applyEntry, CLOCK_MARK, CLOCK_SET_BY_HAND, emptyState, Replay, type IncidentState } from '../evidence/state.js';
import { headProblem, readCheckpoints } from '../evidence/checkpoints.js';
import { chainFailure, verifyIncident, type VerifyOptions, type VerifyReport } from '../evidence/verify.js';
import { EXIT, InvalidInput, LeakctlError } from '../ui/errors.js';
import { printable } from '../ui/text.js';
import type { Clock } from './clock.js';
import { checkIncidentId } from './locate.js';

/** Who writes, and by which clock: given when an incident is opened for writing. */
export interface Writer {
  readonly actor: string;
  readonly clock: Clock;
  /**
   * The chain this copy writes (issue 17): the opener's log when it is the one that opened the
   * incident, else `chains/<chain>.jsonl`. Absent: the opener's log.
   */
  readonly chain?: string;
}

/** What `incident.opened` records besides the responder. */
export interface Opening {
  readonly playbook: { id: string; title: string; version?: string; sha256: string; file: string; regimes_sha256?: string };
  readonly drill: boolean;
  /** Who signs the notices, when the person said so at the start (the config's, if any, comes first). */
  readonly signatory?: { readonly name: string; readonly role?: string };
}

export interface OpenParams {
  readonly incidentsDir: string;
  readonly id: string;
  /**
   * Absent: read only; record() refuses. A function decides once the log is replayed (a resumed
   * drill continues its simulated time from the last entry).
   */
  readonly writer?: Writer | ((state: IncidentState) => Writer);
  /** Messages for the person at the terminal (stderr): a torn line set aside, a lock waited for. */
  readonly warn?: (text: string) => void;
  /** Tests replace the log's write and fsync to fail on cue. */
  readonly io?: Partial<LogIo>;
}

/** A draft to write into `drafts/` and log as `notice.rendered`. */
export interface DraftFile {
  readonly template: string;
  /** The file's name without its format, when not the template's id (one draft per host). */
  readonly name?: string;
  readonly format: string;
  readonly text: string;
}

/** A draft no longer due, and why. */
export interface WithdrawnDraft {
  readonly template: string;
  /** As logged: `drafts/<name>.<format>`. */
  readonly file: string;
  readonly reason: string;
}

/** Where withdrawn drafts are kept, inside `drafts/`. */
const WITHDRAWN_DIR = 'withdrawn';

export interface WrittenDraft {
  readonly template: string;
  /** Relative to the incident directory. */
  readonly file: string;
  readonly sha256: string;
}

/** The entries that say where a step stands: answered, skipped, not yet, won't do. */
const STEP_TYPES: ReadonlySet<string> = new Set(['step.answered', 'step.skipped', 'step.deferred', 'step.declined']);

/** A moment behind the log's last entry that a real clock is forgiven (two processes' reads of the time). */
const REAL_CLOCK_SKEW_MS = 2000;
/** The part of a log a reader holds at once when it hands out every entry. */
const SLICE_BYTES = 1024 * 1024;

/**
 * An incident's directory and log, after the checks every reader makes of the place itself: the
 * id cannot leave the incidents directory, and the incident is a real directory, not a link out
 * of it. Shared with `verify ID`, which checks a log without opening the incident.
 */
export function incidentPlace(incidentsDir: string, id: string): { dir: string; file: string } {
  const dir = path.join(incidentsDir, checkIncidentId(id));
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch {
    throw new InvalidInput(`no incident "${id}" in ${incidentsDir}; \`leakctl status\` lists the incidents there (or pass --dir)`);
  }
  if (!st.isDirectory()) {
    throw new InvalidInput(`${dir} is ${fileKind(st) ?? 'a file'}, not an incident directory; leakctl does not follow links out of the incidents directory ${incidentsDir}`);
  }
  return { dir, file: path.join(dir, LOG_FILE) };
}

export class Incident {
  readonly id: string;
  readonly dir: string;
  readonly logFile: string;
  /** The replayed state, kept in step with the log by every record() and refresh(). */
  readonly state: IncidentState;
  private position: ChainPosition;
  private readonly writer: Writer | undefined;
  private readonly warn: (text: string) => void;
  private readonly appender: ChainAppender;
  private queue: Promise<unknown> = Promise.resolve();
  /** The inode at the log's path when this door last read it under the lock. */
  private ino: number | undefined;
  /** Entries other processes appended that refresh() has not handed out yet (record() catches up too). */
  private unseen: EvidenceEntry[] = [];
  /**
   * With more than one chain (issue 17): every chain as last read and merged, and each chain
   * file's size then (relative path → bytes), to tell whether anyone has written since. Null
   * while the incident has only the opener's log.
   */
  private merged: MergedChains | null = null;
  private sizes = new Map<string, number>();
  /** My chain, relative to the incident: the opener's log, or `chains/<me>.jsonl`. */
  private readonly mine: string;
  /** The heads of the other chains my last entry says it had seen (JSON, keys in order): written again only when they change. */
  private mySees = '{}';
  /** The chain (other than the opener's) each entry handed out by entries() came from. */
  private readonly writtenIn = new WeakMap<EvidenceEntry, string>();

  private constructor(dir: string, state: IncidentState, position: ChainPosition, params: OpenParams, merged: MergedChains | null = null) {
    this.id = params.id;
    this.dir = dir;
    this.logFile = path.join(dir, LOG_FILE);
    this.state = state;
    this.position = position;
    this.writer = typeof params.writer === 'function' ? params.writer(state) : params.writer;
    this.warn = params.warn ?? (() => undefined);
    // An incident from before issue 17 (no writer named at its opening) keeps one log.
    const me = this.writer?.chain;
    const opener = state.opened?.writer;
    this.mine = me === undefined || opener === undefined || me === opener ? LOG_FILE : chainPath(me);
    this.appender = new ChainAppender(path.join(dir, this.mine), params.id, params.io);
    if (merged) this.useMerged(merged);
    else if (this.mine !== LOG_FILE) this.position = CHAIN_START;
  }

  /** Whether this door reads the incident as several chains: it has them, or I am about to start mine. */
  private get several(): boolean {
    return this.merged !== null || this.mine !== LOG_FILE || joinedChainNames(this.dir).length > 0;
  }

  get drill(): boolean {
    return this.state.opened?.drill === true;
  }

  /**
   * Where this copy writes its drafts, relative to the incident: `drafts/`, or with several
   * copies (issue 17) `drafts/<chain>/` for every copy but the opener's, so that two copies
   * rendering one notice never write one file.
   */
  get draftsDir(): string {
    if (this.mine === LOG_FILE) return DRAFTS_DIR;
    const chain = this.writer!.chain!;
    return `${DRAFTS_DIR}/${chain === WITHDRAWN_DIR ? `${chain}-copy` : chain}`;
  }

  /** The chain this door writes (issue 17), when opened for writing by a copy that names one. */
  get chain(): string | undefined {
    return this.writer?.chain;
  }

  /** Who this door records as (opened for writing). */
  get actor(): string | undefined {
    return this.writer?.actor;
  }

  /** The clock this door records by (opened for writing), the one a Run asks too. */
  get clock(): Clock | undefined {
    return this.writer?.clock;
  }

  /**
   * Opens an existing incident: checks the id and that the log is a regular file inside its
   * directory, verifies the whole chain and replays it. Exit 2 when there is no such incident or
   * it was never started; exit 3 when the log does not verify.
   */
  static async open(params: OpenParams): Promise<Incident> {
    const { dir, file } = incidentPlace(params.incidentsDir, params.id);
    let opened: { fd: number; size: number };
    try {
      opened = openChainFile(file);
    } catch (error) {
      if (error instanceof NoLogFile) throw neverStarted(params.id, dir, 'it has no evidence log');
      throw error;
    }
    const { fd, size } = opened;
    try {
      if (size === 0) throw neverStarted(params.id, dir, 'its evidence log is empty');
      const replay = new Replay(params.id);
      // The checkpoints sealed so far: the log must still lead to each (issue 16). The hash at
      // each sealed size is noted on the way; a log rewritten after a seal, every hash
      // recomputed, is refused here by every command, not only by verify.
      const { loaded } = readCheckpoints(dir);
      const sealedSizes = new Set(loaded.map((c) => c.checkpoint.size));
      const hashAt = new Map<number, string>();
      const visit: ChainVisitor =
        sealedSizes.size === 0
          ? replay.visit
          : (line) => {
              replay.visit(line);
              if (sealedSizes.has(line.line)) hashAt.set(line.line, line.entry().hash);
            };
      const scan = scanChain(fd, CHAIN_START, size, visit, { chunk: replay.chunk });
      if (scan.problem) throw refused(file, params.id, scan.problem);
      if (scan.position.entries === 0) throw neverStarted(params.id, dir, 'its evidence log has no complete entry (a start cut off while writing it)');
      const finished = replay.finish(fd, scan.position);
      if ('problem' in finished) throw refused(file, params.id, finished.problem);
      // More than one responder's chain (issue 17): every chain verified, the cross-links
      // checked, and the state replayed in their merged order.
      const merged = readChainsOrRefuse(params.id, dir, false);
      if (merged === null && replay.firstSees > 0) throw refused(file, params.id, { line: replay.firstSees, message: chainsGone(replay.firstSees) });
      const chainHash = hashOfChains(merged?.chains ?? []);
      for (const c of loaded) {
        const problem = headProblem(c.file, c.checkpoint, { hashAt, entries: scan.position.entries, incident: params.id, chainHash });
        if (problem !== null) throw new LeakctlError(`${problem}.\n${printable(file)}: the evidence log no longer matches what was sealed. Nothing was written. \`leakctl verify ${params.id}\` shows the same.`, EXIT.checkFailed);
      }
      const incident = new Incident(dir, merged?.state ?? finished.state, scan.position, params, merged);
      if (incident.writer) {
        refuseLinkedParts(dir);
        // git keeps no empty directory: a copy received by sync may lack them.
        for (const part of [ATTACHMENTS_DIR, DRAFTS_DIR]) makePrivateDir(path.join(dir, part));
        removeStaleTemps(dir);
      }
      if (scan.tail) incident.warnTorn(scan.tail);
      incident.checkClock();
      return incident;
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * Creates an incident with its first entry, atomically: the directory is built and flushed
   * under a temporary name, then renamed into place. Exit 2 when the id is taken.
   */
  static async create(params: OpenParams & { readonly writer: Writer; readonly opening: Opening }): Promise<Incident> {
    const { incidentsDir, id, writer } = params;
    const dir = path.join(incidentsDir, checkIncidentId(id));
    try {
      makePrivateDir(incidentsDir);
    } catch (e) {
      throw new LeakctlError(`could not create the incidents directory ${incidentsDir}: ${messageOf(e)}. ${fixFor(e, incidentsDir)}.`, EXIT.failure);
    }
    refuseTaken(dir, id);
    removeStaleTemps(incidentsDir);
    const data: Record<string, unknown> = { playbook: params.opening.playbook, drill: params.opening.drill, responder: writer.actor };
    if (params.opening.signatory) data.signatory = params.opening.signatory;
    if (writer.chain !== undefined) data.writer = writer.chain;
    if (!params.opening.drill && writer.clock.setByHand) data[CLOCK_MARK] = CLOCK_SET_BY_HAND;
    const unhashed = { seq: 0, at: formatAt(writer.clock.now()), type: 'incident.opened' as const, actor: writer.actor, data, prev: null };
    const entry: EvidenceEntry = { ...unhashed, hash: hashOf(unhashed) };
    const line = `${serialiseEntry(entry)}\n`;

    try {
      createDirAtomically(dir, (temp) => {
        makePrivateDir(path.join(temp, ATTACHMENTS_DIR));
        makePrivateDir(path.join(temp, DRAFTS_DIR));
        writeFileDurably(path.join(temp, LOG_FILE), line);
      });
    } catch (e) {
      // Someone else's start with the same id won the rename: say what is there now.
      if (errno(e) === 'ENOTEMPTY' || errno(e) === 'EEXIST' || errno(e) === 'ENOTDIR') refuseTaken(dir, id);
      throw new LeakctlError(`could not create the incident directory ${dir}: ${messageOf(e)}. ${fixFor(e, incidentsDir)}; nothing was created.`, EXIT.failure);
    }
    const state = emptyState(id);
    applyEntry(state, entry);
    const position = { offset: Buffer.byteLength(line), entries: 1, head: entry.hash, lastAt: entry.at, lastAtKey: atKey(entry.at), closed: false };
    return new Incident(dir, state, position, params);
  }

  /**
   * Appends one entry: lock, catch up with what others appended, check the incident is open and
   * the time does not go back, append with fsync, apply to the state, release. Returns the entry.
   */
  record(type: EntryType, data: Record<string, unknown>): Promise<EvidenceEntry> {
    return this.locked(() => this.append(type, data, this.timeForNext()));
  }

  /**
   * Catches up with entries other processes appended and returns those not returned before,
   * including the ones a record() caught up with: what a session shows at its next prompt ("note
   * added by lee: …"). When the log has grown, it is read under the lock, so that an entry whose
   * writer then takes it back (a failed fsync) is never seen.
   */
  refresh(): Promise<EvidenceEntry[]> {
    return this.serial(async () => {
      if (this.grown()) await this.underLock(() => undefined);
      const added = this.unseen;
      this.unseen = [];
      return added;
    });
  }

  /**
   * Copies evidence files into `attachments/` (hashed on the way, before the lock is taken: a
   * large file takes a while), then records the entry `entry` makes of them. When the entry
   * cannot be recorded, the copies this call made are removed again: nothing is left that the
   * log does not name.
   */
  async recordFiles(sources: readonly string[], entry: (files: AttachedFile[]) => { type: EntryType; data: Record<string, unknown> }): Promise<{ entry: EvidenceEntry; files: AttachedFile[] }> {
    await this.refresh();
    this.refuseClosed();
    const stored: StoredAttachment[] = [];
    try {
      for (const source of sources) stored.push(await copyAttachment(this.dir, source));
      const files = stored.map((s) => s.file);
      const { type, data } = entry(files);
      return { entry: await this.record(type, data), files };
    } catch (error) {
      for (const s of stored) if (s.fresh) fs.rmSync(path.join(this.dir, s.file.path), { force: true });
      throw error;
    }
  }

  /**
   * Writes drafts into `drafts/` (durably: a crash never leaves half a notice) and logs each as
   * `notice.rendered`, all under one hold of the lock, so that a draft and its entry agree. What
   * would refuse the entries (a closed incident, a clock behind the log) is checked before any
   * file is replaced.
   */
  recordDrafts(drafts: readonly DraftFile[], withdrawn: readonly WithdrawnDraft[] = []): Promise<WrittenDraft[]> {
    return this.locked(async () => {
      const at = this.timeForNext();
      const dir = path.join(this.dir, this.draftsDir);
      if (this.draftsDir !== DRAFTS_DIR) {
        makePrivateDir(dir);
        if (!fs.lstatSync(dir).isDirectory()) throw new InvalidInput(`${dir} is not a directory of the incident; leakctl writes drafts only inside the incident. Make it a directory again.`);
      }
      removeStaleTemps(dir);
      // A draft no longer due (a takedown for a host no longer listed) is moved aside, never
      // deleted, and logged, so that nobody sends it by mistake and nothing written is lost.
      if (withdrawn.length > 0) {
        const aside = path.join(dir, WITHDRAWN_DIR);
        makePrivateDir(aside);
        for (const draft of withdrawn) {
          const from = path.join(this.dir, draft.file);
          const to = path.join(aside, path.basename(draft.file));
          // A regular file only: a link put in its place is not followed, and a file already gone is still logged.
          if (fs.lstatSync(from, { throwIfNoEntry: false })?.isFile()) fs.renameSync(from, to);
          this.append('notice.withdrawn', { template: draft.template, file: draft.file, moved_to: `${this.draftsDir}/${WITHDRAWN_DIR}/${path.basename(draft.file)}`, reason: draft.reason }, at);
        }
        syncDir(aside);
        syncDir(dir);
      }
      const files = drafts.map((draft) => ({ name: `${draft.name ?? draft.template}.${draft.format}`, data: draft.text }));
      try {
        writeFilesDurably(dir, files);
      } catch (e) {
        const failed = (e as { failed?: string }).failed ?? dir;
        const replaced = (e as { replaced?: string[] }).replaced ?? [];
        throw new LeakctlError(
          `could not write the draft ${failed}: ${messageOf(e)}. ${fixFor(e, failed)}, then run \`leakctl render ${this.id}\` again. ` +
            (replaced.length === 0 ? 'No draft was changed.' : `Already replaced, and not yet logged: ${replaced.join(', ')}.`),
          EXIT.failure,
        );
      }
      return drafts.map((draft, i) => {
        const file = `${this.draftsDir}/${files[i]!.name}`;
        const sha256 = hash('sha256', draft.text, 'hex');
        this.append('notice.rendered', { template: draft.template, file, sha256 }, at);
        return { template: draft.template, file, sha256 };
      });
    });
  }

  /**
   * Every entry of the log, verified again on the way (the file may have changed since it was
   * opened), a slice at a time: a consumer that waits (a slow pipe) holds memory flat.
   */
  async *entries(): AsyncGenerator<EvidenceEntry> {
    for await (const batch of this.slices((line) => line.entry())) yield* batch;
  }

  /**
   * A signed checkpoint (issue 16): its text and signature written durably into `checkpoints/`
   * under names of its own (never replacing one), then logged as `checkpoint.sealed`, under one
   * hold of the lock. The checkpoint names a prefix of the log, so entries added since it was
   * made do not make it wrong. A closed log takes no entry after its closing one: its checkpoint
   * (the one that covers the closing entry) is written and not logged; returns null then.
   */
  recordCheckpoint(name: string, text: string, signature: string, data: Record<string, unknown>, token?: Buffer): Promise<EvidenceEntry | null> {
    return this.locked(() => {
      const closed = this.state.closed !== undefined;
      const at = closed ? undefined : this.timeForNext();
      const dir = path.join(this.dir, CHECKPOINTS_DIR);
      makePrivateDir(dir);
      removeStaleTemps(dir);
      const files = [`${name}.checkpoint`, `${name}.checkpoint.sig`, ...(token ? [`${name}.checkpoint.tsr`] : [])];
      for (const file of files) {
        if (fs.existsSync(path.join(dir, file))) throw new InvalidInput(`${CHECKPOINTS_DIR}/${file} already exists in incident ${this.id}: this checkpoint was sealed already; leakctl verify ${this.id} checks it`);
      }
      try {
        writeFilesDurably(dir, [
          { name: files[0]!, data: text },
          { name: files[1]!, data: signature },
          ...(token ? [{ name: files[2]!, data: token }] : []),
        ]);
      } catch (e) {
        throw new LeakctlError(`could not write the checkpoint into ${dir}: ${messageOf(e)}. ${fixFor(e, dir)}, then run leakctl seal ${this.id} again. Nothing was logged.`, EXIT.failure);
      }
      return at === undefined ? null : this.append('checkpoint.sealed', { checkpoint: `${CHECKPOINTS_DIR}/${files[0]}`, signature: `${CHECKPOINTS_DIR}/${files[1]}`, ...(token ? { timestamp: `${CHECKPOINTS_DIR}/${files[2]}` } : {}), ...data }, at);
    });
  }

  /**
   * What `leakctl verify` says of the log now: the chain again, and every attachment re-hashed;
   * `collect` hands a reader the entries it needs from the same pass (the report, issue 15).
   */
  verify(collect?: VerifyOptions['collect'], checks: Pick<VerifyOptions, 'allowedSigners' | 'tsaCa' | 'now'> = {}): Promise<VerifyReport> {
    return verifyIncident(this.dir, { incident: this.id, ...checks, ...(collect ? { collect } : {}) });
  }

  /**
   * Copies every chain as this door verified it (the bytes up to its last entry, a torn tail left
   * out) into the new directory `targetDir`, under the same names, flushed: the export bundle's
   * copy (issue 16; with several responders, issue 17, their chains/ too).
   */
  copyChainsTo(targetDir: string): void {
    if (!this.merged) {
      copyPrefix(this.logFile, path.join(targetDir, LOG_FILE), this.position.offset);
      return;
    }
    for (const c of this.chainsNow()) {
      if (c.position.entries === 0) continue;
      if (c.writer !== null) makePrivateDir(path.join(targetDir, CHAINS_DIR));
      copyPrefix(path.join(this.dir, c.rel), path.join(targetDir, c.rel), c.position.offset);
    }
  }

  /**
   * Every chain as this door stands in it: the others as last read, my own where I last wrote
   * (begun by this door, it is not among those read).
   */
  private chainsNow(): { writer: string | null; rel: string; position: ChainPosition }[] {
    const out = (this.merged?.chains ?? []).map((c) => ({ writer: c.joined ? c.key : null, rel: c.rel, position: c.rel === this.mine ? this.position : c.position }));
    if (!out.some((c) => c.rel === this.mine)) out.push({ writer: this.mine === LOG_FILE ? null : this.writer!.chain!, rel: this.mine, position: this.position });
    return out;
  }

  /** The entries of the given types, in order (verified like entries(); only those are decoded). */
  async *entriesOfType(types: ReadonlySet<string>): AsyncGenerator<EvidenceEntry> {
    for await (const batch of this.slices((line) => (types.has(line.type) ? line.entry() : null))) for (const e of batch) if (e) yield e;
  }

  /** Every line of the log as written (verified like entries()), for tools that want the raw JSON. */
  async *lines(): AsyncGenerator<string> {
    for await (const batch of this.slices((line) => line.buf.toString('utf8', line.start, line.end))) yield* batch;
  }

  /**
   * Where each chain stands, as a checkpoint seals it (issue 17): the opener's log first (writer
   * null), then every other responder's chain that has entries, by writer.
   */
  chainHeads(): { writer: string | null; entries: number; head: string }[] {
    if (!this.merged) return this.state.head === null ? [] : [{ writer: null, entries: this.state.entries, head: this.state.head }];
    return this.chainsNow()
      .map((c) => ({ writer: c.writer, entries: c.position.entries, head: c.position.head! }))
      .filter((c) => c.entries > 0)
      .sort((a, b) => (a.writer === null ? -1 : b.writer === null ? 1 : a.writer < b.writer ? -1 : 1));
  }

  /**
   * How messages name an entry handed out by entries(): `#N` in the opener's log, `W#N` in the
   * chain of W (issue 17: with several chains, numbers repeat).
   */
  entryName(entry: EvidenceEntry): string {
    const writer = this.writtenIn.get(entry);
    return writer === undefined ? `#${entry.seq}` : `${writer}#${entry.seq}`;
  }

  /** Exit 2 when the incident is closed: its log is read-only. */
  refuseClosed(): void {
    const closed = this.state.closed;
    if (!closed) return;
    throw new InvalidInput(
      `incident ${this.id} was closed by ${printable(closed.actor)} at ${closed.at.toISOString()}; its log is read-only. ` +
        `Add what came later to a new incident (leakctl start), or read this one with leakctl status ${this.id} and leakctl log ${this.id}.`,
    );
  }

  /** Releases the log's descriptor. The incident can be opened again. */
  close(): void {
    this.appender.close();
  }

  private async *slices<T>(take: (line: ChainLine) => T): AsyncGenerator<T[]> {
    if (this.several) {
      // Several chains: all read and verified again, handed out in their merged order.
      const merged = readChainsOrRefuse(this.id, this.dir, true)!;
      let batch: T[] = [];
      const raw = new Map<ReadChain, string[]>();
      for (const p of merged.order) {
        const c = merged.chains[p.chain]!;
        if (!raw.has(c)) raw.set(c, linesOf(c));
        if (c.joined) this.writtenIn.set(c.entries[p.seq]!, c.key);
        batch.push(take(lineOf(c, p.seq, raw.get(c)![p.seq]!)));
        if (batch.length === 1000) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
      return;
    }
    let position = CHAIN_START;
    const buffer = { bytes: Buffer.allocUnsafe(SLICE_BYTES) };
    let window = SLICE_BYTES;
    for (;;) {
      const { fd, size } = openChainFile(this.logFile);
      const batch: T[] = [];
      let scan: ChainScan;
      try {
        scan = scanChain(fd, position, Math.min(size, position.offset + window), (line) => void batch.push(take(line)), { buffer });
      } finally {
        fs.closeSync(fd);
      }
      if (scan.problem) throw refused(this.logFile, this.id, scan.problem);
      if (batch.length > 0) yield batch;
      const end = scan.position.offset + (scan.tail?.bytes ?? 0);
      if (end >= size) return;
      // A line longer than the window: widen it until the line fits, rather than stop short.
      window = scan.position.offset > position.offset ? SLICE_BYTES : window * 2;
      position = scan.position;
    }
  }

  private append(type: EntryType, data: Record<string, unknown>, at: Date): EvidenceEntry {
    const writer = this.writer!;
    if (this.mine !== LOG_FILE && this.position.entries === 0) this.join(at);
    // What I had read of the others' chains, when it changed since my last entry said (issue 17);
    // before the clock mark, which stays last.
    // An answer to a step others answered differently, given having read them all, settles it
    // and says which answers it settles (issue 17).
    const step = STEP_TYPES.has(type) ? String(data.step) : undefined;
    const settles = step === undefined ? undefined : this.state.conflicts.find((c) => c.step === step);
    const settling = settles ? { ...data, resolves: settles.positions.map((p) => ({ chain: p.chain, seq: p.seq })) } : data;
    const sees = this.seesNow();
    const linked = sees !== null && sees.json !== this.mySees ? { ...settling, [SEES]: sees.heads } : settling;
    const marked = !this.drill && writer.clock.setByHand ? { ...linked, [CLOCK_MARK]: CLOCK_SET_BY_HAND } : linked;
    const { entry, position } = this.appender.append(this.position, { type, actor: writer.actor, data: marked, at }, this.mine === LOG_FILE ? this.ino : undefined);
    this.position = position;
    if (this.mine !== LOG_FILE) this.writtenIn.set(entry, this.writer!.chain!);
    if (sees !== null) this.mySees = sees.json;
    const count = this.state.entries;
    applyEntry(this.state, entry);
    if (this.merged) {
      this.state.entries = count + 1;
      this.sizes.set(this.mine, position.offset);
      if (settles) this.state.conflicts = this.state.conflicts.filter((c) => c !== settles);
    }
    return entry;
  }

  /**
   * Starts my own chain (issue 17): `chains/<me>.jsonl`, created empty and flushed, then its first
   * entry `responder.joined`, which says which heads of the others' chains I had read.
   */
  private join(at: Date): void {
    const file = path.join(this.dir, this.mine);
    if (!fs.existsSync(file)) {
      const dir = path.join(this.dir, CHAINS_DIR);
      makePrivateDir(dir);
      try {
        fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, FILE_MODE));
        syncDir(dir);
      } catch (e) {
        if (errno(e) !== 'EEXIST') throw new LeakctlError(`could not create ${file}, the chain of ${printable(this.writer!.actor)}: ${messageOf(e)}. ${fixFor(e, file)}; nothing was recorded.`, EXIT.failure);
      }
    }
    if (!this.merged) this.useMerged(readChainsOrRefuse(this.id, this.dir, true)!);
    const sees = this.seesNow();
    const writer = this.writer!;
    const data = { responder: writer.actor, writer: writer.chain, [SEES]: sees?.heads ?? {}, ...(!this.drill && writer.clock.setByHand ? { [CLOCK_MARK]: CLOCK_SET_BY_HAND } : {}) };
    const { entry, position } = this.appender.append(this.position, { type: 'responder.joined', actor: writer.actor, data, at });
    this.position = position;
    this.mySees = sees?.json ?? '{}';
    const count = this.state.entries;
    applyEntry(this.state, entry);
    this.state.entries = count + 1;
    this.sizes.set(this.mine, position.offset);
  }

  /** The heads of the other chains as this door last read them, in key order; null with one chain. */
  private seesNow(): { heads: Record<string, { seq: number; hash: string }>; json: string } | null {
    if (!this.merged) return null;
    const heads: Record<string, { seq: number; hash: string }> = {};
    for (const c of [...this.merged.chains].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
      if (c.rel === this.mine || c.position.head === null) continue;
      heads[c.key] = { seq: c.position.entries - 1, hash: c.position.head };
    }
    return { heads, json: JSON.stringify(heads) };
  }

  /**
   * Takes the chains as read and merged: the state becomes theirs (in place: a caller holding
   * `incident.state` sees it), and my chain's position and last `sees` are where they left off.
   */
  private useMerged(merged: MergedChains): void {
    this.merged = merged;
    replaceState(this.state, merged.state);
    this.sizes = new Map();
    let mine: ReadChain | undefined;
    for (const c of merged.chains) {
      const rel = c.rel;
      this.sizes.set(rel, c.position.offset + (c.tail?.bytes ?? 0));
      if (rel === this.mine) mine = c;
    }
    for (const name of joinedChainNames(this.dir)) if (!this.sizes.has(`${CHAINS_DIR}/${name}`)) this.sizes.set(`${CHAINS_DIR}/${name}`, fileSize(path.join(this.dir, CHAINS_DIR, name)));
    this.position = mine?.position ?? (this.mine === LOG_FILE ? this.position : CHAIN_START);
    let sees: unknown;
    for (const e of mine?.entries ?? []) if (e.data[SEES] !== undefined) sees = e.data[SEES];
    this.mySees = sees === undefined ? '{}' : JSON.stringify(Object.fromEntries(Object.entries(sees as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
  }

  /** Runs `write` holding the incident's lock, after catching up with the log, one operation at a time. */
  private locked<T>(write: () => Promise<T> | T): Promise<T> {
    return this.serial(() => this.underLock(write));
  }

  private async underLock<T>(write: () => Promise<T> | T): Promise<T> {
    const lock = await acquireLock(this.dir, {
      onWait: (holder) => this.warn(`Waiting for incident ${this.id}: another leakctl process (${holder}) is writing it…`),
    });
    try {
      this.catchUp();
      if (!lock.held()) {
        throw new LeakctlError(`the lock of incident ${this.id} was taken over while this leakctl held it (a race over a stale lock); nothing was written. Try again.`, EXIT.failure);
      }
      return await write();
    } finally {
      lock.release();
    }
  }

  /** One operation at a time on this door, in the order asked. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Whether the log is longer than this door has read (a stat, no read). */
  private grown(): boolean {
    if (this.several) return this.chainsChanged();
    try {
      return fs.lstatSync(this.logFile).size !== this.position.offset;
    } catch {
      return true;
    }
  }

  /** Whether any chain has been written (or a new one has come) since this door last read them. */
  private chainsChanged(): boolean {
    const names = joinedChainNames(this.dir).map((name) => `${CHAINS_DIR}/${name}`);
    if (!this.merged || names.some((rel) => !this.sizes.has(rel))) return true;
    for (const [rel, size] of this.sizes) if (fileSize(path.join(this.dir, rel)) !== size) return true;
    return false;
  }

  /**
   * Reads what was appended after this door's position, verifying it links on, under the lock: a
   * partial last line is then a crash's leftover, and is set aside.
   */
  private catchUp(): void {
    if (this.several) {
      this.catchUpChains();
      return;
    }
    const { fd, size, ino } = openChainFile(this.logFile);
    this.ino = ino;
    let scan: ChainScan;
    const added = this.unseen;
    try {
      const p = this.position;
      if (size < p.offset || !endsWithHead(fd, p)) {
        throw new LeakctlError(
          `the evidence log ${this.logFile} no longer continues the chain this leakctl read (${size < p.offset ? `it is ${size} bytes, where ${p.offset} were verified: cut short` : 'the entry it ended with has changed'}). ` +
            `Nothing was written. Run \`leakctl verify ${this.id}\`.`,
          EXIT.checkFailed,
        );
      }
      if (size === p.offset) return;
      scan = scanChain(fd, p, size, (line) => {
        const entry = line.entry();
        applyEntry(this.state, entry);
        added.push(entry);
      });
    } finally {
      fs.closeSync(fd);
    }
    this.position = scan.position;
    if (scan.problem) throw refused(this.logFile, this.id, scan.problem);
    if (scan.tail) {
      const aside = setAsideTail(this.logFile, scan.tail, this.position.entries, new Date());
      this.warn(`The last line of the evidence log was cut short by a crash; its ${aside.bytes} bytes were set aside in ${aside.file}, and the log continues without it.`);
    }
  }

  /**
   * Catching up with several chains: when any has changed, all are read again, verified, merged
   * and replayed (what arrived from others can fall anywhere in the merged order). My own chain
   * must still continue where I left it; a torn last line of it is set aside.
   */
  private catchUpChains(): void {
    // My own chain first: a last line cut short by a crash (even its first) is set aside before
    // anything is merged.
    this.setAsideMyTail();
    if (this.merged && !this.chainsChanged()) return;
    // What this door has already handed out or written: the others' entries as last read, my own
    // chain up to where I left it, and (read as one log until now) the opener's log as replayed.
    const seen = new Map((this.merged?.chains ?? []).map((c) => [c.rel, c.entries.length]));
    if (!this.merged) seen.set(LOG_FILE, this.state.entries);
    const mineBefore = this.position;
    seen.set(this.mine, mineBefore.entries);
    const merged = readChainsOrRefuse(this.id, this.dir, true, this.merged ?? undefined)!;
    const mine = merged.chains.find((c) => c.rel === this.mine);
    const now = mine?.position ?? CHAIN_START;
    if (now.entries < mineBefore.entries || (mineBefore.entries > 0 && mine!.entries[mineBefore.entries - 1]!.hash !== mineBefore.head)) {
      throw new LeakctlError(
        `${path.join(this.dir, this.mine)} no longer continues the chain this leakctl wrote (${now.entries < mineBefore.entries ? `it has ${now.entries} entries, where ${mineBefore.entries} were written: cut short` : 'the entry it ended with has changed'}). Nothing was written. Run \`leakctl verify ${this.id}\`.`,
        EXIT.checkFailed,
      );
    }
    for (const p of merged.order) {
      const c = merged.chains[p.chain]!;
      if (p.seq >= (seen.get(c.rel) ?? 0)) this.unseen.push(c.entries[p.seq]!);
    }
    this.useMerged(merged);
    if (this.mine === LOG_FILE) this.ino = mine?.ino;
  }

  /** Under the lock: a torn last line of my own chain (a crash while I wrote it) is moved aside. */
  private setAsideMyTail(): void {
    const file = path.join(this.dir, this.mine);
    if (this.mine !== LOG_FILE && !fs.existsSync(file)) return;
    const { fd, size } = openChainFile(file);
    let scan: ChainScan;
    try {
      scan = scanChain(fd, this.position.offset <= size ? this.position : CHAIN_START, size, () => undefined, { joined: this.mine !== LOG_FILE });
    } finally {
      fs.closeSync(fd);
    }
    if (!scan.tail) return;
    const aside = setAsideTail(file, scan.tail, scan.position.entries, new Date());
    this.warn(`The last line of ${this.mine} was cut short by a crash; its ${aside.bytes} bytes were set aside in ${aside.file}, and the chain continues without it.`);
  }

  /** The time of the next entry, after the checks a write makes first: open incident, a writer, time not going back. */
  private timeForNext(): Date {
    const writer = this.writer;
    if (!writer) throw new Error(`incident ${this.id} was opened read-only; recording needs a writer`);
    this.refuseClosed();
    const now = writer.clock.now();
    // Time moves forward in my own chain; another responder's clock may run ahead of mine, and
    // the merge orders what I had read of theirs before what I write anyway (issue 17).
    const last = this.myLastAt();
    if (!last || now.getTime() >= last.getTime()) return now;
    if (!writer.clock.setByHand && last.getTime() - now.getTime() <= REAL_CLOCK_SKEW_MS) return last;
    throw backwards(this.id, last, this.myLastEntry(), now, writer.clock.setByHand);
  }

  /** The time of the last entry of my own chain (with one chain, the log's). */
  private myLastAt(): Date | undefined {
    if (this.mine === LOG_FILE && !this.merged) return this.state.lastAt;
    return this.position.lastAt === null ? undefined : new Date(this.position.lastAt);
  }

  /** The number of my chain's last entry, as messages name it. */
  private myLastEntry(): number {
    return (this.mine === LOG_FILE && !this.merged ? this.state.entries : this.position.entries) - 1;
  }

  /** A clock set by hand earlier than my chain's last entry is refused before anything is asked. */
  private checkClock(): void {
    const writer = this.writer;
    const last = this.myLastAt();
    if (writer?.clock.setByHand && last && writer.clock.now().getTime() < last.getTime()) {
      throw backwards(this.id, last, this.myLastEntry(), writer.clock.now(), true);
    }
  }

  private warnTorn(tail: TornTail): void {
    this.warn(
      `warning: line ${tail.line} of incident ${this.id}'s evidence log, its last, is cut short (${tail.bytes} bytes; a crash while writing?). It is not part of the log; the next command that writes to the incident sets it aside in a side file.`,
    );
  }
}

/**
 * Runs `work` holding the locks of incidents `ids` (no entry is appended to any meanwhile), taken
 * in one order so that two such holders never wait on each other: `sync` verifies, commits and
 * merges under them, so that what it sends is what it verified and what it takes back out
 * nobody has built on.
 */
export async function holdingLocks<T>(incidentsDir: string, ids: readonly string[], warn: (text: string) => void, work: () => Promise<T> | T): Promise<T> {
  const held: { release(): void }[] = [];
  try {
    for (const id of [...ids].sort()) {
      const { dir } = incidentPlace(incidentsDir, id);
      held.push(await acquireLock(dir, { onWait: (holder) => warn(`Waiting for incident ${id}: another leakctl process (${holder}) is writing it…`) }));
    }
    return await work();
  } finally {
    for (const lock of held.reverse()) lock.release();
  }
}

function neverStarted(id: string, dir: string, why: string): InvalidInput {
  return new InvalidInput(
    `incident ${id} was never started: ${why}. Nothing at ${dir} is an incident yet; remove it, then open the incident again with \`leakctl start\` (or choose another id with --id).`,
  );
}

function refused(file: string, id: string, problem: ChainProblem): LeakctlError {
  return new LeakctlError(`${chainFailure(file, problem)}\nNothing was written. \`leakctl verify ${id}\` shows the same.`, EXIT.checkFailed);
}

function backwards(id: string, lastDate: Date, entry: number, now: Date, setByHand: boolean): InvalidInput {
  const lastAt = lastDate.toISOString();
  const last = `entry #${entry} at ${lastAt}`;
  if (setByHand) {
    return new InvalidInput(
      `the clock given (--now, LEAKCTL_NOW or the answers file) reads ${now.toISOString()}, earlier than incident ${id}'s last ${last}; ` +
        `time in an evidence log only moves forward. Give a time at or after ${lastAt}. Nothing was recorded.`,
    );
  }
  return new InvalidInput(
    `this machine's clock reads ${now.toISOString()}, earlier than incident ${id}'s last ${last}: the system clock was set back, ` +
      `or an entry was written with a clock set by hand (\`leakctl status ${id}\` says so). Time in an evidence log only moves forward; nothing was recorded. ` +
      `Correct the system clock (NTP), or wait until ${lastAt}.`,
  );
}

/** Exit 2 when attachments/ or drafts/ is not a real directory of the incident (a link could lead anywhere). */
function refuseLinkedParts(dir: string): void {
  for (const part of [ATTACHMENTS_DIR, DRAFTS_DIR]) {
    const where = path.join(dir, part);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(where);
    } catch {
      continue;
    }
    if (!st.isDirectory()) {
      throw new InvalidInput(`${where} is ${fileKind(st) ?? 'a file'}, not a directory of the incident; leakctl writes evidence and drafts only inside the incident. Make it a directory again.`);
    }
  }
}

/** Exit 2 naming what is at the incident's place: an incident to resume, or a leftover to remove. */
function refuseTaken(dir: string, id: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch {
    return;
  }
  if (!st.isDirectory()) throw neverStarted(id, dir, `${dir} is ${fileKind(st) ?? 'a file'}, not an incident directory`);
  let size = 0;
  try {
    size = fs.lstatSync(path.join(dir, LOG_FILE)).size;
  } catch {
    size = 0;
  }
  if (size > 0) throw new InvalidInput(`an incident already exists at ${dir}; choose another id, or continue it with \`leakctl resume ${id}\``);
  if (fs.readdirSync(dir).length === 0) return;
  throw neverStarted(id, dir, `${dir} exists, but its evidence log has no entry`);
}

/** Whether the bytes before `p.offset` end with the hash of the entry this door last read. */
function endsWithHead(fd: number, p: ChainPosition): boolean {
  if (p.head === null) return true;
  const expected = `${p.head}"}\n`;
  const tail = Buffer.alloc(expected.length);
  const n = fs.readSync(fd, tail, 0, tail.length, p.offset - tail.length);
  return n === tail.length && tail.toString('latin1') === expected;
}

/**
 * Every chain of the incident read, verified and merged (issue 17), or null when it has only the
 * opener's log (and `always` is false). A broken rule in any chain, or in a link between them, is
 * exit 3: nothing is written.
 */
function readChainsOrRefuse(id: string, dir: string, always: boolean, before?: MergedChains): MergedChains | null {
  try {
    if (!always && joinedChainNames(dir).length === 0) return null;
    return readAllChains(id, dir, before);
  } catch (error) {
    if (!(error instanceof ChainsError)) throw error;
    // A link between chains is about them all: the incident is named, not one file.
    const where = error.problem.line === 0 ? dir : path.join(dir, error.problem.file);
    throw new LeakctlError(`${printable(error.problem.message)}\n${printable(where)}: the incident's chains do not verify. Nothing was written. \`leakctl verify ${id}\` shows the same.`, EXIT.checkFailed);
  }
}

/** Makes `target` the state `source` is, in place. */
function replaceState(target: IncidentState, source: IncidentState): void {
  for (const key of Object.keys(target)) if (!(key in source)) delete (target as unknown as Record<string, unknown>)[key];
  Object.assign(target, source);
}

function fileSize(file: string): number {
  try {
    return fs.lstatSync(file).size;
  } catch {
    return -1;
  }
}

/** An entry of a chain read whole, as a chain visitor sees a line. */
function lineOf(chain: ReadChain, seq: number, text: string): ChainLine {
  const entry = chain.entries[seq]!;
  const buf = Buffer.from(text, 'utf8');
  return { line: seq + 1, type: entry.type, offset: 0, length: buf.length, buf, start: 0, end: buf.length, dataStart: -1, dataEnd: -1, entry: () => entry };
}

/** Copies the first `length` bytes of the chain `file` (as verified) into the new file `target`, flushed. */
function copyPrefix(file: string, target: string, length: number): void {
  const { fd } = openChainFile(file);
  let out: number;
  try {
    out = fs.openSync(target, 'wx', FILE_MODE);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  try {
    const buf = Buffer.allocUnsafe(SLICE_BYTES);
    for (let done = 0; done < length; ) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, length - done), done);
      if (n === 0) throw new Error(`${file} ended at byte ${done} while it was copied (it was cut short meanwhile?)`);
      writeAll(out, buf.subarray(0, n));
      done += n;
    }
    fs.fsyncSync(out);
  } finally {
    fs.closeSync(out);
    fs.closeSync(fd);
  }
}
