/**
 * The merge of an incident's chains (issue 17, items 1 and 5): every machine holding the same
 * chains gets the same order, whatever order it read them in; causality comes before the clocks;
 * a cross-link to an entry that is not there, or hashes otherwise, or links that no order can
 * satisfy, are named.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { happenedBefore, mergeChains, openConflicts, type MergeChain, type MergeEntry, type Placed } from '../../src/evidence/merge.js';
import { prng } from '../helpers/random.js';

const hashOf = (text: string): string => createHash('sha256').update(text).digest('hex');
const at = (minute: number): string => new Date(Date.UTC(2026, 2, 2, 9, minute)).toISOString();

/** A chain of entries at the given minutes, each hashed from its writer and seq. */
function chain(writer: string, minutes: number[], sees: Record<number, MergeEntry['sees']> = {}): MergeChain {
  return { writer, entries: minutes.map((m, seq) => ({ seq, at: at(m), hash: hashOf(`${writer}/${seq}`), ...(sees[seq] ? { sees: sees[seq] } : {}) })) };
}
const seen = (writer: string, seq: number): { seq: number; hash: string } => ({ seq, hash: hashOf(`${writer}/${seq}`) });

/** The merged order as `writer#seq`, or the problem. */
function merged(chains: MergeChain[]): string[] | string {
  const r = mergeChains(chains);
  return 'problem' in r ? r.problem : r.order.map((p) => `${chains[p.chain]!.writer}#${p.seq}`);
}

/**
 * Three responders working at once: each appends with a clock that may run ahead or behind, and
 * now and then syncs, seeing the others' chains as they stood. The links are honest by making.
 */
function simulate(seed: number, steps: number): MergeChain[] {
  const rnd = prng(seed);
  const writers = ['ana', 'bo', 'chi'];
  const skew = writers.map(() => Math.floor(rnd() * 20) - 10);
  const chains = writers.map((w) => ({ writer: w, entries: [] as MergeEntry[] }));
  const known = writers.map(() => new Map<string, { seq: number; hash: string }>());
  const changed = writers.map(() => false);
  for (let t = 0; t < steps; t++) {
    const i = Math.floor(rnd() * writers.length);
    if (rnd() < 0.2) {
      // A sync: i reads the others' chains as they are now.
      for (const [j, c] of chains.entries()) {
        const last = c.entries.at(-1);
        if (j === i || !last) continue;
        known[i]!.set(c.writer, { seq: last.seq, hash: last.hash });
        changed[i] = true;
      }
      continue;
    }
    const c = chains[i]!;
    const seq = c.entries.length;
    const entry: MergeEntry = { seq, at: new Date(Date.UTC(2026, 2, 2, 9) + (t + skew[i]!) * 1000).toISOString(), hash: hashOf(`${c.writer}/${seq}/${seed}`), ...(changed[i] ? { sees: Object.fromEntries(known[i]!) } : {}) };
    changed[i] = false;
    c.entries.push(entry);
  }
  return chains;
}

