/**
 * The incident's state, derived by replaying its evidence log: the log is the single source of
 * truth (SPEC section 4), and nothing caches this state in a second file. The latest answer to a
 * step wins; earlier ones stay in the log.
 *
 * `applyEntry` is the definition: state is a fold of it over the entries. `Replay` computes the
 * same state in the pass that verifies the log on open, decoding only the lines whose content the
 * final state keeps (the latest answer to each step, not every answer ever given): opening an
 * incident costs little more than hashing its log (issue 8, goal 7). A test holds the two equal.
 */
import { decodeEntry, readExactly, type ChainLine, type ChainPosition, type ChainProblem } from './chain.js';
import type { EvidenceEntry } from './entry.js';

export interface OpenedInfo {
  readonly at: Date;
  readonly playbook: { id: string; title: string; version?: string; sha256: string; file?: string; regimes_sha256?: string };
  readonly drill: boolean;
  readonly responder: string;
  /** The chain key of the copy that opened it (`evidence.jsonl`'s writer); absent in incidents before issue 17. */
  readonly writer?: string;
  /** Who signs the notices, as said at the start. */
  readonly signatory?: { readonly name: string; readonly role?: string };
}

export interface AnswerRecord {
  readonly value: unknown;
  readonly at: Date;
  readonly actor: string;
  readonly source: string;
  readonly seq: number;
}

/** A step put off ("not yet") or refused ("won't do"), by whom, when and why. */
export interface StepMark {
  readonly reason: string;
  /** When to be reminded (deferral only), RFC 3339. */
  readonly until?: string;
  readonly at: Date;
  readonly actor: string;
  readonly seq: number;
}

/** The data member that marks an entry of a real incident written with a clock set by hand (issue 8). */
export const CLOCK_MARK = 'clock';
export const CLOCK_SET_BY_HAND = 'set by hand';

export interface IncidentState {
  readonly id: string;
  opened?: OpenedInfo;
  /** Step id → the latest answer. */
  readonly answers: Map<string, AnswerRecord>;
  /** Step id → reason, for steps whose latest event is a skip. */
  readonly skipped: Map<string, string>;
  /** Step id → why and until when, for steps whose latest event is a deferral ("not yet"). */
  readonly deferred: Map<string, StepMark>;
  /** Step id → why, for steps whose latest event is a decline ("won't do"). */
  readonly declined: Map<string, StepMark>;
  /** playbook@2 modules joined, in the order they joined. */
  readonly joined: string[];
  /** Counts only: replay keeps nothing that grows with the log but the answers themselves. */
  notes: number;
  attachedFiles: number;
  /** Draft file (relative to the incident) → its latest rendering: one per template and format. */
  readonly drafts: Map<string, { at: Date; template: string; sha256: string }>;
  /** Deadline ids with a `deadline.started` / `deadline.met` entry. */
  readonly deadlinesStarted: Set<string>;
  readonly deadlinesMet: Set<string>;
  closed?: { at: Date; actor: string };
  /** The last run event was `run.paused` (and no answer came after it). */
  paused: boolean;
  /** Entries of a real incident written with a clock set by hand: how many, and the first. */
  clockSetByHand: { entries: number; first: number } | null;
  /** `step:ID` or `phase:ID` → who owns it now (issue 17: `leakctl assign`), who said so and when. */
  readonly owners: Map<string, Ownership>;
  /** Who leads the response since the last `leakctl handoff`; the opener until then. */
  lead?: Ownership;
  /**
   * Steps answered differently by responders who had not seen each other's answer (issue 17):
   * open until someone who has read them all answers the step again. Always empty with one chain.
   */
  conflicts: StepConflict[];
  entries: number;
  head: string | null;
  lastAt?: Date;
}

/** One step's disagreeing answers, each with who gave it, when, and where it is written. */
export interface StepConflict {
  readonly step: string;
  readonly positions: readonly {
    readonly type: string;
    readonly value: unknown;
    readonly reason: string | undefined;
    readonly actor: string;
    readonly at: Date;
    /** The chain file, relative to the incident, and the entry's seq in it. */
    readonly chain: string;
    readonly seq: number;
  }[];
}

/** An owner or a lead: the name, who named them, and when. */
export interface Ownership {
  readonly name: string;
  readonly by: string;
  readonly at: Date;
}

