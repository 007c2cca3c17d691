/**
 * The deterministic merge of an incident's chains (issue 17, item 1): one chain per responder,
 * each append-only and written by its responder alone, merged into the one order in which every
 * machine holding the same chains replays them. The incident's chains are read
 * and merged through it in chains.ts.
 *
 * Causal order first: an entry comes after the entry before it in its own chain and after every
 * entry of another chain its writer had seen (`sees`: for another writer, the seq and hash of
 * the last of their entries read). Among entries that causality leaves unordered, a fixed
 * tie-break: the earlier `at`, then the writer's name, then seq. So a responder whose clock runs
 * behind cannot put an answer before one they had already read.
 *
 * The cross-links are checked on the way (issue 17, item 5): an entry that claims to have seen an
 * entry that is not there, or that hashes otherwise, is a problem, as is a set of links that
 * no order can satisfy (each chain having seen the other's later entry: only a forgery makes one).
 */

/** What the merge needs of an entry: where it stands, when, its hash, and what its writer had seen. */
export interface MergeEntry {
  readonly seq: number;
  /** RFC 3339 UTC with milliseconds, fixed width: comparing the text compares the times. */
  readonly at: string;
  readonly hash: string;
  /** Per other writer, the last of their entries this entry's writer had read, when it says. */
  readonly sees?: Readonly<Record<string, { readonly seq: number; readonly hash: string }>>;
}

export interface MergeChain {
  /** The responder whose chain it is: unique within the incident. */
  readonly writer: string;
  /** In chain order: entry k has seq k. */
  readonly entries: readonly MergeEntry[];
}

/** One entry of the merged order: which chain (its index in the input) and which entry of it. */
export interface Placed {
  readonly chain: number;
  readonly seq: number;
}

export type MergeResult = { readonly order: Placed[] } | { readonly problem: string };

/**
 * Orders writers as every machine and every implementation does: by Unicode code
 * points (as Python compares strings), never by locale nor by UTF-16 code units.
 */
function before(a: string, b: string): boolean {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d < 0;
  }
  return x.length < y.length;
}

/** Why a cross-link of `entry` (in `writer`'s chain) does not hold, or null. */
function linkProblem(writer: string, entry: MergeEntry, byWriter: ReadonlyMap<string, number>, chains: readonly MergeChain[]): string | null {
  for (const [other, seen] of Object.entries(entry.sees ?? {})) {
    const where = `${writer}'s entry #${entry.seq}`;
    if (other === writer) return `${where} claims to have seen its own chain`;
    if (!Number.isSafeInteger(seen.seq) || seen.seq < 0) return `${where} has seen entry ${JSON.stringify(seen.seq)} of ${other}'s chain, which is not an entry number`;
    const index = byWriter.get(other);
    if (index === undefined) return `${where} has seen entry #${seen.seq} of ${other}'s chain, and there is no chain of ${other}`;
    const target = chains[index]!.entries[seen.seq];
    if (target === undefined) return `${where} has seen entry #${seen.seq} of ${other}'s chain, which has only ${chains[index]!.entries.length} entries (entries cut from it, or not yet synced?)`;
    if (target.hash !== seen.hash) return `${where} has seen entry #${seen.seq} of ${other}'s chain with hash ${seen.hash}; that entry now hashes to ${target.hash} (rewritten?)`;
  }
  return null;
}

/**
 * The merged order of `chains`, or the first problem with their cross-links. The same chains, in
 * any input order, give the same sequence of (writer, seq).
 */
