/**
 * The incident's timeline as rows (time, entry, actor, type, step, summary), for `leakctl
 * timeline` (read a slice at a time and verified on the way) and the report's last section (made
 * in the pass that verifies the log, report/model.ts). Answers to sensitive steps are [sensitive].
 */
import type { Settings } from '../config/settings.js';
import { describeEntry } from '../evidence/describe.js';
import type { EvidenceEntry } from '../evidence/entry.js';
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
}

/** One entry as a row; `sensitive`: the sensitive steps' ids, or null to hide every answer (describeEntry). */
export function timelineRow(e: EvidenceEntry, sensitive: ReadonlySet<string> | null): TimelineRow {
  return { time: e.at, entry: e.seq, actor: e.actor, type: e.type, step: typeof e.data.step === 'string' ? e.data.step : '', summary: describeEntry(e, sensitive) };
}

export async function* timelineRows(source: TimelineSource): AsyncGenerator<TimelineRow> {
  const { incident } = source;
  // Looked up at the first answer only: a log of notes alone never needs the playbook.
  let sensitive: ReadonlySet<string> | null | undefined;
  for await (const e of incident.entries()) {
    if (e.type === 'step.answered' && sensitive === undefined) {
      sensitive = sensitiveStepsOf(incident.state.opened!.playbook, incident.id, { settings: source.settings, cwd: source.cwd }, source.warn);
    }
    // null: the playbook could not be loaded, so every answer is hidden (describeEntry's null).
    yield timelineRow(e, sensitive === undefined ? new Set() : sensitive);
  }
}