/** The key of an owned step or phase in `owners`. */
export const ownerKey = (kind: 'step' | 'phase', id: string): string => `${kind}:${id}`;

export function emptyState(id: string): IncidentState {
  return {
    id,
    answers: new Map(),
    skipped: new Map(),
    deferred: new Map(),
    declined: new Map(),
    joined: [],
    notes: 0,
    attachedFiles: 0,
    drafts: new Map(),
    deadlinesStarted: new Set(),
    deadlinesMet: new Set(),
    paused: false,
    clockSetByHand: null,
    owners: new Map(),
    conflicts: [],
    entries: 0,
    head: null,
  };
}

/** An answer, a skip, a deferral or a decline: what the latest entry about a step says of it. */
function applyStep(state: IncidentState, entry: EvidenceEntry): void {
  const data = entry.data;
  const step = String(data.step);
  const at = new Date(entry.at);
  if (entry.type !== 'step.answered') state.answers.delete(step);
  if (entry.type !== 'step.skipped') state.skipped.delete(step);
  if (entry.type !== 'step.deferred') state.deferred.delete(step);
  if (entry.type !== 'step.declined') state.declined.delete(step);
  const mark = (): StepMark => ({
    reason: typeof data.reason === 'string' ? data.reason : '',
    ...(typeof data.until === 'string' ? { until: data.until } : {}),
    at,
    actor: entry.actor,
    seq: entry.seq,
  });
  if (entry.type === 'step.answered') {
    state.answers.set(step, { value: data.value, at, actor: entry.actor, source: String(data.source), seq: entry.seq });
  } else if (entry.type === 'step.deferred') {
    state.deferred.set(step, mark());
  } else if (entry.type === 'step.declined') {
    state.declined.set(step, mark());
  } else {
    state.skipped.set(step, String(data.reason ?? ''));
  }
}

function markClock(state: IncidentState, seq: number): void {
  if (state.clockSetByHand) state.clockSetByHand.entries += 1;
  else state.clockSetByHand = { entries: 1, first: seq };
}

function signatoryOf(value: unknown): { name: string; role?: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { name, role } = value as Record<string, unknown>;
  return typeof name === 'string' && name !== '' ? { name, ...(typeof role === 'string' && role !== '' ? { role } : {}) } : undefined;
}

/** Apply one entry to the state (replay is a fold of this over the log). */
export function applyEntry(state: IncidentState, entry: EvidenceEntry): void {
  const at = new Date(entry.at);
  const data = entry.data;
  applyContent(state, entry, at);
  if (entry.type === 'step.answered') state.paused = false;
  else if (entry.type === 'run.paused') state.paused = true;
  else if (entry.type === 'run.resumed') state.paused = false;
  else if (entry.type === 'note.added') state.notes += 1;
  if (state.opened?.drill !== true && data[CLOCK_MARK] === CLOCK_SET_BY_HAND) markClock(state, entry.seq);
  state.entries = entry.seq + 1;
  state.head = entry.hash;
  state.lastAt = at;
}

/** What an entry adds to the state beyond counts, flags and the position. */
function applyContent(state: IncidentState, entry: EvidenceEntry, at: Date): void {
  const data = entry.data;
  switch (entry.type) {
    case 'incident.opened':
      state.opened = {
        at,
        playbook: data.playbook as OpenedInfo['playbook'],
        drill: data.drill === true,
        responder: String(data.responder ?? entry.actor),
        ...(typeof data.writer === 'string' ? { writer: data.writer } : {}),
        ...(signatoryOf(data.signatory) ? { signatory: signatoryOf(data.signatory)! } : {}),
      };
      break;
    case 'step.answered':
    case 'step.skipped':
    case 'step.deferred':
    case 'step.declined':
      applyStep(state, entry);
      break;
    case 'evidence.attached':
      state.attachedFiles += Array.isArray(data.files) ? data.files.length : 0;
      break;
    case 'notice.rendered':
      state.drafts.set(String(data.file), { at, template: String(data.template), sha256: String(data.sha256) });
      break;
    case 'notice.withdrawn':
      state.drafts.delete(String(data.file));
      break;
    case 'incident.closed':
      state.closed = { at, actor: entry.actor };
      break;
    case 'step.assigned': {
      const kind = data.phase !== undefined ? 'phase' : 'step';
      state.owners.set(ownerKey(kind, String(kind === 'phase' ? data.phase : data.step)), { name: String(data.owner), by: entry.actor, at });
      break;
    }
    case 'lead.handed':
      state.lead = { name: String(data.to), by: entry.actor, at };
      break;
    case 'module.joined':
      if (typeof data.module === 'string' && !state.joined.includes(data.module)) state.joined.push(data.module);
      break;
    // Deadline clocks themselves are computed from the answers; these entries record when
    // the runner saw a clock start or stop, so it does not record them twice.
    case 'deadline.started':
      state.deadlinesStarted.add(String(data.deadline));
      break;
    case 'deadline.met':
      state.deadlinesMet.add(String(data.deadline));
      break;
    default:
      break;
  }
}

