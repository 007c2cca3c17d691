/**
 * `leakctl log INCIDENT`: the evidence log as a readable timeline (`--json`: the raw entries as
 * one JSON array). Text from answers and files is shown escaped, never as terminal codes.
 */
import { once } from 'node:events';
import { logFileOf } from '../evidence/log.js';
import { readEntries } from '../evidence/read.js';
import type { EvidenceEntry } from '../evidence/entry.js';
import { loadConfig } from '../config/settings.js';
import { displayTime } from '../deadlines/format.js';
import type { CommonOptions } from '../options.js';
import { existingIncident } from '../run/locate.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export async function run(options: CommonOptions, id: string): Promise<number> {
  const out = await Output.create(options);
  const dir = existingIncident(options, id);
  const timeZone = loadConfig(options).timezone;
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
        await write(`${first ? '\n' : ',\n'}${line.raw}`);
        first = false;
      }
      if (line.torn || line.error) out.message(`line ${line.line}: ${line.error ?? 'torn'} (left out)`);
      continue;
    }
    if (!line.entry) {
      await write(out.style.red(`line ${line.line}: ${line.error ?? 'not an entry'}${line.torn ? '; `leakctl resume` sets it aside' : ''}`) + '\n');
      continue;
    }
    const e = line.entry;
    await write(`${out.style.dim(displayTime(new Date(e.at), timeZone))}  ${out.style.dim(`#${e.seq}`)}  ${printable(e.actor)}  ${out.style.bold(e.type)}  ${printable(describe(e))}\n`);
  }
  if (options.json) await write(first ? ']\n' : '\n]\n');
  return 0;
}

/** One line of what the entry says, in the responder's words. */
export function describe(entry: EvidenceEntry): string {
  const d = entry.data as Record<string, unknown>;
  switch (entry.type) {
    case 'incident.opened': {
      const p = d.playbook as { id: string; title: string };
      return `${p.title} (playbook ${p.id})${d.drill ? ', DRILL' : ''}`;
    }
    case 'step.answered':
      return `${String(d.step)} = ${showValue(d.value)}${d.source === 'answers' ? ' (from answers file)' : ''}`;
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
