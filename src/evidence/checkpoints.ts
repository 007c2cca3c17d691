/**
 * The sealed checkpoints of an incident, checked by `leakctl verify` (issue 16): each names a
 * prefix of the log (its size and the hash of its last entry), so a log rewritten after it was
 * sealed, even with every hash recomputed, no longer leads to that hash and fails; each signature
 * is checked against the organisation's allowed_signers, and who sealed what is reported.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkpointOrigin, parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { CHECKPOINTS_DIR } from './layout.js';
import { CHECKPOINT_NAMESPACE, checkSshSignature, parseAllowedSigners, type AllowedSigner } from './sshsig.js';

export interface SealedCheckpoint {
  /** Relative to the incident directory: checkpoints/<name>.checkpoint. */
  readonly file: string;
  readonly size: number;
  readonly head: string;
  /** `good`: signed by `principal` with key `key`; `not checked`: see `note`; `bad`: a problem says why. */
  readonly signature: 'good' | 'not checked' | 'bad';
  readonly principal?: string;
  readonly key?: string;
  readonly note?: string;
}

interface Loaded {
  readonly file: string;
  readonly checkpoint: Checkpoint;
  readonly text: string;
  readonly signature?: string;
}

/** The checkpoints in `dir`/checkpoints/, read and parsed, with what is wrong with any of them. */
export function readCheckpoints(dir: string): { loaded: Loaded[]; problems: string[] } {
  const where = path.join(dir, CHECKPOINTS_DIR);
  let names: string[];
  try {
    names = fs.readdirSync(where).filter((name) => name.endsWith('.checkpoint')).sort();
  } catch {
    return { loaded: [], problems: [] };
  }
  const loaded: Loaded[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const file = `${CHECKPOINTS_DIR}/${name}`;
    const full = path.join(where, name);
    if (!fs.lstatSync(full).isFile()) {
      problems.push(`${file} is not a regular file`);
      continue;
    }
    const text = fs.readFileSync(full, 'utf8');
    const checkpoint = parseCheckpoint(text);
    if (typeof checkpoint === 'string') {
      problems.push(`${file} is not a checkpoint: ${checkpoint}`);
      continue;
    }
    const sig = `${full}.sig`;
    loaded.push({ file, checkpoint, text, ...(fs.existsSync(sig) ? { signature: fs.readFileSync(sig, 'utf8') } : {}) });
  }
  return { loaded, problems };
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
 * Each checkpoint against the log: `hashAt` gives the hash of the entry at a size (the last entry
 * of that prefix), `entries` how many the log has, `incident` the id its origin must name (none
 * for a copy of a log checked on its own). Problems make `verify` fail (exit 3).
 */
export function checkCheckpoints(
  loaded: readonly Loaded[],
  log: { hashAt: ReadonlyMap<number, string>; entries: number; incident?: string },
  allowed: readonly AllowedSigner[] | string | undefined,
): { sealed: SealedCheckpoint[]; problems: string[] } {
  const sealed: SealedCheckpoint[] = [];
  const problems: string[] = [];
  for (const { file, checkpoint, text, signature } of loaded) {
    const { size, head } = checkpoint;
    if (log.incident !== undefined && checkpoint.origin !== checkpointOrigin(log.incident)) {
      problems.push(`${file} is a checkpoint of "${checkpoint.origin}", not of this incident (${checkpointOrigin(log.incident)})`);
      continue;
    }
    if (size > log.entries) {
      problems.push(`${file} sealed ${size} entries, and the log now has ${log.entries}: entries sealed were removed`);
      continue;
    }
    const now = log.hashAt.get(size);
    if (now !== head) {
      problems.push(`${file} sealed the first ${size} entries with head ${head}; entry #${size - 1} of the log now hashes to ${now ?? '(none)'}: the log was rewritten after it was sealed`);
      continue;
    }
    const base = { file, size, head };
    if (signature === undefined) {
      problems.push(`${file} has no signature beside it (${file}.sig)`);
      sealed.push({ ...base, signature: 'bad' });
    } else if (allowed === undefined || typeof allowed === 'string') {
      sealed.push({ ...base, signature: 'not checked', note: allowed ?? 'no allowed_signers file is configured (allowed_signers: in leakctl.config.yaml)' });
    } else {
      const check = checkSshSignature(Buffer.from(text, 'utf8'), signature, CHECKPOINT_NAMESPACE, allowed);
      if (check.ok) sealed.push({ ...base, signature: 'good', principal: check.principal, key: check.fingerprint });
      else if (check.unchecked) sealed.push({ ...base, signature: 'not checked', note: check.reason });
      else {
        problems.push(`${file}: its signature is not good: ${check.reason}`);
        sealed.push({ ...base, signature: 'bad' });
      }
    }
  }
  return { sealed, problems };
}