describe('mergeChains', () => {
  it('keeps a single chain as it is: the single-writer incidents of earlier versions', () => {
    expect(merged([chain('ana', [5, 1, 9])])).toEqual(['ana#0', 'ana#1', 'ana#2']);
  });

  it('interleaves unlinked chains by time, then by writer, each chain in its own order', () => {
    expect(merged([chain('bo', [2, 4, 4]), chain('ana', [1, 4, 6])])).toEqual(['ana#0', 'bo#0', 'ana#1', 'bo#1', 'bo#2', 'ana#2']);
  });

  it('puts causality before the clocks: an entry written after reading another comes after it, whatever its time says', () => {
    // bo's clock runs behind: his answer at 09:01 was written after reading ana's of 09:05.
    const chains = [chain('ana', [0, 5]), chain('bo', [1], { 0: { ana: seen('ana', 1) } })];
    expect(merged(chains)).toEqual(['ana#0', 'ana#1', 'bo#0']);
  });

  it('gives every machine the same order, whatever order it holds the chains in, and honours every link', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const chains = simulate(seed, 300);
      const first = merged(chains);
      expect(Array.isArray(first), `seed ${seed}: ${String(first)}`).toBe(true);
      const order = first as string[];
      expect(new Set(order).size).toBe(chains.reduce((n, c) => n + c.entries.length, 0));
      for (const permuted of [[...chains].reverse(), [chains[1]!, chains[2]!, chains[0]!]]) expect(merged(permuted), `seed ${seed}`).toEqual(order);
      const position = new Map(order.map((name, i) => [name, i]));
      for (const c of chains) {
        for (const e of c.entries) {
          const here = position.get(`${c.writer}#${e.seq}`)!;
          if (e.seq > 0) expect(position.get(`${c.writer}#${e.seq - 1}`)!).toBeLessThan(here);
          for (const [other, s] of Object.entries(e.sees ?? {})) expect(position.get(`${other}#${s.seq}`)!, `seed ${seed}`).toBeLessThan(here);
        }
      }
    }
  });

  it('names a cross-link to an entry that is not there, that hashes otherwise, to its own chain or to no chain', () => {
    const a = chain('ana', [0, 1]);
    expect(merged([a, chain('bo', [2], { 0: { ana: seen('ana', 5) } })])).toBe("bo's entry #0 has seen entry #5 of ana's chain, which has only 2 entries (entries cut from it, or not yet synced?)");
    expect(merged([a, chain('bo', [2], { 0: { ana: { seq: 1, hash: 'f'.repeat(64) } } })])).toBe(`bo's entry #0 has seen entry #1 of ana's chain with hash ${'f'.repeat(64)}; that entry now hashes to ${seen('ana', 1).hash} (rewritten?)`);
    expect(merged([a, chain('bo', [2], { 0: { bo: seen('bo', 0) } })])).toBe("bo's entry #0 claims to have seen its own chain");
    expect(merged([a, chain('bo', [2], { 0: { chi: seen('chi', 0) } })])).toBe("bo's entry #0 has seen entry #0 of chi's chain, and there is no chain of chi");
    expect(merged([a, chain('ana', [3])])).toBe('two chains are written by ana');
  });

  it('names links that no order can satisfy: each chain having seen what the other wrote after', () => {
    const chains = [chain('ana', [0, 1], { 0: { bo: seen('bo', 1) } }), chain('bo', [0, 1], { 0: { ana: seen('ana', 1) } })];
    expect(merged(chains)).toMatch(/^the chains' cross-links form a cycle \(ana's entry #0, bo's entry #0 each wait on/);
  });

  it('knows what happened before what, through the chains each writer read, as a walk of the links would', () => {
    for (let seed = 1; seed <= 15; seed++) {
      const chains = simulate(seed, 200);
      const r = mergeChains(chains);
      if ('problem' in r) throw new Error(r.problem);
      const before = happenedBefore(chains, r.order);
      // The slow way: everything an entry can reach by its chain and its links.
      const index = new Map(chains.map((c, i) => [c.writer, i]));
      const reach = (p: Placed): Set<string> => {
        const seen = new Set<string>();
        const stack = [p];
        while (stack.length > 0) {
          const q = stack.pop()!;
          const e = chains[q.chain]!.entries[q.seq]!;
          const next: Placed[] = [...(q.seq > 0 ? [{ chain: q.chain, seq: q.seq - 1 }] : []), ...Object.entries(e.sees ?? {}).map(([w, s]) => ({ chain: index.get(w)!, seq: s.seq }))];
          for (const n of next) {
            const name = `${n.chain}#${n.seq}`;
            if (!seen.has(name)) {
              seen.add(name);
              stack.push(n);
            }
          }
        }
        return seen;
      };
      const rnd = prng(seed * 7919);
      for (let t = 0; t < 200; t++) {
        const a = r.order[Math.floor(rnd() * r.order.length)]!;
        const b = r.order[Math.floor(rnd() * r.order.length)]!;
        expect(before(a, b), `seed ${seed}: ${a.chain}#${a.seq} before ${b.chain}#${b.seq}`).toBe(reach(b).has(`${a.chain}#${a.seq}`));
      }
    }
  });

  it('shows two answers given without knowing of each other as a conflict, until an answer written after both', () => {
    // ana answers "yes" at 09:01; bo, who has not synced, answers "no" at 09:02.
    const chains = [chain('ana', [1]), chain('bo', [0, 2])];
    const answers = (cs: MergeChain[], extra: { placed: Placed; value: string }[] = []) => {
      const r = mergeChains(cs);
      if ('problem' in r) throw new Error(r.problem);
      const items = [{ placed: { chain: 0, seq: 0 }, key: 'confirmed', value: 'yes' }, { placed: { chain: 1, seq: 1 }, key: 'confirmed', value: 'no' }, ...extra.map((x) => ({ ...x, key: 'confirmed' }))];
      return openConflicts(items, happenedBefore(cs, r.order)).map((group) => group.map((x) => x.value).sort());
    };
    expect(answers(chains)).toEqual([['no', 'yes']]);
    // The same answer given twice is no conflict.
    const r = mergeChains(chains);
    if ('problem' in r) throw new Error(r.problem);
    expect(openConflicts([{ placed: { chain: 0, seq: 0 }, key: 'k', value: 'yes' }, { placed: { chain: 1, seq: 1 }, key: 'k', value: 'yes' }], happenedBefore(chains, r.order))).toEqual([]);
    // bo syncs, sees ana's answer, and answers again: his resolution cites both, and stands alone.
    const resolved = [chain('ana', [1]), chain('bo', [0, 2, 3], { 2: { ana: seen('ana', 0) } })];
    expect(answers(resolved, [{ placed: { chain: 1, seq: 2 }, value: 'yes' }])).toEqual([]);
    // An answer after reading the other's is a change of mind, not a conflict.
    const sequential = [chain('ana', [1]), chain('bo', [0, 2], { 1: { ana: seen('ana', 0) } })];
    expect(answers(sequential)).toEqual([]);
  });
});

