/**
 * One evidence-log entry and the exact bytes it is written as (SPEC section 4). The hash rule lives
 * here and nowhere else: SHA-256 hex of the entry's JSON without `hash`, members in the order
 * seq, at, type, actor, data, prev.
 */
import { hash } from 'node:crypto';

export const ENTRY_TYPES = [
  'incident.opened',
  'step.answered',
  'step.skipped',
  'step.deferred',
  'step.declined',
  'module.joined',
  'evidence.attached',
  'note.added',
  'deadline.started',
  'deadline.met',
  'notice.rendered',
  'notice.withdrawn',
  'run.paused',
  'run.resumed',
  'incident.closed',
  'checkpoint.sealed',
  'step.assigned',
  'lead.handed',
  'responder.joined',
] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

export interface EvidenceEntry {
  seq: number;
  at: string;
  type: EntryType;
  actor: string;
  data: Record<string, unknown>;
  prev: string | null;
  hash: string;
}

export type UnhashedEntry = Omit<EvidenceEntry, 'hash'>;

/** The members of a line, in the one order the hash rule allows. */
export const ENTRY_MEMBERS = ['seq', 'at', 'type', 'actor', 'data', 'prev', 'hash'] as const;

// Field ranges in the pattern itself, rather than Date.parse afterwards: verify runs this on every
// line, and the pattern is both stricter and cheaper.
const AT = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
const TYPES: ReadonlySet<string> = new Set(ENTRY_TYPES);

/** The form `at` takes: RFC 3339, UTC, milliseconds. */
export function isEntryTime(value: unknown): value is string {
  return typeof value === 'string' && AT.test(value);
}

export function isEntryType(value: unknown): value is EntryType {
  return typeof value === 'string' && TYPES.has(value);
}

/** 64 lowercase hex digits. A loop, not a regex: it runs twice per line when a log is read. */
export function isSha256Hex(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

export function sha256Hex(text: string): string {
  // crypto.hash (one-shot) is markedly faster than createHash for short inputs; verify hashes
  // one line per entry, so this matters on large logs.
  return hash('sha256', text, 'hex');
}

/** The text the hash covers: the entry without `hash`, members in order, no spaces. */
function unhashedText(u: UnhashedEntry): string {
  return JSON.stringify({ seq: u.seq, at: u.at, type: u.type, actor: u.actor, data: u.data, prev: u.prev });
}

export function hashOf(unhashed: UnhashedEntry): string {
  return sha256Hex(unhashedText(unhashed));
}

/** The entry's line in evidence.jsonl, without the trailing newline. */
export function serialiseEntry(e: EvidenceEntry): string {
  return JSON.stringify({
    seq: e.seq,
    at: e.at,
    type: e.type,
    actor: e.actor,
    data: e.data,
    prev: e.prev,
    hash: e.hash,
  });
}

/** RFC 3339, UTC, milliseconds: the only form `at` takes. */
export function formatAt(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('formatAt: invalid date');
  return date.toISOString();
}

/**
 * Why a parsed JSON value is not an entry (members, their order, their types), or null. With
 * `checkHashes: false` the form of `hash` and `prev` is left to the caller: verify compares them
 * with hashes it computed, which proves their form anyway and costs less.
 */
export function entryShapeError(value: unknown, checkHashes = true): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const keys = Object.keys(value);
  if (keys.length !== ENTRY_MEMBERS.length || keys.some((k, i) => k !== ENTRY_MEMBERS[i])) {
    return `has members ${keys.join(', ') || '(none)'}; expected exactly ${ENTRY_MEMBERS.join(', ')} in that order`;
  }
  const o = value as Record<string, unknown>;
  if (typeof o.seq !== 'number' || !Number.isSafeInteger(o.seq) || o.seq < 0) {
    return `seq ${JSON.stringify(o.seq)} is not a whole number >= 0`;
  }
  if (!isEntryTime(o.at)) {
    return `at ${JSON.stringify(o.at)} is not an RFC 3339 UTC time with milliseconds`;
  }
  if (typeof o.type !== 'string' || !TYPES.has(o.type)) return `type ${JSON.stringify(o.type)} is not an entry type`;
  if (typeof o.actor !== 'string') return 'actor is not a string';
  if (o.data === null || typeof o.data !== 'object' || Array.isArray(o.data)) return 'data is not a JSON object';
  if (checkHashes) {
    if (o.prev !== null && !isSha256Hex(o.prev)) return 'prev is neither null nor a SHA-256 hex hash';
    if (!isSha256Hex(o.hash)) return 'hash is not a SHA-256 hex hash';
  } else if ((o.prev !== null && typeof o.prev !== 'string') || typeof o.hash !== 'string') {
    return 'prev or hash is not a string';
  }
  return null;
}