/** Replay a sequence of entries into a fresh state: the definition `Replay` is held to. */
export function replay(id: string, entries: Iterable<EvidenceEntry>): IncidentState {
  const state = emptyState(id);
  for (const entry of entries) applyEntry(state, entry);
  return state;
}

const STEP_OPEN = Buffer.from('{"step":"', 'latin1');
const DEADLINE_OPEN = Buffer.from('{"deadline":"', 'latin1');
const SEES_OPEN = Buffer.from('"sees":{', 'latin1');
const CLOCK_TAIL = Buffer.from(`"${CLOCK_MARK}":"${CLOCK_SET_BY_HAND}"}`, 'latin1');

/**
 * The value of a leading `"name":"…"` member of the line's data, when the data starts with it and
 * the value has no escapes (step and deadline ids never do); null sends the caller to decode.
 */
function leadingId(line: ChainLine, open: Buffer): string | null {
  const { buf, dataStart: p, dataEnd } = line;
  if (p < 0) return null;
  for (let k = 0; k < open.length; k++) if (buf[p + k] !== open[k]) return null;
  const from = p + open.length;
  for (let q = from; q < dataEnd && q < from + 128; q++) {
    const c = buf[q] as number;
    if (c === 34) return buf.toString('latin1', from, q);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45)) return null;
  }
  return null;
}

/** Whether the line's data ends with the clock mark (record() puts it last). */
function endsWithClockMark(line: ChainLine): boolean {
  const { buf, dataStart, dataEnd } = line;
  if (dataStart < 0) return line.entry().data[CLOCK_MARK] === CLOCK_SET_BY_HAND;
  const from = dataEnd - CLOCK_TAIL.length;
  return from > dataStart && buf.compare(CLOCK_TAIL, 0, CLOCK_TAIL.length, from, dataEnd) === 0;
}

/**
 * The state of a whole log, built in the verifying pass: a chain visitor, then `finish` once the
 * chain has verified. Lines whose content the final state keeps only if they are the latest of
 * their kind (answers and skips, by step) are remembered by position and decoded at the end;
 * everything else is counted or decoded as it passes, which is rare for all but answers.
 */
export class Replay {
  private readonly state: IncidentState;
  /**
   * Step id → its latest answer, skip, deferral or decline, and where the current run of that
   * kind began: the fold inserts a step into `answers` (or `skipped`, …) at the first of a run, so
   * that is its order.
   */
  private readonly latest = new Map<string, { offset: number; length: number; line: number; type: string; since: number }>();
  private decoded: EvidenceEntry | null = null;
  /** The first line whose data says what its writer had read of other chains (`sees`, issue 17); 0 when none. */
  firstSees = 0;
  private seesIn: Buffer | null = null;
  private seesAt = -1;
  /** A chunk read so far holds `"sees":{` (set by `chunk`): only then are lines looked at for it. */
  private seesAhead = false;

  /** The chunk hook of the scan (ScanOptions.chunk): one search per chunk for what `firstSees` looks for. */
  readonly chunk = (bytes: Buffer): void => {
    if (!this.seesAhead && this.firstSees === 0 && bytes.indexOf(SEES_OPEN) !== -1) this.seesAhead = true;
  };

  constructor(id: string) {
    this.state = emptyState(id);
  }

