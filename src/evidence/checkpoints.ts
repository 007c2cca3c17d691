/**
 * The sealed checkpoints of an incident, checked by `leakctl verify` (issue 16): each names a
 * prefix of the log (its size and the hash of its last entry), so a log rewritten after it was
 * sealed, even with every hash recomputed, no longer leads to that hash and fails; each signature
 * is checked against the organisation's allowed_signers, and who sealed what is reported.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkpointOrigin, parseCheckpoint, sealedChains, type Checkpoint } from './checkpoint.js';
import { CHECKPOINTS_DIR } from './layout.js';
import { CHECKPOINT_NAMESPACE, checkSshSignature, parseAllowedSigners, type AllowedSigner } from './sshsig.js';
import { checkWithOpenssl, MAX_RESPONSE_BYTES, parseTimestampResponse, tokenMatches } from './timestamp.js';

export interface SealedCheckpoint {
  /** Relative to the incident directory: checkpoints/<name>.checkpoint. */
  readonly file: string;
  readonly size: number;
  readonly head: string;
  /** `good`: signed by `principal` with key `key`; `not checked`: no allowed_signers to check it against (`note`). */
  readonly signature: 'good' | 'not checked';
  readonly principal?: string;
  readonly key?: string;
  readonly note?: string;
  /** Its RFC 3161 timestamp, when it has one: the time vouched for, by whom, and whether the token was checked against the TSA's CA. */
  readonly timestamp?: { readonly file: string; readonly time: string; readonly tsa: string | null; readonly checked: boolean; readonly note?: string };
}

interface Loaded {
  /** As reports name it: relative to the incident directory, or as given for a copy held elsewhere. */
  readonly file: string;
  /** Where it is. */
  readonly where: string;
  readonly checkpoint: Checkpoint;
  /** The checkpoint's bytes, as signed. */
  readonly bytes: Buffer;
  /** Its signature; none for a copy held elsewhere that came without one. */
  readonly signature: string | undefined;
  /** Its timestamp token (the TSA's response), when there is one. */
  readonly token?: Buffer;
  /**
   * Set when its signature or token could not be read (already among the problems): the
   * checkpoint still holds the log to its head, at every open as in verify, but nothing else of
   * it is checked.
   */
  readonly damaged?: true;
}

/** What a checkpoint's timestamp token is named: the checkpoint's name and this. */
const TOKEN_SUFFIX = '.tsr';

/** A checkpoint or its signature is a few hundred bytes, a timestamp token a few KiB: anything far larger is not one. */
const MAX_BYTES = MAX_RESPONSE_BYTES;
const READ_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

