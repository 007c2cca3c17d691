/**
 * The report as one self-contained HTML file (issue 15): inline CSS, the clocks drawn as inline
 * SVG, no script and nothing fetched, so it opens the same from a mail attachment, a USB stick or
 * an archive in ten years, and prints to A4 through its print styles. Every value from the log is
 * escaped; controls and bidi overrides are shown as \u{…} like everywhere else.
 */
import type { DeadlineClock } from '../deadlines/compute.js';
import { cautionOf, displayTime } from '../deadlines/format.js';
import { htmlBlocks } from '../notices/eml.js';
import type { RecordField } from '../schemas/playbook.js';
import { escapeHtml, groupThousands, printable } from '../ui/text.js';
import { factText } from './facts.js';
import type { CustodyRow, ReportModel } from './model.js';
import { art33Label, ART33_ROWS, DECISIONS_INTRO, asTimeText, causeInWords, drillInWords, sensitiveInWords, unansweredInWords, verifiedInWords, clockStatusInWords, incidentStateInWords, independentCheck, markInWords, sealsInWords, noticeStandingInWords, stepsNotDone, SUMMARY_FIELDS, SUMMARY_LABELS } from './words.js';
import type { TimelineRow } from './timeline.js';

/** Escaped for HTML, with controls made visible. */
const h = (text: string): string => escapeHtml(printable(text));

