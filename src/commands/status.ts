/**
 * `leakctl status [INCIDENT]`: one incident's progress and deadline clocks (due time, time left
 * or overdue), or a table of every incident in the incidents directory, drills marked.
 */
import { basename, join } from 'node:path';
import { displayZone, loadSettings } from '../config/settings.js';
import type { Settings } from '../config/settings.js';
import { clockInWords, displayTime, spanInWords } from '../deadlines/format.js';
import { rulesOf } from '../deadlines/rules.js';
import { custodyInWords, custodyOf } from '../evidence/custody.js';
import { clockSetByHandInWords } from '../evidence/describe.js';
import type { EvidenceEntry } from '../evidence/entry.js';
import { ownerKey, type IncidentState } from '../evidence/state.js';
import { incidentIds } from '../incident/locate.js';
import { commandClock, readIncident } from '../incident/open.js';
import { playbookOf } from '../incident/playbook.js';
import type { CommonOptions } from '../options.js';
import { boardStepJson, progressOf, progressStateInWords } from '../run/progress.js';
import type { Progress } from '../run/progress.js';
import { EXIT, LeakctlError } from '../ui/errors.js';
import { Output, table } from '../ui/output.js';
import { printable } from '../ui/text.js';

const ATTACHED: ReadonlySet<string> = new Set(['evidence.attached']);

export async function run(options: CommonOptions, id: string | undefined): Promise<number> {
  const out = await Output.create(options);
  const settings = loadSettings(options);
  const now = commandClock(options).now();
  return id === undefined ? overview(options, settings, out, now) : one(options, settings, out, now, id);
}

interface Loaded {
  state: IncidentState;
  dir: string;
  progress?: Progress;
  problem?: string;
  /** The evidence attached with `leakctl attach`, with its custody (one incident's status only). */
  evidence?: EvidenceEntry[];
}

async function load(options: CommonOptions, settings: Settings, id: string, now: Date, warn: (t: string) => void, withEvidence = false): Promise<Loaded> {
  const incident = await readIncident(options, id, warn);
  const { state, dir } = incident;
  try {
    // A second pass only when there is evidence to list: the counts come from the replay. A log
    // that fails on the way is that failure (exit 3), not a playbook problem: only the playbook's
    // errors are caught below.
    const evidence: EvidenceEntry[] = [];
    if (withEvidence && state.attachedFiles > 0) for await (const e of incident.entriesOfType(ATTACHED)) evidence.push(e);
    return { ...withPlaybook(), evidence };
  } finally {
    incident.close();
  }

  function withPlaybook(): Loaded {
    try {
      const playbook = playbookOf(state, { settings, cwd: options.cwd, warn, checkTemplates: false });
      return { state, dir, progress: progressOf(playbook, state, now, rulesOf(playbook, settings)) };
    } catch (error) {
      if (!(error instanceof LeakctlError)) throw error;
      return { state, dir, problem: error.message };
    }
  }
}