/** A small regular file's bytes, never through a link nor blocking on a FIFO, or why not. */
function readSmallFile(file: string): Buffer | string {
  let fd: number;
  try {
    fd = fs.openSync(file, READ_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ELOOP' ? 'is a symbolic link' : code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? (e as Error).message})`;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return 'is not a regular file';
    if (st.size > MAX_BYTES) return `is ${st.size} bytes, far larger than a checkpoint`;
    const buf = Buffer.alloc(st.size);
    const n = fs.readSync(fd, buf, 0, st.size, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** The checkpoints in `dir`/checkpoints/, read and parsed, with what is wrong with any of them. */
export function readCheckpoints(dir: string): { loaded: Loaded[]; problems: string[] } {
  const where = path.join(dir, CHECKPOINTS_DIR);
  const problems: string[] = [];
  let names: string[];
  try {
    if (!fs.lstatSync(where).isDirectory()) return { loaded: [], problems: [`${CHECKPOINTS_DIR} is not a directory`] };
    names = fs.readdirSync(where).filter((name) => name.endsWith('.checkpoint')).sort();
  } catch (e) {
    // Only a missing directory means "no checkpoints"; one that cannot be read is a problem.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { loaded: [], problems: [] };
    return { loaded: [], problems: [`${CHECKPOINTS_DIR}/ cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`] };
  }
  const loaded: Loaded[] = [];
  for (const name of names) {
    const file = `${CHECKPOINTS_DIR}/${name}`;
    const bytes = readSmallFile(path.join(where, name));
    if (typeof bytes === 'string') {
      problems.push(`${file} ${bytes}`);
      continue;
    }
    const text = bytes.toString('utf8');
    const checkpoint = Buffer.from(text, 'utf8').equals(bytes) ? parseCheckpoint(text) : 'not UTF-8 text';
    if (typeof checkpoint === 'string') {
      problems.push(`${file} is not a checkpoint: ${checkpoint}`);
      continue;
    }
    const place = path.join(where, name);
    const sig = readSmallFile(`${place}.sig`);
    const token = readSmallFile(`${place}${TOKEN_SUFFIX}`);
    // A checkpoint whose signature was removed still seals its head: removing the .sig must not
    // be a way past the check every open makes.
    if (typeof sig === 'string' || (typeof token === 'string' && token !== 'is missing')) {
      if (typeof sig === 'string') problems.push(`${file}.sig, its signature, ${sig}`);
      if (typeof token === 'string' && token !== 'is missing') problems.push(`${file}${TOKEN_SUFFIX}, its timestamp, ${token}`);
      loaded.push({ file, where: place, checkpoint, bytes, signature: undefined, damaged: true });
      continue;
    }
    loaded.push({ file, where: path.join(where, name), checkpoint, bytes, signature: sig.toString('utf8'), ...(typeof token === 'string' ? {} : { token }) });
  }
  return { loaded, problems };
}

/**
 * A checkpoint held outside the incident (`verify --checkpoint FILE`): a copy sent to counsel or a
 * ticket, which a rewrite of the incident directory cannot reach. Its signature is FILE.sig when
 * there is one, and its timestamp FILE.tsr. Why it cannot be read, otherwise.
 */
export function readCheckpointCopy(file: string, shown: string): Loaded | string {
  const bytes = readSmallFile(file);
  if (typeof bytes === 'string') return `${shown} ${bytes}`;
  const text = bytes.toString('utf8');
  const checkpoint = Buffer.from(text, 'utf8').equals(bytes) ? parseCheckpoint(text) : 'not UTF-8 text';
  if (typeof checkpoint === 'string') return `${shown} is not a checkpoint: ${checkpoint}`;
  const sig = readSmallFile(`${file}.sig`);
  const token = readSmallFile(`${file}${TOKEN_SUFFIX}`);
  // Absent, they are not checked (and verify says so); present but unreadable is the reader's to fix.
  if (typeof sig === 'string' && sig !== 'is missing') return `${shown}.sig, its signature, ${sig}`;
  if (typeof token === 'string' && token !== 'is missing') return `${shown}${TOKEN_SUFFIX}, its timestamp, ${token}`;
  return { file: shown, where: file, checkpoint, bytes, signature: typeof sig === 'string' ? undefined : sig.toString('utf8'), ...(typeof token === 'string' ? {} : { token }) };
}

/** The signers of an allowed_signers file, or why it cannot be used. */
export function loadAllowedSigners(file: string): AllowedSigner[] | string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return `the allowed_signers file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  const { signers, problems } = parseAllowedSigners(text);
  return problems.length > 0 ? `${file}: ${problems.join('; ')}` : signers;
}

/**
 * Whether the log still leads to what a checkpoint sealed (its origin names the incident, and the
 * entry at its size hashes to its head), or why not. Every open checks this (issue 16); verify
 * checks it with the signatures and timestamps.
 */
export function headProblem(file: string, checkpoint: Checkpoint, log: CheckedLog): string | null {
  const { size, head } = checkpoint;
  if (log.incident !== undefined && checkpoint.origin !== checkpointOrigin(log.incident)) {
    return `${file} is a checkpoint of "${checkpoint.origin}", not of this incident (${checkpointOrigin(log.incident)})`;
  }
  if (size > log.entries) return `${file} sealed ${size} entries, and only the first ${log.entries} of the log verify: the entries it sealed were removed or changed`;
  const current = log.hashAt.get(size);
  if (current !== head) return `${file} sealed the first ${size} entries with head ${head}; entry #${size - 1} of the log now hashes to ${current ?? '(none)'}: the log was rewritten after it was sealed`;
  // The other responders' chains it sealed (issue 17): each must still lead to its head.
  const chains = sealedChains(checkpoint);
  if (typeof chains === 'string') return `${file}: ${chains}`;
  for (const c of chains) {
    const now = log.chainHash?.(c.writer, c.size);
    if (now !== c.head) return `${file} sealed the first ${c.size} entries of chains/${c.writer}.jsonl with head ${c.head}; ${now === undefined ? 'that chain no longer has them (cut short or removed?)' : `its entry #${c.size - 1} now hashes to ${now}: the chain was rewritten after it was sealed`}`;
  }
  return null;
}

/** What a checkpoint is held against: the opener's log, and the other chains' hashes by entry count. */
export interface CheckedLog {
  readonly hashAt: ReadonlyMap<number, string>;
  readonly entries: number;
  readonly incident?: string;
  /** The hash of the last of the first `size` entries of chain `writer`, when it has them. */
  readonly chainHash?: (writer: string, size: number) => string | undefined;
}

/**
 * Each checkpoint against the log: `hashAt` gives the hash of the entry at a size (the last entry
 * of that prefix), `entries` how many the log has, `incident` the id its origin must name (none
 * for a copy of a log checked on its own). Problems make `verify` fail (exit 3).
 */
export function checkCheckpoints(
  loaded: readonly Loaded[],
  log: CheckedLog,
  allowed: readonly AllowedSigner[] | undefined,
  now: Date,
  tsaCa?: string,
): { sealed: SealedCheckpoint[]; problems: string[] } {
  const sealed: SealedCheckpoint[] = [];
  const problems: string[] = [];
  for (const { file, where, checkpoint, bytes, signature, token, damaged } of loaded) {
    const { size, head } = checkpoint;
    const held = headProblem(file, checkpoint, log);
    if (held !== null) {
      problems.push(held);
      continue;
    }
    if (damaged) continue;
    let stamp: SealedCheckpoint['timestamp'];
    if (token) {
      const checked = checkToken(token, bytes, where, tsaCa);
      if (typeof checked === 'string') {
        problems.push(`${file}${TOKEN_SUFFIX}: its timestamp is not good: ${checked}`);
        continue;
      }
      stamp = { file: `${file}${TOKEN_SUFFIX}`, ...checked };
    }
    // With several responders (issue 17), what it sealed is its entries of every chain.
    const chains = sealedChains(checkpoint);
    const total = size + (typeof chains === 'string' ? 0 : chains.reduce((n, c) => n + c.size, 0));
    const base = { file, size: total, head, ...(stamp ? { timestamp: stamp } : {}) };
    if (signature === undefined) {
      sealed.push({ ...base, signature: 'not checked', note: `no signature beside it (${file}.sig)` });
      continue;
    }
    if (allowed === undefined) {
      sealed.push({ ...base, signature: 'not checked', note: 'no allowed_signers file to check it against (allowed_signers: in leakctl.config.yaml, or verify --allowed-signers FILE)' });
      continue;
    }
    const check = checkSshSignature(bytes, signature, CHECKPOINT_NAMESPACE, allowed, { now });
    if (check.ok) sealed.push({ ...base, signature: 'good', principal: check.principal, key: check.fingerprint });
    else problems.push(`${file}: its signature is not good: ${check.reason}`);
  }
  return { sealed, problems };
}

/**
 * A checkpoint's token: it must stamp the checkpoint's bytes; with the TSA's CA certificate,
 * `openssl ts -verify` must accept it (the signature and the certificate path).
 */
function checkToken(token: Buffer, bytes: Buffer, checkpointFile: string, tsaCa: string | undefined): string | { time: string; tsa: string | null; checked: boolean; note?: string } {
  const parsed = parseTimestampResponse(token);
  if (typeof parsed === 'string') return parsed;
  const mismatch = tokenMatches(parsed, bytes);
  if (mismatch) return mismatch;
  const base = { time: parsed.time.toISOString(), tsa: parsed.tsa };
  if (tsaCa === undefined) return { ...base, checked: false, note: "no CA certificate of the timestamp authority to check it against (tsa_ca: in leakctl.config.yaml, or verify --tsa-ca FILE)" };
  const verdict = checkWithOpenssl(`${checkpointFile}${TOKEN_SUFFIX}`, checkpointFile, tsaCa);
  if (verdict === 'unavailable') return { ...base, checked: false, note: 'openssl is not installed, and leakctl checks timestamp signatures with it' };
  if (verdict !== null) return `openssl ts -verify refused it: ${verdict.problem}`;
  return { ...base, checked: true };
}

/** One sealed checkpoint in words, as verify and the report say it (callers escape it for where it goes). */
export function sealedCheckpointInWords(c: SealedCheckpoint): string {
  const by = c.signature === 'good' ? `signed by ${c.principal!} (${c.key})` : `signature not checked: ${c.note ?? ''}`;
  const t = c.timestamp;
  const stamped = t ? `; timestamped ${t.time}${t.tsa ? ` by ${t.tsa}` : ''}${t.checked ? '' : ` (token not checked: ${t.note ?? ''})`}` : '';
  return `${c.file}: sealed the first ${c.size} entries, still the log's; ${by}${stamped}.`;
}
