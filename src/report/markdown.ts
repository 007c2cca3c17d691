/**
 * The report in Markdown (`leakctl report --format md`): the same sections and words as the HTML,
 * for a wiki, a ticket or a pull request. Every value is escaped so that no answer becomes markup
 * (a link, an image, raw HTML) when the Markdown is shown.
 */
import { custodyInWords } from '../evidence/custody.js';
import { cautionOf, displayTime } from '../deadlines/format.js';
import type { RecordField } from '../schemas/playbook.js';
import { groupThousands, printable } from '../ui/text.js';
import { factText } from './facts.js';
import type { ReportModel } from './model.js';
import type { TimelineRow } from './timeline.js';
import { art33Label, ART33_ROWS, DECISIONS_INTRO, asTimeText, causeInWords, drillInWords, sensitiveInWords, unansweredInWords, verifiedInWords, clockStatusInWords, incidentStateInWords, independentCheck, markInWords, sealsInWords, noticeStandingInWords, stepsNotDone, SUMMARY_FIELDS, SUMMARY_LABELS } from './words.js';

/**
 * Escaped for Markdown: the characters that make inline markup backslashed (and those that start a
 * block, where they start the text), & and < as entities, lines joined with <br>.
 */
export function md(text: string): string {
  return printable(text)
    .replace(/[\\`*_[\]|~]/g, (ch) => `\\${ch}`)
    .replace(/^([#+\-=>])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/\r?\n/g, '<br>');
}

const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
const header = (cells: readonly string[]): string => `${row(cells)}\n${row(cells.map(() => '---'))}`;

export function markdownHead(model: ReportModel): string {
  const { incident, playbook, progress, facts, zone } = model;
  const state = incident.state;
  const opened = state.opened!;
  const when = (d: Date | undefined): string => (d ? md(displayTime(d, zone)) : '—');
  const asTime = (text: string): string => asTimeText(text, zone);
  const fact = (field: RecordField): string => md(asTime(factText(facts.get(field), '\n'))) || '*not answered*';
  const out: string[] = [];
  out.push(`# Incident report: ${md(incident.id)}`, '');
  out.push(`**${md(drillInWords(opened.drill))}.** ${md(playbook.title)}`, '');
  out.push(`Written by leakctl at ${when(model.generatedAt)} from the incident's evidence log (${groupThousands(model.verification.entries)} entries, head \`${model.verification.head ?? '-'}\`). ${model.includeSensitive ? `**${md(sensitiveInWords(true))}**` : md(sensitiveInWords(false))}`, '');

  out.push('## Summary', '');
  out.push(`- **Incident:** ${md(incident.id)}, ${opened.drill ? 'a drill' : 'a real incident'}`);
  out.push(`- **Cause:** ${md(causeInWords(playbook.cause))}`);
  out.push(`- **Playbook:** ${md(playbook.title)} (${md(playbook.id)}${playbook.version ? `, version ${md(playbook.version)}` : ''})`);
  for (const field of SUMMARY_FIELDS) out.push(`- **${SUMMARY_LABELS[field] ?? field}:** ${fact(field)}`);
  out.push(`- **Opened:** ${when(opened.at)} by ${md(opened.responder)}`);
  out.push(`- **Closed:** ${state.closed ? `${when(state.closed.at)} by ${md(state.closed.actor)}` : 'not closed'}`);
  if (opened.signatory) out.push(`- **Notices signed by:** ${md(`${opened.signatory.name}${opened.signatory.role ? `, ${opened.signatory.role}` : ''}`)}`);
  out.push(`- **Where it stands:** ${md(incidentStateInWords(progress.state))}: ${progress.answered + progress.skipped + progress.declined} of ${progress.total} steps done (${progress.answered} answered, ${progress.skipped} skipped, ${progress.declined} declined, ${progress.deferred} put off, ${progress.open} open)`, '');

  out.push('## Legal clocks', '');
  if (model.clocks.length === 0) out.push('No legal deadline applies on the answers given.', '');
  else {
    out.push(header(['Deadline', 'Started', 'Due', 'Met', 'Standing', 'Law']));
    for (const c of model.clocks) {
      const caution = cautionOf(c).trim();
      out.push(row([md(c.title), when(c.started_at), when(c.due), when(c.met_at), `${md(clockStatusInWords(c))}${caution ? `<br>${md(caution)}` : ''}`, md(c.source ?? '')]));
    }
    out.push('');
  }

  out.push('## Decisions', '', md(DECISIONS_INTRO), '');
  if (model.decisions.length === 0) out.push('None yet.', '');
  else {
    out.push(header(['Question', 'Decision', 'By', 'When', 'Reason']));
    for (const d of model.decisions) out.push(row([`${md(d.prompt)} (${md(d.step)})`, md(d.answer), md(d.by ?? '—'), when(d.at), md(d.reason ?? '—')]));
    out.push('');
  }

  out.push('## What the authority must be told (GDPR Art. 33(3))', '');
  out.push(header(['Element', 'Answer', 'Given by']));
  for (const [letter, fields] of ART33_ROWS) {
    for (const field of fields) {
      const f = facts.get(field)!;
      const text = factText(f, '\n');
      out.push(row([`${letter} ${md(art33Label(field))}`, text ? md(asTime(text)) : `*${md(unansweredInWords(f.asked))}*`, (f.answers.length > 0 ? f.answers.map((a) => `${md(a.by)}, ${md(displayTime(a.at, zone))}`).join('<br>') : md(f.otherwise?.source ?? '')) || '—']));
    }
  }
  out.push('');

  out.push('## The record of the breach (GDPR Art. 33(5))', '');
  if (model.records.length === 0) out.push('The playbook renders no record template for this incident.', '');
  for (const r of model.records) {
    if (r.needs) out.push(`### ${md(r.title)}`, '', `Not complete yet: it needs the answers to ${r.needs.map(md).join(', ')}.`, '');
    else out.push(...r.body!.split(/\n{2,}/).map((p, i) => (i === 0 || r.headings.includes(p.trim()) ? `#### ${md(p.trim())}\n` : `> ${p.split('\n').map(md).join('<br>')}\n`)), '');
  }

  out.push('## Notices rendered', '');
  if (model.notices.length === 0) out.push('No notice rendered yet.', '');
  else {
    out.push(header(['Template', 'File', 'Written', 'By', 'SHA-256', 'Standing']));
    for (const n of model.notices) out.push(row([md(n.template), md(n.file), when(n.at), md(n.by), `\`${n.sha256}\``, noticeStandingInWords(n.standing)]));
    out.push('');
  }

  out.push('## Evidence and its custody', '');
  if (model.custody.length === 0) out.push('No file attached.', '');
  else {
    out.push(header(['File', 'Collected', 'Stored as', 'SHA-256', 'Size', 'Added by', 'When', 'How added']));
    for (const c of model.custody) {
      const file = `${md(c.original)}${c.custody?.description ? ` (${md(c.custody.description)})` : ''}${c.modified ? `, modified ${when(c.modified)}` : ''}`;
      const collected = c.custody ? md(custodyInWords({ ...c.custody, description: '' }, (iso) => when(new Date(iso)))) : 'not stated';
      out.push(row([file, collected, md(c.stored), `\`${md(c.sha256)}\``, `${groupThousands(c.bytes)} bytes`, md(c.by), when(c.at), `${c.step ? `the answer to ${md(c.step)}` : 'leakctl attach'} (entry #${c.entry})`]));
    }
    out.push('');
  }

  out.push('## Steps open, put off or declined', '');
  const { open, marked } = stepsNotDone(progress);
  if (open.length + marked.length === 0) out.push('Every step that applies is done.', '');
  if (marked.length > 0) {
    out.push('Put off or declined:', '', header(['Step', 'Standing', 'By', 'When', 'Reason']));
    for (const s of marked) out.push(row([`${md(s.prompt)} (${md(s.id)})`, md(markInWords(s, zone)), md(s.by ?? '—'), when(s.at), md(s.reason ?? '—')]));
    out.push('');
  }
  if (open.length > 0) {
    out.push('Still open:', '', header(['Phase', 'Step', 'Required', 'Note']));
    for (const s of open) out.push(row([String(s.phase), `${md(s.prompt)} (${md(s.id)})`, s.required ? 'yes' : 'no', md(s.reason ?? '')]));
    out.push('');
  }

  const v = model.verification;
  out.push('## Verification', '');
  out.push(v.ok ? md(verifiedInWords(v)) : `**${md(verifiedInWords(v))}** ${v.problems.map(md).join(' ')}`, '');
  out.push(`- **Entries:** ${groupThousands(v.entries)}`, `- **Head hash:** \`${v.head ?? '-'}\``, '');
  if (v.sealed.length > 0) out.push('Seals:', '', ...v.sealed.map((line) => `- ${md(line)}`), '');
  for (const line of sealsInWords(v)) out.push(md(line), '');
  out.push(md(independentCheck(incident.id, v.head)), '', '```', `leakctl verify ${incident.id} --head ${v.head ?? ''}`, '```', '');

  out.push('## Timeline', '', header(['Time', '#', 'Who', 'Entry', 'Step', 'What']));
  return `${out.join('\n')}\n`;
}

/** One row of the timeline; `time` shows an entry's time (words.ts, timeShown). */
export function markdownTimelineRow(r: TimelineRow, time: (iso: string) => string): string {
  return `${row([md(time(r.time)), String(r.entry), md(r.actor), md(r.type), md(r.step), md(r.summary)])}\n`;
}