  readonly visit = (line: ChainLine): void => {
    const state = this.state;
    const seq = line.line - 1;
    this.decoded = null;
    if (this.seesAhead) this.lookForSees(line);
    switch (line.type) {
      case 'step.answered':
      case 'step.skipped':
      case 'step.deferred':
      case 'step.declined': {
        const step = leadingId(line, STEP_OPEN) ?? String(this.entry(line).data.step);
        const before = this.latest.get(step);
        const since = before && before.type === line.type ? before.since : line.offset;
        this.latest.set(step, { offset: line.offset, length: line.length, line: line.line, type: line.type, since });
        if (line.type === 'step.answered') state.paused = false;
        break;
      }
      case 'note.added':
        state.notes += 1;
        break;
      case 'run.paused':
        state.paused = true;
        break;
      case 'run.resumed':
        state.paused = false;
        break;
      case 'deadline.started':
      case 'deadline.met': {
        const id = leadingId(line, DEADLINE_OPEN) ?? String(this.entry(line).data.deadline);
        (line.type === 'deadline.started' ? state.deadlinesStarted : state.deadlinesMet).add(id);
        break;
      }
      default: {
        const entry = this.entry(line);
        applyContent(state, entry, new Date(entry.at));
      }
    }
    // Drills run on a simulated clock by design: only a real incident's entries are looked at.
    if (state.opened?.drill === true) return;
    // (Read through a cast: TypeScript does not see that entry() above may have set it.)
    const decoded = this.decoded as EvidenceEntry | null;
    const marked = decoded ? decoded.data[CLOCK_MARK] === CLOCK_SET_BY_HAND : endsWithClockMark(line);
    if (marked) markClock(state, seq);
  };

  /** Whether this line, in a chunk that holds `"sees":{`, is the first whose data has `sees`. */
  private lookForSees(line: ChainLine): void {
    if (this.firstSees !== 0) return;
    // The chunk is searched once for the next `"sees":{`, not once per line; a line where it
    // falls is decoded, to tell a member of data from anything else.
    if (this.seesIn !== line.buf || (this.seesAt !== -1 && this.seesAt < line.start)) {
      this.seesIn = line.buf;
      this.seesAt = line.buf.indexOf(SEES_OPEN, line.start);
    }
    if (this.seesAt !== -1 && this.seesAt < line.end && line.entry().data.sees !== undefined) this.firstSees = line.line;
  }

  private entry(line: ChainLine): EvidenceEntry {
    this.decoded = line.entry();
    return this.decoded;
  }

  /**
   * Decodes the remembered lines (one per step) from `fd` and returns the state at `position`,
   * or the problem with a remembered line that is hash-valid but not an entry (only someone who
   * recomputed its hash can have written it: the log does not verify).
   */
  finish(fd: number, position: ChainPosition): { state: IncidentState } | { problem: ChainProblem; offset: number } {
    const state = this.state;
    // In the order the fold would have inserted them.
    const refs = [...this.latest.values()].sort((a, b) => a.since - b.since);
    for (const ref of refs) {
      const buf = Buffer.allocUnsafe(ref.length);
      readExactly(fd, buf, ref.offset);
      const entry = decodeEntry(buf.toString('utf8'), ref.line);
      if (typeof entry === 'string') return { problem: { line: ref.line, message: entry }, offset: ref.offset };
      applyStep(state, entry);
    }
    state.entries = position.entries;
    state.head = position.head;
    if (position.lastAt !== null) state.lastAt = new Date(position.lastAt);
    return { state };
  }
}

/**
 * The answers alone, as conditions and templates see them: a live view of the state's answers,
 * not a copy, so asking for it at every step of a long playbook costs nothing.
 */
export function answerValues(state: IncidentState): ReadonlyMap<string, unknown> {
  return new AnswerView(state.answers);
}

class AnswerView implements ReadonlyMap<string, unknown> {
  private readonly records: ReadonlyMap<string, AnswerRecord>;
  constructor(records: ReadonlyMap<string, AnswerRecord>) {
    this.records = records;
  }
  get size(): number {
    return this.records.size;
  }
  has(step: string): boolean {
    return this.records.has(step);
  }
  get(step: string): unknown {
    return this.records.get(step)?.value;
  }
  *entries(): MapIterator<[string, unknown]> {
    for (const [step, record] of this.records) yield [step, record.value];
  }
  keys(): MapIterator<string> {
    return this.records.keys();
  }
  *values(): MapIterator<unknown> {
    for (const record of this.records.values()) yield record.value;
  }
  forEach(callback: (value: unknown, key: string, map: ReadonlyMap<string, unknown>) => void): void {
    for (const [step, value] of this.entries()) callback(value, step, this);
  }
  [Symbol.iterator](): MapIterator<[string, unknown]> {
    return this.entries();
  }
}