export function mergeChains(chains: readonly MergeChain[]): MergeResult {
  const byWriter = new Map<string, number>();
  for (const [i, c] of chains.entries()) {
    if (byWriter.has(c.writer)) return { problem: `two chains are written by ${c.writer}` };
    byWriter.set(c.writer, i);
  }
  for (const c of chains) {
    for (const e of c.entries) {
      if (e.sees === undefined) continue;
      const problem = linkProblem(c.writer, e, byWriter, chains);
      if (problem !== null) return { problem };
    }
  }
  // One chain: its own order (the single-writer incidents of every earlier version).
  if (chains.length === 1) return { order: chains[0]!.entries.map((_, seq) => ({ chain: 0, seq })) };

  const next = chains.map(() => 0);
  const total = chains.reduce((sum, c) => sum + c.entries.length, 0);
  const order: Placed[] = new Array<Placed>(total);
  // Each step takes, among the chains whose next entry has everything it saw already placed,
  // the one first by (at, writer, seq). A handful of chains: a scan beats a heap.
  const ready = (i: number): boolean => {
    const e = chains[i]!.entries[next[i]!]!;
    if (e.sees === undefined) return true;
    for (const [other, seen] of Object.entries(e.sees)) if (next[byWriter.get(other)!]! <= seen.seq) return false;
    return true;
  };
  for (let placed = 0; placed < total; placed++) {
    let best = -1;
    for (let i = 0; i < chains.length; i++) {
      if (next[i]! >= chains[i]!.entries.length || !ready(i)) continue;
      if (best < 0) {
        best = i;
        continue;
      }
      const a = chains[i]!.entries[next[i]!]!;
      const b = chains[best]!.entries[next[best]!]!;
      // `at` is ASCII of fixed width: comparing the text compares the times.
      if (a.at < b.at || (a.at === b.at && before(chains[i]!.writer, chains[best]!.writer))) best = i;
    }
    if (best < 0) {
      const stuck = chains.flatMap((c, i) => (next[i]! < c.entries.length ? [`${c.writer}'s entry #${next[i]}`] : []));
      return { problem: `the chains' cross-links form a cycle (${stuck.join(', ')} each wait on an entry of another that waits on them): no order satisfies them, which only an edited chain can cause` };
    }
    order[placed] = { chain: best, seq: next[best]! };
    next[best]! += 1;
  }
  return { order };
}

/**
 * Whether one entry happened before another, from the merged order (issue 17, item 3): `a`
 * happened before `b` when `b`'s writer had, through their own chain or what they read (and what
 * the writers they read had read), seen `a`. Neither before the other: concurrent, written
 * without knowing of each other.
 */
export type HappenedBefore = (a: Placed, b: Placed) => boolean;

/** The causal relation of merged chains: a vector clock per entry, computed once in merge order. */
export function happenedBefore(chains: readonly MergeChain[], order: readonly Placed[]): HappenedBefore {
  const k = chains.length;
  const byWriter = new Map(chains.map((c, i) => [c.writer, i]));
  // clocks[i][s * k + j]: the last entry of chain j that chain i's entry s knows of (-1: none).
  const clocks = chains.map((c) => new Int32Array(c.entries.length * k).fill(-1));
  for (const { chain: i, seq } of order) {
    const clock = clocks[i]!;
    const at = seq * k;
    if (seq > 0) clock.copyWithin(at, at - k, at);
    for (const [other, seen] of Object.entries(chains[i]!.entries[seq]!.sees ?? {})) {
      const j = byWriter.get(other)!;
      const theirs = clocks[j]!;
      // What they knew when they wrote it, which merge order has already computed.
      for (let w = 0; w < k; w++) clock[at + w] = Math.max(clock[at + w]!, theirs[seen.seq * k + w]!);
      clock[at + j] = Math.max(clock[at + j]!, seen.seq);
    }
    clock[at + i] = seq;
  }
  return (a, b) => (a.chain === b.chain ? a.seq < b.seq : clocks[b.chain]![b.seq * k + a.chain]! >= a.seq);
}

/**
 * The disagreements still open among entries that set the same thing (answers to one step): the
 * entries no other entry for that key came after, when there are several and they do not all say
 * the same. A later entry written after reading them all resolves it, being the only one left.
 */
export function openConflicts<T extends { readonly placed: Placed; readonly key: string; readonly value: string }>(items: readonly T[], before: HappenedBefore): T[][] {
  const byKey = new Map<string, T[]>();
  for (const item of items) {
    const group = byKey.get(item.key);
    if (group) group.push(item);
    else byKey.set(item.key, [item]);
  }
  const open: T[][] = [];
  for (const group of byKey.values()) {
    if (group.length < 2) continue;
    const latest = group.filter((a) => !group.some((b) => b !== a && before(a.placed, b.placed)));
    if (latest.length > 1 && new Set(latest.map((x) => x.value)).size > 1) open.push(latest);
  }
  return open;
}
