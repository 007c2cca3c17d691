/**
 * The incident's state, derived by replaying its evidence log: the log is the single source of
 * truth (SPEC section 4), and nothing caches this state in a second file. The latest answer to a
 * step wins; earlier ones stay in the log.
 */
import type { EvidenceEntry } from './entry.js';

export interface OpenedInfo {
  readonly at: Date;
  readonly playbook: { id: string; title: string; version?: string; sha256: string; file?: string };
  readonly drill: boolean;
  readonly responder: string;
}

export interface AnswerRecord {
  readonly value: unknown;
  readonly at: Date;
  readonly actor: string;
  readonly source: string;
  readonly seq: number;
}

export interface IncidentState {
  readonly id: string;
  opened?: OpenedInfo;
  /** Step id → the latest answer. */
  readonly answers: Map<string, AnswerRecord>;
  /** Step id → reason, for steps whose latest event is a skip. */
  readonly skipped: Map<string, string>;
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
  entries: number;
  head: string | null;
  lastAt?: Date;
}

export function emptyState(id: string): IncidentState {
  return {
    id,
    answers: new Map(),
    skipped: new Map(),
    notes: 0,
    attachedFiles: 0,
    drafts: new Map(),
    deadlinesStarted: new Set(),
    deadlinesMet: new Set(),
    paused: false,
    entries: 0,
    head: null,
  };
}

/** Apply one entry to the state (replay is a fold of this over the log). */
export function applyEntry(state: IncidentState, entry: EvidenceEntry): void {
  const at = new Date(entry.at);
  const data = entry.data as Record<string, unknown>;
  switch (entry.type) {
    case 'incident.opened':
      state.opened = {
        at,
        playbook: data.playbook as OpenedInfo['playbook'],
        drill: data.drill === true,
        responder: String(data.responder ?? entry.actor),
      };
      break;
    case 'step.answered': {
      const step = String(data.step);
      state.answers.set(step, { value: data.value, at, actor: entry.actor, source: String(data.source), seq: entry.seq });
      state.skipped.delete(step);
      state.paused = false;
      break;
    }
    case 'step.skipped': {
      const step = String(data.step);
      state.answers.delete(step);
      state.skipped.set(step, String(data.reason ?? ''));
      break;
    }
    case 'note.added':
      state.notes += 1;
      break;
    case 'evidence.attached':
      state.attachedFiles += Array.isArray(data.files) ? data.files.length : 0;
      break;
    case 'notice.rendered':
      state.drafts.set(String(data.file), { at, template: String(data.template), sha256: String(data.sha256) });
      break;
    case 'run.paused':
      state.paused = true;
      break;
    case 'run.resumed':
      state.paused = false;
      break;
    case 'incident.closed':
      state.closed = { at, actor: entry.actor };
      break;
    // Deadline clocks themselves are computed from the answers; these entries record when
    // the runner saw a clock start or stop, so it does not record them twice.
    case 'deadline.started':
      state.deadlinesStarted.add(String(data.deadline));
      break;
    case 'deadline.met':
      state.deadlinesMet.add(String(data.deadline));
      break;
  }
  state.entries = entry.seq + 1;
  state.head = entry.hash;
  state.lastAt = at;
}

/** Replay a sequence of entries into a fresh state. */
export async function replay(id: string, entries: AsyncIterable<EvidenceEntry> | Iterable<EvidenceEntry>): Promise<IncidentState> {
  const state = emptyState(id);
  for await (const entry of entries) applyEntry(state, entry);
  return state;
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
