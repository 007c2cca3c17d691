/**
 * An incident's chains (issue 17): `evidence.jsonl`, the opener's, and `chains/<writer>.jsonl`, one
 * more per responder who has written to the incident. Each is read by the chain rules (chain.ts),
 * then the cross-links between them are checked and the chains merged into the one order every
 * machine holding the same chains replays (merge.ts). The incident's state is the fold of that
 * order; nothing else decides it.
 *
 * An incident with one chain never comes here: it is replayed in the one verifying pass as before.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { printable } from '../ui/text.js';
import { CHAIN_START, NoLogFile, openChainFile, readExactly, scanChain, type ChainPosition, type ChainProblem, type TornTail } from './chain.js';
import { fileKind } from './durable.js';
import type { EvidenceEntry } from './entry.js';
import { CHAINS_DIR, LOG_FILE } from './layout.js';
import { happenedBefore, mergeChains, openConflicts, type HappenedBefore, type MergeChain, type MergeEntry, type Placed } from './merge.js';
import { applyEntry, emptyState, type IncidentState, type StepConflict } from './state.js';

/** The data member in which an entry names the other chains' heads its writer had read. */
export const SEES = 'sees';

/** What a writer's chain file is named: `[a-z0-9-]`, from their name. */
const KEY = /^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/;

/**
 * The stable file name of a responder's chain, from the name they record under: the name itself
 * when it is already lower-case letters, digits and hyphens; otherwise a readable slug and the
 * first 8 hex digits of the name's SHA-256, so that two names never share a chain.
 */
export function writerKey(actor: string): string {
  if (KEY.test(actor) && actor.length <= 64) return actor;
  const slug = actor
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  const digest = createHash('sha256').update(actor, 'utf8').digest('hex').slice(0, 8);
  return slug === '' ? `w-${digest}` : `${slug}-${digest}`;
}

/** One chain as read: who writes it, every entry decoded, and where a writer continues it. */
export interface ReadChain {
  readonly key: string;
  readonly file: string;
  /** Relative to the incident: `evidence.jsonl` or `chains/<key>.jsonl`. */
  readonly rel: string;
  /** A responder's chain under chains/ (begins with responder.joined), not the opener's log. */
  readonly joined: boolean;
  readonly entries: EvidenceEntry[];
  readonly position: ChainPosition;
  readonly tail: TornTail | null;
  readonly ino: number;
}

/** A problem with one chain, or with the links between them: the file it is in, and what. */
export interface ChainsProblem {
  /** The chain file it concerns, relative to the incident; the opener's log for cross-links that name none. */
  readonly file: string;
  /** 1-based line in that file, 0 when it is about the chains together. */
  readonly line: number;
  readonly message: string;
}

