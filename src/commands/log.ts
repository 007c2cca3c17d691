/**
 * `leakctl log INCIDENT`: the evidence log as a readable timeline (`--json`: the raw entries as
 * one JSON array). Text from answers and files is shown escaped, never as terminal codes, and the
 * answers to `sensitive: true` steps as [sensitive] (the log itself keeps them: README,
 * "Sensitive answers"). `--json` is the raw log, for tools: values as recorded.
 */
import { once } from 'node:events';
import { SENSITIVE_PLACEHOLDER } from '../run/answer.js';
import { logFileOf } from '../evidence/log.js';
import { readEntries } from '../evidence/read.js';
import type { EvidenceEntry } from '../evidence/entry.js';
import { loadConfig } from '../config/settings.js';
import { displayTime } from '../deadlines/format.js';
import type { CommonOptions } from '../options.js';
import { existingIncident } from '../run/locate.js';
import { Output } from '../ui/output.js';
import { printable, terminalSafeJson } from '../ui/text.js';

/** What `log` shows instead of a sensitive step's answer (the same words as run/answer.ts). */
/** What it shows for every answer when it cannot tell which are sensitive. */
const HIDDEN = '[hidden: playbook unavailable]';

export async function run(options: CommonOptions, id: string): Promise<number> {
  const out = await Output.create(options);
  const dir = existingIncident(options, id);
  const timeZone = loadConfig(options).timezone;
  let opened: EvidenceEntry | undefined;
  // undefined: not looked up yet; null: the playbook is unavailable, every answer is hidden.
  let sensitive: ReadonlySet<string> | null | undefined;
  let first = true;
  // Written with back-pressure, so that a million-entry log piped somewhere slow stays in
  // bounded memory instead of queueing in the stream.
  const write = async (text: string): Promise<void> => {
    if (!options.stdout.write(text)) await once(options.stdout, 'drain');
  };
  if (options.json) await write('[');
  for await (const line of readEntries(logFileOf(dir))) {
    if (options.json) {
      if (line.entry) {
        // The raw line, with the controls JSON.stringify leaves as they are (C1, bidi) written
        // as \u escapes: the same JSON value, but nothing a terminal would act on.
        await write(`${first ? '\n' : ',\n'}${terminalSafeJson(line.raw)}`);
        first = false;
      }
      // A JSON parser's message quotes the line, which may hold anything: escaped.
      if (line.torn || line.error) out.message(`line ${line.line}: ${printable(line.error ?? 'torn')} (left out)`);
      continue;
    }
    if (!line.entry) {
      await write(out.style.red(`line ${line.line}: ${printable(line.error ?? 'not an entry')}${line.torn ? '; `leakctl resume` sets it aside' : ''}`) + '\n');
      continue;
    }
    const e = line.entry;
    if (e.type === 'incident.opened') opened = e;
    // The playbook says which steps are sensitive; it is loaded only once an answer needs it.
    if (e.type === 'step.answered' && sensitive === undefined) {
      sensitive = opened ? await sensitiveSteps(options, id, opened, (t) => out.message(t)) : null;
    }
    await write(`${out.style.dim(displayTime(new Date(e.at), timeZone))}  ${out.style.dim(`#${e.seq}`)}  ${printable(e.actor)}  ${out.style.bold(e.type)}  ${printable(describe(e, sensitive))}\n`);
  }
  if (options.json) await write(first ? ']\n' : '\n]\n');
  return 0;
}

/**
 * The ids of the sensitive steps of the incident's playbook: the file recorded when the incident
 * was opened, else the same id in the search path. Its notices are not checked against the
 * templates here: `log` needs only the steps. When no playbook can be loaded, the log cannot
 * tell which answers are sensitive, and hides every answer rather than guess (null).
 */
async function sensitiveSteps(options: CommonOptions, id: string, opened: EvidenceEntry, warn: (text: string) => void): Promise<ReadonlySet<string> | null> {
  const [{ loadSettings }, { loadRecordedPlaybook }, { LeakctlError }] = await Promise.all([
    import('../config/settings.js'),
    import('../run/incident.js'),
    import('../ui/errors.js'),
  ]);
  const recorded = (opened.data.playbook ?? {}) as { id?: unknown; file?: unknown; sha256?: unknown };
  try {
    const playbook = loadRecordedPlaybook(id, recorded, loadSettings(options), options.cwd, () => undefined, false);
    return new Set(playbook.phases.flatMap((phase) => phase.steps.filter((step) => step.sensitive).map((step) => step.id)));
  } catch (error) {
    if (!(error instanceof LeakctlError)) throw error;
    warn(
      `warning: the incident's playbook cannot be loaded (${printable(error.message.split('\n')[0] ?? '')}), so answers to sensitive steps cannot be told apart: every answer is shown as ${HIDDEN}. Add the playbook's directory with --playbooks DIR, or read the raw entries with --json.`,
    );
    return null;
  }
}

/** One line of what the entry says, in the responder's words. */
export function describe(entry: EvidenceEntry, sensitive: ReadonlySet<string> | null = new Set()): string {
  const d = entry.data as Record<string, unknown>;
  switch (entry.type) {
    case 'incident.opened': {
      const p = d.playbook as { id: string; title: string };
      return `${p.title} (playbook ${p.id})${d.drill ? ', DRILL' : ''}`;
    }
    case 'step.answered':
      return `${String(d.step)} = ${sensitive === null ? HIDDEN : sensitive.has(String(d.step)) ? SENSITIVE_PLACEHOLDER : showValue(d.value)}${d.source === 'answers' ? ' (from answers file)' : ''}`;
    case 'step.skipped':
      return `${String(d.step)} skipped: ${String(d.reason)}`;
    case 'note.added':
      return String(d.text);
    case 'evidence.attached':
      return (d.files as { original?: string; path: string; sha256: string }[]).map((f) => `${f.original ?? f.path} (sha256 ${f.sha256.slice(0, 12)}…)`).join(', ');
    case 'deadline.started':
      return `${String(d.title ?? d.deadline)}: due ${String(d.due)}`;
    case 'deadline.met':
      return `${String(d.deadline)} met at ${String(d.met_at)}${d.on_time ? ', on time' : ', LATE'}`;
    case 'notice.rendered':
      return `${String(d.template)} → ${String(d.file)}`;
    case 'run.paused':
      return `paused${d.at_step ? ` at ${String(d.at_step)}` : ''}`;
    case 'run.resumed':
      return `resumed${d.at_step ? ` at ${String(d.at_step)}` : ''}`;
    case 'incident.closed':
      return 'closed';
  }
}

function showValue(value: unknown): string {
  if (typeof value === 'string') return value.includes('\n') ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}