const STYLE = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;background:#fff;margin:0}
main{max-width:68rem;margin:0 auto;padding:1.5rem 1.25rem 3rem}
h1{font-size:1.75rem;margin:0 0 .25rem}
h2{font-size:1.35rem;margin:2.25rem 0 .5rem;padding-bottom:.2rem;border-bottom:2px solid #d0d7de}
h3{font-size:1.1rem;margin:1.5rem 0 .4rem}
h4{font-size:1rem;margin:1.2rem 0 .3rem}
p{margin:0 0 .75rem}
.muted{color:#4a4a4a}
.drill{display:inline-block;background:#fff4ce;border:2px solid #8a6100;color:#5c4000;font-weight:700;padding:.15rem .6rem;border-radius:.25rem}
.real{display:inline-block;border:2px solid #1a1a1a;font-weight:700;padding:.15rem .6rem;border-radius:.25rem}
nav ol{columns:2;margin:.5rem 0 0;padding-left:1.25rem}
a{color:#0b4f9c}
dl.facts{display:grid;grid-template-columns:minmax(9rem,14rem) 1fr;gap:.35rem 1rem;margin:0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;white-space:pre-wrap}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.9rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #c4c9d0;padding:.3rem .45rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#eef1f4}
td.text{white-space:pre-wrap}
.when{white-space:nowrap}
.hash,code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.85em;overflow-wrap:anywhere}
.late,.overdue{color:#a4001d;font-weight:700}
.met{color:#1b5e20;font-weight:600}
.gap{color:#a4001d}
.none{color:#4a4a4a;font-style:italic}
.chart{width:100%;height:auto;border:1px solid #c4c9d0;background:#fff}
.record{border-left:4px solid #c4c9d0;padding:.25rem 0 .25rem 1rem}
.ok{color:#1b5e20;font-weight:700}
.fail{color:#a4001d;font-weight:700}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f4f6f8;padding:.6rem;border-radius:.25rem}
@media print{
  @page{size:A4;margin:14mm 12mm}
  body{font-size:10.5pt}
  main{max-width:none;padding:0}
  nav{display:none}
  table{font-size:9pt}
  .hash,code{font-size:8pt}
  h2{break-after:avoid}
  tr,.chart,dl.facts{break-inside:avoid}
  thead{display:table-header-group}
  a{color:inherit;text-decoration:none}
}
`;

export interface HtmlOptions {
  readonly zone: string;
}

const SECTIONS = [
  ['summary', 'Summary'],
  ['clocks', 'Legal clocks'],
  ['decisions', 'Decisions'],
  ['art33', 'What the authority must be told (GDPR Art. 33(3))'],
  ['record', 'The record of the breach (GDPR Art. 33(5))'],
  ['notices', 'Notices rendered'],
  ['custody', 'Evidence and its custody'],
  ['steps', 'Steps open, put off or declined'],
  ['verification', 'Verification'],
  ['timeline', 'Timeline'],
] as const;

/** Everything before the timeline's rows. */
export function htmlHead(model: ReportModel, opts: HtmlOptions): string {
  const { incident } = model;
  const opened = incident.state.opened!;
  const when = (d: Date | undefined): string => (d ? h(displayTime(d, opts.zone)) : '<span class="none">—</span>');
  const parts: string[] = [];
  parts.push(
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing may be fetched: not a script, a font, an image nor a style sheet.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="generator" content="leakctl">',
    `<title>Incident report ${h(incident.id)}: ${h(opened.playbook.title)}${opened.drill ? ' (drill)' : ''}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    '<header>',
    `<h1>Incident report: ${h(incident.id)}</h1>`,
    `<p><span class="${opened.drill ? 'drill' : 'real'}">${h(drillInWords(opened.drill))}</span> ${h(opened.playbook.title)}</p>`,
    `<p class="muted">Written by leakctl at ${when(model.generatedAt)} from the incident's evidence log (${groupThousands(model.verification.entries)} entries, head <span class="hash">${h(model.verification.head ?? '-')}</span>). ${model.includeSensitive ? `<strong>${h(sensitiveInWords(true))}</strong>` : h(sensitiveInWords(false))}</p>`,
    '</header>',
    '<nav aria-label="Contents"><h2 id="contents">Contents</h2><ol>',
    ...SECTIONS.map(([id, title]) => `<li><a href="#${id}">${h(title)}</a></li>`),
    '</ol></nav>',
  );
  parts.push(summary(model, when), clocks(model, opts, when), decisions(model, when), art33(model), records(model), notices(model, when), custody(model, when), steps(model, when), verification(model));
  parts.push(
    `<section aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>`,
    `<p>Every entry of the evidence log in order, as written. Times are ${h(opts.zone)}.</p>`,
    '<table><caption>The evidence log, entry by entry</caption><thead><tr><th scope="col">Time</th><th scope="col">#</th><th scope="col">Who</th><th scope="col">Entry</th><th scope="col">Step</th><th scope="col">What</th></tr></thead><tbody>',
  );
  return parts.join('\n');
}

/** One row of the timeline; `time` shows an entry's time (words.ts, timeShown). */
export function htmlTimelineRow(row: TimelineRow, time: (iso: string) => string): string {
  return `<tr><td>${h(time(row.time))}</td><td>${row.entry}</td><td>${h(row.actor)}</td><td>${h(row.type)}</td><td>${h(row.step)}</td><td class="text">${h(row.summary)}</td></tr>\n`;
}

export function htmlTail(): string {
  return '</tbody></table></section>\n</main>\n</body>\n</html>\n';
}

function summary(model: ReportModel, when: (d: Date | undefined) => string): string {
  const { incident, playbook, progress, facts } = model;
  const state = incident.state;
  const opened = state.opened!;
  const fact = (field: RecordField): string => {
    const text = factText(facts.get(field), '\n\n');
    return text ? h(text) : '<span class="none">not answered</span>';
  };
  const dateFact = (field: RecordField): string => {
    const first = facts.get(field)?.answers[0];
    return first ? h(asTimeText(first.text, model.zone)) : '<span class="none">not answered</span>';
  };
  const rows: [string, string][] = [
    ['Incident', `${h(incident.id)}, ${opened.drill ? 'a drill' : 'a real incident'}`],
    ['Cause', h(causeInWords(playbook.cause))],
    ['Playbook', `${h(playbook.title)} (<code>${h(playbook.id)}</code>${playbook.version ? `, version ${h(playbook.version)}` : ''})`],
    ...SUMMARY_FIELDS.map((field): [string, string] => [SUMMARY_LABELS[field] ?? field, field === 'discovered' || field === 'contained' ? dateFact(field) : fact(field)]),
    ['Opened', `${when(opened.at)} by ${h(opened.responder)}`],
    ['Closed', state.closed ? `${when(state.closed.at)} by ${h(state.closed.actor)}` : '<span class="none">not closed</span>'],
    ['Where it stands', `${h(incidentStateInWords(progress.state))}: ${progress.answered + progress.skipped + progress.declined} of ${progress.total} steps done (${progress.answered} answered, ${progress.skipped} skipped, ${progress.declined} declined, ${progress.deferred} put off, ${progress.open} open)`],
  ];
  if (opened.signatory) rows.push(['Notices signed by', h(`${opened.signatory.name}${opened.signatory.role ? `, ${opened.signatory.role}` : ''}`)]);
  return [
    '<section aria-labelledby="summary"><h2 id="summary">Summary</h2>',
    '<dl class="facts">',
    ...rows.map(([k, v]) => `<dt>${h(k)}</dt><dd>${v}</dd>`),
    '</dl></section>',
  ].join('\n');
}

function clocks(model: ReportModel, opts: HtmlOptions, when: (d: Date | undefined) => string): string {
  const out = ['<section aria-labelledby="clocks"><h2 id="clocks">Legal clocks</h2>'];
  if (model.clocks.length === 0) {
    out.push('<p class="none">No legal deadline applies on the answers given.</p></section>');
    return out.join('\n');
  }
  out.push(chart(model, opts));
  out.push(
    '<table><caption>Each deadline, from its start to its due time</caption><thead><tr><th scope="col">Deadline</th><th scope="col">Started</th><th scope="col">Due</th><th scope="col">Met</th><th scope="col">Standing</th><th scope="col">Law</th></tr></thead><tbody>',
  );
  for (const c of model.clocks) {
    const cls = c.status === 'overdue' || c.status === 'met_late' ? 'late' : c.status === 'met' ? 'met' : '';
    out.push(
      `<tr><td>${h(c.title)}</td><td>${when(c.started_at)}</td><td>${when(c.due)}</td><td>${when(c.met_at)}</td><td${cls ? ` class="${cls}"` : ''}>${h(clockStatusInWords(c))}${cautionOf(c).trim() ? `<br><span class="gap">${h(cautionOf(c).trim())}</span>` : ''}</td><td>${h(c.source ?? '')}</td></tr>`,
    );
  }
  out.push('</tbody></table></section>');
  return out.join('\n');
}

/**
 * One bar per deadline from its start to its due time; a met deadline's moment marked on it, a
 * late one in red and labelled LATE; a line at the time of the report for the clocks still running.
 */
function chart(model: ReportModel, opts: HtmlOptions): string {
  const drawn = model.clocks.filter((c): c is DeadlineClock & { started_at: Date; due: Date } => c.started_at !== undefined && c.due !== undefined);
  if (drawn.length === 0) return '<p class="none">No clock has started yet: nothing to draw.</p>';
  const running = drawn.some((c) => c.status === 'running' || c.status === 'overdue');
  const times = drawn.flatMap((c) => [c.started_at.getTime(), c.due.getTime(), c.met_at?.getTime() ?? c.due.getTime()]);
  if (running) times.push(model.generatedAt.getTime());
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 3_600_000);
  // Text at 15 units stays at 8 pt or more when the chart is printed across an A4 page (186 mm).
  const LABEL = 370;
  const WIDTH = 960;
  // Room on the right for the word after the last bar ("running", "LATE").
  const PLOT = WIDTH - LABEL - 90;
  const ROW = 32;
  const TOP = 36;
  const height = TOP + drawn.length * ROW + (running ? 30 : 8);
  const x = (t: number): number => Math.round((LABEL + ((t - t0) / (t1 - t0)) * PLOT) * 10) / 10;
  const short = (text: string): string => (text.length > 42 ? `${text.slice(0, 41)}…` : text);
  const desc = drawn.map((c) => `${c.title}: ${clockStatusInWords(c)}, due ${displayTime(c.due, opts.zone)}`).join('; ');
  const parts = [
    `<svg class="chart" role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 ${WIDTH} ${height}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui,Arial,sans-serif" font-size="15">`,
    `<title id="chart-title">The legal clocks, from start to due time</title>`,
    `<desc id="chart-desc">${h(desc)}</desc>`,
    `<text x="${LABEL}" y="20" fill="#4a4a4a">${h(displayTime(new Date(t0), opts.zone))}</text>`,
    `<text x="${LABEL + PLOT}" y="20" fill="#4a4a4a" text-anchor="end">${h(displayTime(new Date(t1), opts.zone))}</text>`,
  ];
  drawn.forEach((c, i) => {
    const y = TOP + i * ROW;
    const late = c.status === 'overdue' || c.status === 'met_late';
    const colour = late ? '#a4001d' : c.status === 'met' ? '#1b5e20' : '#0b4f9c';
    const width = Math.max(2, x(c.due.getTime()) - x(c.started_at.getTime()));
    parts.push(
      `<text x="${LABEL - 8}" y="${y + 20}" text-anchor="end" fill="#1a1a1a">${h(short(c.title))}</text>`,
      `<rect x="${x(c.started_at.getTime())}" y="${y + 6}" width="${width}" height="18" rx="3" fill="${colour}" fill-opacity="${c.status === 'met' || c.status === 'met_late' ? 0.35 : 0.85}" stroke="${colour}"/>`,
    );
    if (c.met_at) {
      const mx = x(c.met_at.getTime());
      parts.push(`<path d="M${mx} ${y + 2}L${mx + 7} ${y + 15}L${mx} ${y + 28}L${mx - 7} ${y + 15}Z" fill="${colour}" stroke="#fff"/>`);
    }
    const word = late ? 'LATE' : c.status === 'met' ? 'met' : c.status === 'running' ? 'running' : '';
    if (word) {
      const end = Math.max(x(c.due.getTime()), c.met_at ? x(c.met_at.getTime()) : 0);
      const inside = end + 10 + word.length * 11 > WIDTH;
      const light = c.status === 'met' || c.status === 'met_late';
      parts.push(`<text x="${inside ? end - 10 : end + 10}" y="${y + 20}" text-anchor="${inside ? 'end' : 'start'}" fill="${inside ? (light ? '#1a1a1a' : '#ffffff') : colour}" font-weight="700">${word}</text>`);
    }
  });
  if (running) {
    const nx = x(model.generatedAt.getTime());
    parts.push(
      `<line x1="${nx}" y1="${TOP - 6}" x2="${nx}" y2="${height - 18}" stroke="#1a1a1a" stroke-width="2" stroke-dasharray="5 4"/>`,
      `<text x="${nx}" y="${height - 4}" text-anchor="middle" fill="#1a1a1a">now (report written)</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function decisions(model: ReportModel, when: (d: Date | undefined) => string): string {
  return tableSection({
    id: 'decisions',
    title: 'Decisions',
    intro: DECISIONS_INTRO,
    empty: 'None yet.',
    caption: "Decisions, in the playbook's order",
    headers: ['Question', 'Decision', 'Who, when', 'Reason'],
    rows: model.decisions.map(
      (d) =>
        `<tr><td>${h(d.prompt)} <code>${h(d.step)}</code></td><td${d.kind === 'declined' ? ' class="gap"' : ''}>${h(d.answer)}</td><td>${whoWhen(d.by, d.at, when)}</td><td class="text">${d.reason ? h(d.reason) : '<span class="none">—</span>'}</td></tr>`,
    ),
  });
}

function art33(model: ReportModel): string {
  const out = [
    '<section aria-labelledby="art33"><h2 id="art33">What the authority must be told (GDPR Art. 33(3))</h2>',
    '<table><caption>The four elements of a notification, from the answers given</caption><thead><tr><th scope="col">Element</th><th scope="col">Answer</th><th scope="col">Given by</th></tr></thead><tbody>',
  ];
  for (const [letter, fields] of ART33_ROWS) {
    for (const field of fields) {
      const fact = model.facts.get(field)!;
      const text = factText(fact, '\n\n');
      const given = fact.answers.length > 0 ? fact.answers.map((a) => whoWhen(a.by, a.at, (d) => h(displayTime(d!, model.zone)))).join('<br>') : fact.otherwise ? h(fact.otherwise.source) : '';
      out.push(
        `<tr><th scope="row">${h(letter)}: ${h(art33Label(field))}</th><td class="text">${text ? h(asTimeText(text, model.zone)) : `<span class="gap">${h(unansweredInWords(fact.asked))}</span>`}</td><td>${given || '<span class="none">—</span>'}</td></tr>`,
      );
    }
  }
  out.push('</tbody></table></section>');
  return out.join('\n');
}

/** Who, and on the next line when (kept on one line). */
function whoWhen(by: string | undefined, at: Date | undefined, when: (d: Date | undefined) => string): string {
  return `${by ? h(by) : '<span class="none">—</span>'}${at ? `<br><span class="when">${when(at)}</span>` : ''}`;
}

function records(model: ReportModel): string {
  const out = ['<section aria-labelledby="record"><h2 id="record">The record of the breach (GDPR Art. 33(5))</h2>'];
  if (model.records.length === 0) out.push('<p class="none">The playbook renders no record template for this incident.</p>');
  for (const r of model.records) {
    if (r.needs) {
      out.push(`<h3>${h(r.title)}</h3>`, `<p class="gap">Not complete yet: it needs the answers to ${r.needs.map((s) => `<code>${h(s)}</code>`).join(', ')}.</p>`);
      continue;
    }
    out.push('<div class="record">', ...htmlBlocks(printable(r.body!), r.headings, { level: 3, style: false }), '</div>');
  }
  out.push('</section>');
  return out.join('\n');
}

/** A section that is one table: its heading, what it lists, the table, or a line when it is empty. */
function tableSection(t: { id: string; title: string; intro: string; empty: string; caption: string; headers: readonly string[]; rows: readonly string[] }): string {
  const head = `<section aria-labelledby="${t.id}"><h2 id="${t.id}">${h(t.title)}</h2>\n<p>${h(t.intro)}</p>`;
  if (t.rows.length === 0) return `${head}\n<p class="none">${h(t.empty)}</p></section>`;
  const headers = t.headers.map((name) => `<th scope="col">${h(name)}</th>`).join('');
  return [`${head}\n<table><caption>${h(t.caption)}</caption><thead><tr>${headers}</tr></thead><tbody>`, ...t.rows, '</tbody></table></section>'].join('\n');
}

function notices(model: ReportModel, when: (d: Date | undefined) => string): string {
  return tableSection({
    id: 'notices',
    title: 'Notices rendered',
    intro: 'Every draft leakctl wrote, with the SHA-256 of the text written: a copy that was sent can be checked against it.',
    empty: 'No notice rendered yet.',
    caption: 'Drafts, in the order written',
    headers: ['Template', 'File', 'Written by, when', 'SHA-256', 'Standing'],
    rows: model.notices.map((n) => `<tr><td>${h(n.template)}</td><td><code>${h(n.file)}</code></td><td>${whoWhen(n.by, n.at, when)}</td><td class="hash">${h(n.sha256)}</td><td>${h(noticeStandingInWords(n.standing))}</td></tr>`),
  });
}

function custody(model: ReportModel, when: (d: Date | undefined) => string): string {
  return tableSection({
    id: 'custody',
    title: 'Evidence and its custody',
    intro: 'Every file attached, as it was added: what it is, who collected it, from where, when and how, its SHA-256 and size, and who added it to the log and when.',
    empty: 'No file attached.',
    caption: 'Chain of custody of the attached files',
    headers: ['File', 'Collected', 'Stored as', 'SHA-256', 'Size', 'Added by, when', 'How added'],
    rows: model.custody.map((c) => {
      const how = c.step ? `the answer to <code>${h(c.step)}</code> (entry #${c.entry})` : `leakctl attach (entry #${c.entry})`;
      const file = `${h(c.original)}${c.custody?.description ? `<br>${h(c.custody.description)}` : ''}${c.modified ? `<br><span class="when">modified ${when(c.modified)}</span>` : ''}`;
      return `<tr><td>${file}</td><td>${collectedCell(c, when)}</td><td><code>${h(c.stored)}</code></td><td class="hash">${h(c.sha256)}</td><td class="when">${groupThousands(c.bytes)} bytes</td><td>${whoWhen(c.by, c.at, when)}</td><td>${how}</td></tr>`;
    }),
  });
}

/** Who collected a file, when, from where and how: what its custody states, and what it does not. */
function collectedCell(c: CustodyRow, when: (d: Date | undefined) => string): string {
  const k = c.custody;
  if (!k) return '<span class="when">not stated</span>';
  return [
    `by ${h(k.collected_by || 'someone unnamed')}${k.collected_at ? `, ${when(new Date(k.collected_at))}` : ''}`,
    k.from ? `from ${h(k.from)}` : 'from: not stated',
    k.how ? `with ${h(k.how)}` : 'how: not stated',
  ].join('<br>');
}

function steps(model: ReportModel, when: (d: Date | undefined) => string): string {
  const out = ['<section aria-labelledby="steps"><h2 id="steps">Steps open, put off or declined</h2>'];
  const { open, marked } = stepsNotDone(model.progress);
  if (open.length + marked.length === 0) return [...out, '<p>Every step that applies is done.</p></section>'].join('\n');
  if (marked.length > 0) {
    out.push('<table><caption>Put off or declined</caption><thead><tr><th scope="col">Step</th><th scope="col">Standing</th><th scope="col">Who, when</th><th scope="col">Reason</th></tr></thead><tbody>');
    for (const s of marked) {
      const standing = markInWords(s, model.zone);
      out.push(`<tr><td>${h(s.prompt)} <code>${h(s.id)}</code></td><td${s.state === 'declined' && s.required ? ' class="gap"' : ''}>${h(standing)}</td><td>${whoWhen(s.by, s.at, when)}</td><td class="text">${h(s.reason ?? '')}</td></tr>`);
    }
    out.push('</tbody></table>');
  }
  if (open.length > 0) {
    out.push('<table><caption>Still open</caption><thead><tr><th scope="col">Phase</th><th scope="col">Step</th><th scope="col">Required</th><th scope="col">Note</th></tr></thead><tbody>');
    for (const s of open) out.push(`<tr><td>${s.phase}</td><td>${h(s.prompt)} <code>${h(s.id)}</code></td><td>${s.required ? 'yes' : 'no'}</td><td>${h(s.reason ?? '')}</td></tr>`);
    out.push('</tbody></table>');
  }
  out.push('</section>');
  return out.join('\n');
}

function verification(model: ReportModel): string {
  const v = model.verification;
  const id = model.incident.id;
  return [
    '<section aria-labelledby="verification"><h2 id="verification">Verification</h2>',
    v.ok ? `<p class="ok">${h(verifiedInWords(v))}</p>` : `<p class="fail">${h(verifiedInWords(v))} ${v.problems.map(h).join(' ')}</p>`,
    '<dl class="facts">',
    `<dt>Entries</dt><dd>${groupThousands(v.entries)}</dd>`,
    `<dt>Head hash</dt><dd class="hash">${h(v.head ?? '-')}</dd>`,
    `<dt>Log file</dt><dd><code>${h(v.log_file)}</code></dd>`,
    '</dl>',
    ...(v.sealed.length > 0 ? ['<h3>Seals</h3>', '<ul>', ...v.sealed.map((line) => `<li>${h(line)}</li>`), '</ul>'] : []),
    ...sealsInWords(v).map((line) => `<p>${h(line)}</p>`),
    '<h3>How to check it yourself</h3>',
    `<p>${h(independentCheck(id, v.head))}</p>`,
    `<pre><code>leakctl verify ${h(id)} --head ${h(v.head ?? '')}</code></pre>`,
    '</section>',
  ].join('\n');
}

