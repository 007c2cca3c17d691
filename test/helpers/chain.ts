/**
 * SPEC section 4 read independently of src/evidence, for tests that must not trust the code they
 * check: every line is the JSON of {seq, at, type, actor, data, prev, hash} in that order, in its
 * serialised form, seq counts from 0, prev is the previous line's hash (null first), and hash is
 * the SHA-256 hex of the JSON of the first six members.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface Entry {
  seq: number;
  at: string;
  type: string;
  actor: string;
  data: Record<string, unknown>;
  prev: string | null;
  hash: string;
}

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The entries of complete lines (without their newlines); throws naming the first line that breaks a rule. */
export function checkChain(lines: readonly string[]): Entry[] {
  let prev: string | null = null;
  return lines.map((line, i) => {
    const where = `line ${i + 1}`;
    let e: Entry;
    try {
      e = JSON.parse(line) as Entry;
    } catch {
      throw new Error(`${where}: not JSON: ${line.slice(0, 80)}`);
    }
    if (Object.keys(e).join() !== 'seq,at,type,actor,data,prev,hash') throw new Error(`${where}: members ${Object.keys(e).join()}`);
    if (line !== JSON.stringify(e)) throw new Error(`${where}: not in the serialised form`);
    if (e.seq !== i) throw new Error(`${where}: seq ${e.seq}`);
    if (e.prev !== prev) throw new Error(`${where}: prev does not link to line ${i}`);
    if (!AT.test(e.at)) throw new Error(`${where}: at ${e.at}`);
    const unhashed = JSON.stringify({ seq: e.seq, at: e.at, type: e.type, actor: e.actor, data: e.data, prev: e.prev });
    if (createHash('sha256').update(unhashed, 'utf8').digest('hex') !== e.hash) throw new Error(`${where}: hash does not match`);
    prev = e.hash;
    return e;
  });
}

/** A whole log file: it must end with a newline (no torn last line), and every line must chain. */
export function readChain(file: string): Entry[] {
  const text = readFileSync(file, 'utf8');
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error(`${file} does not end with a newline (a torn last line?)`);
  return checkChain(text.slice(0, -1).split('\n'));
}
