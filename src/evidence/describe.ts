/**
 * An entry in words, one line, as `leakctl log` shows it and as a session shows what someone else
 * added ("note added by lee: …"). Answers to sensitive steps are never shown (README, "Sensitive
 * answers"); the log itself keeps them. Callers escape the text for the terminal.
 */
import { custodyInWords, custodyOf } from './custody.js';
import type { EvidenceEntry } from './entry.js';

/** Placeholder for a sensitive step's value wherever leakctl would otherwise show it. */
export const SENSITIVE_PLACEHOLDER = '[sensitive]';
/** Shown for every answer when the playbook that says which are sensitive cannot be loaded. */
export const HIDDEN_ANSWER = '[hidden: playbook unavailable]';

/** `sensitive`: the ids of the sensitive steps, or null when unknown (every answer hidden). */
export function describeEntry(entry: EvidenceEntry, sensitive: ReadonlySet<string> | null = new Set()): string {
  const d = entry.data;
  switch (entry.type) {
    case 'incident.opened': {
      const p = (d.playbook ?? {}) as { id?: unknown; title?: unknown };
      return `${String(p.title)} (playbook ${String(p.id)})${d.drill ? ', DRILL' : ''}`;
    }
    case 'step.answered': {
      const value = sensitive === null ? HIDDEN_ANSWER : sensitive.has(String(d.step)) ? SENSITIVE_PLACEHOLDER : showValue(d.value);
      return `${String(d.step)} = ${value}${d.source === 'answers' ? ' (from answers file)' : ''}`;
    }
    case 'step.skipped':
      return `${String(d.step)} skipped: ${String(d.reason)}`;
    case 'step.deferred':
      return `${String(d.step)} not yet${d.reason ? `: ${String(d.reason)}` : ''}${d.until ? ` (remind at ${String(d.until)})` : ''}`;
    case 'step.declined':
      return `${String(d.step)} will not be done: ${String(d.reason)}`;
    case 'note.added':
      return String(d.text);
    case 'evidence.attached': {
      const files = (Array.isArray(d.files) ? (d.files as { original?: string; path: string; sha256: string; modified?: string }[]) : [])
        .map((f) => `${f.original ?? f.path} (sha256 ${String(f.sha256).slice(0, 12)}…${f.modified ? `, modified ${f.modified}` : ''})`)
        .join(', ');
      const custody = custodyOf(d);
      return custody ? `${files}; ${custodyInWords(custody)}` : files;
    }
    case 'deadline.started':
      return `${String(d.title ?? d.deadline)}: due ${String(d.due)}`;
    case 'deadline.met':
      return `${String(d.deadline)} met at ${String(d.met_at)}${d.on_time ? ', on time' : ', LATE'}`;
    case 'notice.rendered':
      return `${String(d.template)} → ${String(d.file)}`;
    case 'notice.withdrawn':
      return `${String(d.file)} → ${String(d.moved_to)}: ${String(d.reason)}`;
    case 'run.paused':
      return `paused${d.at_step ? ` at ${String(d.at_step)}` : ''}`;
    case 'run.resumed':
      return `resumed${d.at_step ? ` at ${String(d.at_step)}` : ''}`;
    case 'incident.closed':
      return 'closed';
    case 'module.joined':
      return `${String(d.title ?? d.module)} (module ${String(d.module)}) joins the incident`;
    case 'step.assigned':
      return `${d.phase !== undefined ? `phase ${String(d.phase)}` : String(d.step)} is ${String(d.owner)}'s`;
    case 'lead.handed':
      return `${String(d.to)} leads the response from now`;
    case 'responder.joined':
      return `from another copy of the incident, writing chains/${String(d.writer)}.jsonl`;
    case 'checkpoint.sealed':
      return `sealed the first ${String(d.size)} entries (head ${String(d.head).slice(0, 12)}…)${sealedChainsInWords(d.chains)} in ${String(d.checkpoint)}, signed with key ${String(d.key)}`;
  }
}

/** The other responders' chains a seal covered (issue 17), as `, and 3 of lee's`. */
function sealedChainsInWords(chains: unknown): string {
  if (chains === null || typeof chains !== 'object') return '';
  return Object.entries(chains as Record<string, unknown>)
    .map(([writer, n]) => `, and ${String(n)} of ${writer}'s`)
    .join('');
}

/** What a session says when another process added an entry: "note added by lee: …". */
export function otherInWords(entry: EvidenceEntry, sensitive: ReadonlySet<string> | null): string {
  const what: Record<string, string> = {
    'note.added': 'note added',
    'evidence.attached': 'evidence attached',
    'step.answered': 'step answered',
    'step.skipped': 'step skipped',
    'step.deferred': 'step deferred',
    'step.declined': 'step declined',
    'module.joined': 'module joined',
    'notice.rendered': 'draft rendered',
    'notice.withdrawn': 'draft withdrawn',
    'incident.closed': 'incident closed',
    'checkpoint.sealed': 'checkpoint sealed',
    'step.assigned': 'assigned',
    'lead.handed': 'lead handed over',
    'responder.joined': 'joined',
  };
  return `${what[entry.type] ?? entry.type} by ${entry.actor}: ${describeEntry(entry, sensitive)}`;
}

function showValue(value: unknown): string {
  if (typeof value === 'string') return value.includes('\n') ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/** What a real incident's entries written with a clock set by hand amount to (issue 8), or null. */
export function clockSetByHandInWords(mark: { entries: number; first: number } | null): string | null {
  if (!mark) return null;
  const n = mark.entries;
  return `${n} ${n === 1 ? 'entry' : 'entries'} of this real incident (from #${mark.first}) ${n === 1 ? 'was' : 'were'} written with a clock set by hand (--now, LEAKCTL_NOW or an answers file), not the wall clock: ${n === 1 ? 'its time is' : 'their times are'} not the moment ${n === 1 ? 'it was' : 'they were'} recorded.`;
}