async function one(options: CommonOptions, settings: Settings, out: Output, now: Date, id: string): Promise<number> {
  const { state, dir, progress, problem, evidence = [] } = await load(options, settings, id, now, (t) => out.message(t), true);
  const opened = state.opened!;
  if (options.json) {
    out.json({
      incident: id,
      dir,
      title: opened.playbook.title,
      playbook: opened.playbook.id,
      drill: opened.drill,
      opened_at: opened.at.toISOString(),
      responder: opened.responder,
      entries: state.entries,
      head: state.head,
      notes: state.notes,
      attached_files: state.attachedFiles,
      evidence: evidence.map((e) => ({ entry: e.seq, at: e.at, by: e.actor, files: e.data.files, custody: custodyOf(e.data) ?? null })),
      ...(progress
        ? {
            ...progress,
            steps: progress.steps.map(boardStepJson),
            deadlines: progress.deadlines.map(clockJson),
            conflicts: progress.conflicts.map((c) => ({ step: c.step, answers: c.answers.map((a) => ({ says: a.says, by: a.by, at: a.at.toISOString(), chain: a.chain, entry: a.entry })) })),
          }
        : { problem }),
      drafts: [...state.drafts].map(([file, d]) => ({ template: d.template, file, sha256: d.sha256, at: d.at.toISOString() })),
      closed_at: state.closed?.at.toISOString() ?? null,
      clock_set_by_hand: state.clockSetByHand,
      lead: state.lead ? { name: state.lead.name, since: state.lead.at.toISOString(), by: state.lead.by } : { name: opened.responder, since: opened.at.toISOString(), by: opened.responder },
    });
    return 0;
  }
  const { bold, dim, red, green, yellow } = out.style;
  const tz = displayZone(options, settings.config);
  out.result(bold(`Incident ${id}`) + ` — ${printable(opened.playbook.title)}${opened.drill ? yellow(' [DRILL]') : ''}`);
  out.result(dim(`Opened ${displayTime(opened.at, tz)} by ${printable(opened.responder)} · playbook ${printable(opened.playbook.id)} · ${state.entries} entries · head ${state.head ?? '-'}`));
  if (state.lead) out.result(`Lead: ${printable(state.lead.name)} ${dim(`(since ${displayTime(state.lead.at, tz)}, handed over by ${printable(state.lead.by)})`)}`);
  const warning = clockSetByHandInWords(state.clockSetByHand);
  if (warning) out.result(out.style.yellow(`⚠ ${warning}`));
  if (!progress) {
    out.result(red(printable(problem ?? 'playbook unavailable')));
    return 0;
  }
  const extra = `${progress.deferred ? `, ${progress.deferred} not yet` : ''}${progress.declined ? `, ${progress.declined} declined` : ''}`;
  const gaps = progress.steps.filter((s) => s.state === 'declined' && s.required).length;
  const headline = `State: ${progressStateInWords(progress.state)}${gaps > 0 ? `, with ${gaps} required step(s) declined` : ''}`;
  out.result(`${gaps > 0 ? red(headline) : headline} · ${progress.answered + progress.skipped + progress.declined}/${progress.total} steps done (${progress.answered} answered, ${progress.skipped} skipped${extra})`);
  for (const c of progress.conflicts) {
    out.result(red(`Answered differently, by responders who had not seen each other's answer: ${c.step}`) + dim(` (${printable(c.prompt)})`));
    for (const a of c.answers) out.result(`      ${printable(a.by)} ${printable(a.says)} ${dim(`(${displayTime(a.at, tz)}; ${a.chain} #${a.entry})`)}`);
    out.result(dim(`      Agree which stands, then record it: leakctl amend ${id} ${c.step}`));
  }
  if (state.notes + state.attachedFiles > 0) out.result(dim(`${state.notes} note(s), ${state.attachedFiles} file(s) attached with leakctl attach`));
  for (const e of evidence) {
    const names = (Array.isArray(e.data.files) ? (e.data.files as { original?: unknown; path?: unknown }[]) : []).map((f) => basename(String(f.original ?? f.path))).join(', ');
    const custody = custodyOf(e.data);
    out.result(dim(`    #${e.seq} ${printable(names)}${custody ? ` — ${printable(custodyInWords(custody, (iso) => displayTime(new Date(iso), tz)))}` : ''}`));
  }
  progress.phases.forEach((phase, i) => {
    const done = phase.answered + phase.skipped + phase.declined;
    const mark = phase.open + phase.deferred === 0 ? green('✓') : done > 0 ? yellow('…') : ' ';
    const owner = state.owners.get(ownerKey('phase', phase.id));
    out.result(`  ${mark} Phase ${i + 1}/${progress.phases.length} ${printable(phase.title)}: ${done}/${phase.total}${owner ? dim(` (${printable(owner.name)}'s)`) : ''}`);
    const steps = progress.steps.filter((s) => s.phase === i + 1);
    const open = steps.filter((s) => s.state === 'open').map((s) => (s.owner ? `${s.id} (${printable(s.owner)})` : s.id));
    // The open steps of phases under way; a phase not begun is its count alone.
    if (open.length > 0 && done + phase.deferred > 0) out.result(dim(`      open: ${open.join(', ')}`));
    for (const s of steps) {
      if (s.state === 'deferred') {
        const until = s.until ? `, remind ${displayTime(new Date(s.until), tz)}` : '';
        out.result(yellow(`      not yet: ${s.id}`) + dim(` (by ${printable(s.by ?? '?')}${until})${s.reason ? ` ${printable(s.reason)}` : ''}`));
      } else if (s.state === 'declined') {
        const line = `      won't do: ${s.id}${s.required ? ' (required: a gap)' : ''}`;
        out.result((s.required ? red(line) : line) + dim(` (by ${printable(s.by ?? '?')}) ${printable(s.reason ?? '')}`));
      }
    }
  });
  if (progress.next && progress.state !== 'closed') {
    out.result(`Next: step ${progress.next.number} (phase ${progress.next.phase}): ${printable(progress.next.prompt)}`);
    out.result(dim(`      leakctl next ${id}  ·  leakctl resume ${id}`));
  } else if (progress.deferred > 0 && progress.state !== 'closed') {
    out.result(`Only steps put off are left: leakctl next ${id}`);
  }
  out.result(bold('Deadlines'));
  if (progress.deadlines.length === 0) out.result('  none apply yet');
  for (const clock of progress.deadlines) {
    const line = `  ${printable(clock.title)}: ${clockInWords(clock, tz)}`;
    out.result(clock.status === 'overdue' || clock.status === 'met_late' ? red(line) : clock.status === 'met' ? green(line) : line);
  }
  if (state.drafts.size > 0) {
    out.result(bold('Drafts'));
    for (const [file, draft] of state.drafts) out.result(`  ${printable(draft.template)}: ${printable(join(dir, file))}`);
  }
  return 0;
}

async function overview(options: CommonOptions, settings: Settings, out: Output, now: Date): Promise<number> {
  const rows: ({ id: string; tampered?: boolean } & Partial<Loaded>)[] = [];
  for (const id of incidentIds(options.incidentsDir)) {
    try {
      const loaded = await load(options, settings, id, now, () => undefined);
      rows.push({ id, ...loaded });
    } catch (error) {
      if (!(error instanceof LeakctlError)) throw error;
      // One incident whose log does not verify must not hide the others: its row says so.
      rows.push({ id, problem: error.message, tampered: error.exitCode === EXIT.checkFailed });
    }
  }
  if (options.json) {
    out.json({
      dir: options.incidentsDir,
      incidents: rows.map((r) => ({
        incident: r.id,
        title: r.state?.opened?.playbook.title ?? null,
        playbook: r.state?.opened?.playbook.id ?? null,
        drill: r.state?.opened?.drill ?? false,
        opened_at: r.state?.opened?.at.toISOString() ?? null,
        state: r.progress?.state ?? (r.state?.closed ? 'closed' : r.tampered ? 'does_not_verify' : 'unknown'),
        answered: r.progress?.answered ?? null,
        total: r.progress?.total ?? null,
        next_deadline: nextDeadline(r.progress) ? clockJson(nextDeadline(r.progress)!) : null,
        ...(r.problem ? { problem: r.problem } : {}),
      })),
    });
    return rows.some((r) => r.tampered) ? EXIT.checkFailed : EXIT.ok;
  }
  if (rows.length === 0) {
    out.message(`No incidents in ${options.incidentsDir}. Open one with: leakctl start`);
    return 0;
  }
  const tz = displayZone(options, settings.config);
  const lines = table([
    ['INCIDENT', 'PLAYBOOK', 'OPENED', 'STATE', 'STEPS', 'NEXT DEADLINE'],
    ...rows.map((r) => {
      const deadline = nextDeadline(r.progress);
      return [
        r.id + (r.state?.opened?.drill ? ' (drill)' : ''),
        printable(r.state?.opened?.playbook.id ?? '?'),
        r.state?.opened ? displayTime(r.state.opened.at, tz) : '?',
        r.progress ? progressStateInWords(r.progress.state) : r.state?.closed ? 'closed' : r.tampered ? 'DOES NOT VERIFY' : 'unreadable',
        r.progress ? `${r.progress.answered + r.progress.skipped + r.progress.declined}/${r.progress.total}` : '-',
        deadline ? `${printable(deadline.title)}: ${deadline.status === 'overdue' ? 'OVERDUE ' : ''}${spanInWords(deadline.margin_ms ?? 0)}${deadline.status === 'overdue' ? '' : ' left'}` : '-',
      ];
    }),
  ]);
  lines.forEach((line, i) => out.result(i === 0 ? out.style.bold(line) : line));
  return tamperedIn(rows, out);
}

/** Exit 3 when any incident's log does not verify, each named with what to run (its row says so too). */
function tamperedIn(rows: readonly { id: string; tampered?: boolean; problem?: string; progress?: Progress }[], out: Output): number {
  const bad = rows.filter((r) => r.tampered);
  for (const r of rows) {
    if (r.tampered) out.message(out.style.red(`${r.id}: its evidence log does not verify; \`leakctl verify ${r.id}\` shows where`));
    else if (r.problem && !r.progress) out.message(`${r.id}: ${printable(r.problem.split('\n')[0] ?? '')}`);
  }
  return bad.length > 0 ? EXIT.checkFailed : EXIT.ok;
}


function nextDeadline(progress: Progress | undefined) {
  return progress?.deadlines
    .filter((d) => d.status === 'running' || d.status === 'overdue')
    .sort((a, b) => (a.due?.getTime() ?? 0) - (b.due?.getTime() ?? 0))[0];
}

function clockJson(clock: Progress['deadlines'][number]) {
  return {
    id: clock.id,
    title: clock.title,
    status: clock.status,
    due: clock.due?.toISOString() ?? null,
    met_at: clock.met_at?.toISOString() ?? null,
    margin_ms: clock.margin_ms ?? null,
    ...(clock.source ? { source: clock.source } : {}),
    // Only a clock from a regime has a confidence: a promise in our own terms is not law.
    ...(clock.regime ? { regime: clock.regime, confidence: clock.confidence ?? 'confirmed' } : {}),
    ...(clock.caution ? { caution: clock.caution } : {}),
  };
}
