/**
 * The incident's timeline as rows (time, entry, actor, type, step, summary), read a slice at a
 * time and verified on the way, for `leakctl timeline` and the report's last section (issue 15).
 * Answers to sensitive steps are [sensitive] unless the caller asks for them.
 */
import type { Settings } from '../config/settings.js';
import { describeEntry } from '../evidence/describe.js';
import type { Incident } from '../incident/incident.js';
import { sensitiveStepsOf } from '../incident/playbook.js';

export interface TimelineRow {
  readonly time: string;
  readonly entry: number;
  readonly actor: string;
  readonly type: string;
  readonly step: string;
  readonly summary: string;
}

export const TIMELINE_COLUMNS = ['time', 'entry', 'actor', 'type', 'step', 'summary'] as const;

export interface TimelineSource {
  readonly incident: Incident;
  readonly settings: Settings;
  readonly cwd: string;
  readonly warn: (text: string) => void;
  /** Show the answers of sensitive steps (`--include-sensitive`). */
  readonly includeSensitive?: boolean;
  /** Stop after this many entries (the report: those its verification covered). */
  readonly entries?: number;
}

export async function* timelineRows(source: TimelineSource): AsyncGenerator<TimelineRow> {
  const { incident } = source;
  // Looked up at the first answer only: a log of notes alone never needs the playbook.
  let sensitive: ReadonlySet<string> | null | undefined = source.includeSensitive ? new Set() : undefined;
  for await (const e of incident.entries()) {
    if (source.entries !== undefined && e.seq >= source.entries) return;
    if (e.type === 'step.answered' && sensitive === undefined) {
      sensitive = sensitiveStepsOf(incident.state.opened!.playbook, incident.id, { settings: source.settings, cwd: source.cwd }, source.warn);
    }
    // null: the playbook could not be loaded, so every answer is hidden (describeEntry's null).
    yield { time: e.at, entry: e.seq, actor: e.actor, type: e.type, step: typeof e.data.step === 'string' ? e.data.step : '', summary: describeEntry(e, sensitive === undefined ? new Set() : sensitive) };
  }
}
