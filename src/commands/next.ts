/**
 * `leakctl next INCIDENT [--all]`: the open steps to take next, and why (issue 10): a reminder
 * that has come due, then the steps that record a duty whose clock is running, nearest first,
 * then the playbook's order. Deferred and declined steps are listed after.
 */
import { displayZone, loadSettings } from '../config/settings.js';
import { clockInWords, displayTime } from '../deadlines/format.js';
import { rulesOf } from '../deadlines/rules.js';
import { commandClock, readIncident } from '../incident/open.js';
import { playbookOf } from '../incident/playbook.js';
import type { CommonOptions } from '../options.js';
import { boardOf, type Suggestion } from '../run/board.js';
import { boardStepJson } from '../run/progress.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

/** How many suggestions are shown without --all: enough to choose from, few enough to read. */
const SHOWN = 5;

export async function run(options: CommonOptions, id: string, opts: { all?: boolean; responder?: string }): Promise<number> {
  const out = await Output.create(options);
  const settings = loadSettings(options);
  const now = commandClock(options).now();
  const incident = await readIncident(options, id, (t) => out.message(t));
  let board;
  try {
    const playbook = playbookOf(incident.state, { settings, cwd: options.cwd, warn: (t) => out.message(t), checkTemplates: false });
    board = boardOf(playbook, incident.state, now, rulesOf(playbook, settings));
  } finally {
    incident.close();
  }
  const state = incident.state;
  const { progress, nearest } = board;
  // Mine first (issue 17): the steps owned by the responder, in the board's order, then the rest.
  const me = (opts.responder ?? settings.config.responder)?.trim().normalize('NFC');
  const suggestions = me === undefined ? board.suggestions : [...board.suggestions.filter((s) => s.step.owner === me), ...board.suggestions.filter((s) => s.step.owner !== me)];
  // A deferral whose reminder has come is among the suggestions, not listed twice.
  const suggested = new Set(suggestions.map((s) => s.step.id));
  const deferred = progress.steps.filter((s) => s.state === 'deferred' && !suggested.has(s.id));
  const declined = progress.steps.filter((s) => s.state === 'declined');
  if (options.json) {
    out.json({
      incident: id,
      now: now.toISOString(),
      closed: state.closed !== undefined,
      ...(me !== undefined ? { mine_first: me } : {}),
      nearest_deadline: nearest ? { id: nearest.id, title: nearest.title, status: nearest.status, due: nearest.due?.toISOString() ?? null, margin_ms: nearest.margin_ms ?? null } : null,
      suggestions: suggestions.map((s) => ({ ...boardStepJson(s.step), why: whyJson(s) })),
      deferred: deferred.map(boardStepJson),
      declined: declined.map(boardStepJson),
    });
    return 0;
  }
  const tz = displayZone(options, settings.config);
  const { bold, dim, red, yellow } = out.style;
  out.result(bold(`Incident ${id}`) + ` — ${printable(state.opened!.playbook.title)}`);
  if (state.closed) {
    out.result(`Closed ${displayTime(state.closed.at, tz)}; nothing more is asked.`);
    return 0;
  }
  if (nearest) {
    const line = `Nearest clock: ${printable(nearest.title)}: ${clockInWords(nearest, tz)}`;
    out.result(nearest.status === 'overdue' ? red(line) : yellow(line));
  }
  if (suggestions.length === 0) {
    out.result(deferred.length + declined.length === 0 ? 'Every step is done.' : 'No open step is left; what remains was deferred or declined (below).');
  } else {
    const shown = opts.all ? suggestions : suggestions.slice(0, SHOWN);
    out.result(bold(`Next (${shown.length} of ${suggestions.length} open):`));
    for (const s of shown) {
      out.result(`  ${s.step.id}  ${dim(`phase ${s.step.phase}, step ${s.step.number}${s.step.owner ? `, ${s.step.owner === me ? 'yours' : `${printable(s.step.owner)}'s`}` : ''}`)}  ${printable(s.step.prompt)}`);
      out.result(dim(`      why: ${printable(whyInWords(s, tz))}`));
    }
    if (shown.length < suggestions.length) out.result(dim(`  … ${suggestions.length - shown.length} more: leakctl next ${id} --all`));
  }
  if (deferred.length > 0) {
    out.result(bold(`Not yet (${deferred.length}):`));
    for (const s of deferred) {
      const until = s.until ? `, remind ${displayTime(new Date(s.until), tz)}` : '';
      const clock = board.duties.get(s.id);
      out.result(`  ${s.id}  ${dim(`phase ${s.phase}, step ${s.number}`)}  ${printable(s.prompt)}`);
      out.result(dim(`      by ${printable(s.by ?? '?')}${until}${s.reason ? `: ${printable(s.reason)}` : ''}`));
      if (clock) out.result(yellow(`      records the duty "${printable(clock.title)}": ${clockInWords(clock, tz)}`));
    }
  }
  if (declined.length > 0) {
    out.result(bold(`Will not be done (${declined.length}):`));
    for (const s of declined) {
      out.result(`  ${s.id}  ${dim(`phase ${s.phase}, step ${s.number}`)}  ${printable(s.prompt)}${s.required ? red(' (required: a gap)') : ''}`);
      out.result(dim(`      by ${printable(s.by ?? '?')}: ${printable(s.reason ?? '')}`));
    }
  }
  const first = suggestions[0]?.step ?? deferred[0];
  if (first) out.message(dim(`Next: leakctl do ${id} ${first.id}   (or: leakctl defer ${id} STEP --reason …)`));
  return 0;
}

function whyInWords(s: Suggestion, tz: string): string {
  switch (s.why.kind) {
    case 'reminder':
      return `deferred until ${displayTime(s.why.until, tz)}, which has come${s.why.reason ? ` (${s.why.reason})` : ''}`;
    case 'deadline':
      return `records the duty "${s.why.clock.title}": ${clockInWords(s.why.clock, tz)}`;
    case 'order':
      return `next in the playbook's order (phase ${s.step.phase}: ${s.why.phaseTitle})`;
  }
}

function whyJson(s: Suggestion) {
  switch (s.why.kind) {
    case 'reminder':
      return { kind: 'reminder', until: s.why.until.toISOString(), reason: s.why.reason };
    case 'deadline':
      return { kind: 'deadline', deadline: s.why.clock.id, status: s.why.clock.status, due: s.why.clock.due?.toISOString() ?? null };
    case 'order':
      return { kind: 'order' };
  }
}