/** The chain files under `chains/` (names only, in code-point order), or [] when there is none. */
export function joinedChainNames(dir: string): string[] {
  const where = path.join(dir, CHAINS_DIR);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(where);
  } catch {
    return [];
  }
  if (!st.isDirectory()) throw new ChainsError({ file: CHAINS_DIR, line: 0, message: `${CHAINS_DIR} is ${fileKind(st) ?? 'a file'}, not the directory of the responders' chains` });
  return fs
    .readdirSync(where)
    .filter((name) => name.endsWith('.jsonl') && !name.startsWith('.'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** An entry names what it had read of other responders' chains, and there are none beside the log. */
export function chainsGone(line: number): string {
  return `line ${line}: it names entries of other responders' chains it had read (data.sees), and the incident has no ${CHAINS_DIR}/ beside its log (removed, or the log copied without it?)`;
}

/** The path of a chain relative to its incident: `evidence.jsonl` or `chains/<key>.jsonl`. */
export function chainPath(key: string | null): string {
  return key === null ? LOG_FILE : `${CHAINS_DIR}/${key}.jsonl`;
}

/** Thrown by the readers here: a chain, or the links between chains, break a rule. */
export class ChainsError extends Error {
  readonly problem: ChainsProblem;
  constructor(problem: ChainsProblem) {
    super(problem.message);
    this.problem = problem;
  }
}

/**
 * Reads one chain whole (from `from`, with what was read before it), decoding every entry. A
 * multi-writer incident is read this way: its chains are small beside what one person's drill
 * writes, and the merge needs every entry's links.
 */
export function readChain(dir: string, name: string | null, before?: ReadChain): ReadChain {
  const rel = name === null ? LOG_FILE : `${CHAINS_DIR}/${name}`;
  const file = path.join(dir, rel);
  const joined = name !== null;
  let opened: { fd: number; size: number; ino: number };
  try {
    opened = openChainFile(file);
  } catch (error) {
    if (error instanceof NoLogFile) throw new ChainsError({ file: rel, line: 0, message: `${rel} is missing` });
    throw error;
  }
  const entries = before ? before.entries : [];
  let problem: ChainProblem | null;
  let position: ChainPosition;
  let tail: TornTail | null;
  try {
    const scan = scanChain(
      opened.fd,
      before?.position ?? CHAIN_START,
      opened.size,
      (line) => {
        entries.push(line.entry());
      },
      { joined },
    );
    problem = scan.problem;
    position = scan.position;
    tail = scan.tail;
  } finally {
    fs.closeSync(opened.fd);
  }
  if (problem) throw new ChainsError({ file: rel, line: problem.line, message: joined ? `${rel} ${problem.message}` : problem.message });
  const first = entries[0];
  let key: string;
  if (name === null) {
    key = first ? writerOf(first) : '';
  } else {
    key = name.slice(0, -'.jsonl'.length);
    if (!KEY.test(key)) throw new ChainsError({ file: rel, line: 0, message: `${printable(rel)}: not a name leakctl gives a responder's chain (lower-case letters, digits and hyphens)` });
    if (first && writerOf(first) !== key) {
      const named = writerOf(first);
      throw new ChainsError({ file: rel, line: 1, message: named === '' ? `${rel} line 1: responder.joined names no writer` : `${rel} line 1: it begins the chain ${printable(named)}, whose file is ${printable(chainPath(named))} (renamed or copied?)` });
    }
  }
  return { key, file, rel, joined, entries, position, tail, ino: opened.ino };
}

/** The chain an opening or joining entry names as its own ('' for an incident opened before chains). */
function writerOf(first: EvidenceEntry): string {
  return typeof first.data.writer === 'string' ? first.data.writer : '';
}

/** What an entry says it had seen of the other chains, or why that is not a list of heads. */
function seesOf(entry: EvidenceEntry): MergeEntry['sees'] | string | undefined {
  const sees = entry.data[SEES];
  if (sees === undefined) return undefined;
  if (sees === null || typeof sees !== 'object' || Array.isArray(sees)) return 'its sees is not an object of heads';
  for (const head of Object.values(sees as Record<string, unknown>)) {
    if (head === null || typeof head !== 'object' || typeof (head as { hash?: unknown }).hash !== 'string' || typeof (head as { seq?: unknown }).seq !== 'number') {
      return 'its sees names a head without a seq and a hash';
    }
  }
  return sees as MergeEntry['sees'];
}

/** The incident's chains, merged: the state they replay to, the order, and who had seen what. */
export interface MergedChains {
  readonly chains: ReadChain[];
  readonly order: Placed[];
  readonly before: HappenedBefore;
  readonly state: IncidentState;
}

/**
 * Checks the cross-links of `chains` and merges them (issue 17): every machine with the same
 * chains gets the same order and the same state. The opener's chain comes first in `chains`.
 */
export function mergeRead(id: string, chains: ReadChain[]): MergedChains {
  const opener = chains[0]!;
  if (chains.length > 1 && opener.key === '') {
    throw new ChainsError({ file: LOG_FILE, line: 1, message: `${LOG_FILE} line 1: incident.opened names no writer (an incident opened before chains), yet ${CHAINS_DIR}/ holds chains: they are not this incident's` });
  }
  const input: MergeChain[] = [];
  for (const c of chains) {
    if (c !== opener && c.key === opener.key) {
      throw new ChainsError({ file: chainPath(c.key), line: 0, message: `${chainPath(c.key)} is a second chain of ${opener.key}, who opened the incident and writes ${LOG_FILE}` });
    }
    const entries: MergeEntry[] = [];
    for (const e of c.entries) {
      const sees = seesOf(e);
      if (typeof sees === 'string') throw new ChainsError({ file: c.rel, line: e.seq + 1, message: `${c.rel} line ${e.seq + 1}: ${sees}` });
      entries.push(sees === undefined ? { seq: e.seq, at: e.at, hash: e.hash } : { seq: e.seq, at: e.at, hash: e.hash, sees });
    }
    input.push({ writer: c.key, entries });
  }
  const merged = mergeChains(input);
  if ('problem' in merged) throw new ChainsError({ file: LOG_FILE, line: 0, message: merged.problem });
  const before = happenedBefore(input, merged.order);
  // A responder joins an incident they have read the opening of; nothing is written after
  // reading its close (a chain's own rules hold within it; these hold across chains).
  for (const [i, c] of chains.entries()) {
    if (!c.joined || c.entries.length === 0) continue;
    if (!before({ chain: 0, seq: 0 }, { chain: i, seq: 0 })) {
      throw new ChainsError({ file: c.rel, line: 1, message: `${c.rel} line 1: responder.joined does not say it had read the incident's opening (sees names no entry of ${LOG_FILE}'s writer ${opener.key})` });
    }
  }
  for (const [i, c] of chains.entries()) {
    const closing = c.entries.at(-1);
    if (closing?.type !== 'incident.closed') continue;
    const closed = { chain: i, seq: closing.seq };
    for (const [j, other] of chains.entries()) {
      if (j === i) continue;
      const after = other.entries.findIndex((_, seq) => before(closed, { chain: j, seq }));
      if (after >= 0) throw new ChainsError({ file: other.rel, line: after + 1, message: `${other.rel} line ${after + 1}: written after reading that the incident was closed (${c.rel} line ${closing.seq + 1}); a closed incident takes no entry` });
    }
  }
  const state = emptyState(id);
  let n = 0;
  for (const p of merged.order) {
    const entry = chains[p.chain]!.entries[p.seq]!;
    applyEntry(state, entry);
    state.entries = ++n;
  }
  state.conflicts = conflictsOf(chains, merged.order, before);
  return { chains, order: merged.order, before, state };
}

/** Answers to one step given without knowledge of each other, and not the same (issue 17, item 3). */
function conflictsOf(chains: readonly ReadChain[], order: readonly Placed[], before: HappenedBefore): StepConflict[] {
  const items: { placed: Placed; key: string; value: string; entry: EvidenceEntry; writer: string }[] = [];
  for (const placed of order) {
    const c = chains[placed.chain]!;
    const entry = c.entries[placed.seq]!;
    if (entry.type !== 'step.answered' && entry.type !== 'step.skipped' && entry.type !== 'step.deferred' && entry.type !== 'step.declined') continue;
    const value = entry.type === 'step.answered' ? `answered ${JSON.stringify(entry.data.value)}` : entry.type;
    items.push({ placed, key: String(entry.data.step), value, entry, writer: c.key });
  }
  return openConflicts(items, before).map((group) => ({
    step: group[0]!.key,
    positions: group.map((g) => ({
      type: g.entry.type,
      value: g.entry.data.value,
      reason: typeof g.entry.data.reason === 'string' ? g.entry.data.reason : undefined,
      actor: g.entry.actor,
      at: new Date(g.entry.at),
      chain: chains[g.placed.chain]!.rel,
      seq: g.entry.seq,
    })),
  }));
}

/**
 * Each entry's line of `chain` as written (the file's lines up to where it was verified), for a
 * reader that wants the raw JSON: read again only when asked.
 */
export function linesOf(chain: ReadChain): string[] {
  const { fd } = openChainFile(chain.file);
  try {
    const bytes = Buffer.allocUnsafe(chain.position.offset);
    readExactly(fd, bytes, 0);
    return bytes.toString('utf8').split('\n').slice(0, chain.entries.length);
  } finally {
    fs.closeSync(fd);
  }
}

/** The hash of entry `size - 1` of each responder's chain among `chains`: what a checkpoint's chain lines are held to. */
export function hashOfChains(chains: readonly ReadChain[]): (writer: string, size: number) => string | undefined {
  const byWriter = new Map(chains.filter((c) => c.joined).map((c) => [c.key, c]));
  return (writer, size) => (size >= 1 ? byWriter.get(writer)?.entries[size - 1]?.hash : undefined);
}

/** Reads every chain of the incident in `dir` and merges them; throws ChainsError on a broken rule. */
export function readAllChains(id: string, dir: string, before?: MergedChains): MergedChains {
  // A chain read before is read on from where it was (chains only grow; one cut back is found by
  // the caller, which compares its own, and by every other open, which reads from the start).
  const known = new Map((before?.chains ?? []).map((c) => [c.rel, c]));
  const again = (name: string | null): ReadChain => {
    const prior = known.get(chainPath(name === null ? null : name.slice(0, -'.jsonl'.length)));
    return readChain(dir, name, prior && !prior.tail ? { ...prior, entries: [...prior.entries] } : undefined);
  };
  const chains = [again(null)];
  for (const name of joinedChainNames(dir)) chains.push(again(name));
  return mergeRead(id, chains.filter((c, i) => i === 0 || c.entries.length > 0));
}
