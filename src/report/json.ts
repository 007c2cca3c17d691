/** The report as JSON (`leakctl report --format json`): the same content for other programs, times in RFC 3339 UTC. */
import { boardStepJson } from '../run/progress.js';
import { RECORD_FIELDS, type RecordField } from '../schemas/playbook.js';
import type { ReportModel } from './model.js';
import { causeInWords, stepsNotDone } from './words.js';

const iso = (d: Date | undefined): string | null => d?.toISOString() ?? null;

/** Everything but the timeline, which the caller streams into `timeline`. */
export function reportJson(model: ReportModel): Record<string, unknown> {
  const { incident, playbook, progress } = model;
  const state = incident.state;
  const opened = state.opened!;
  return {
    schema: 'leakctl/report@1',
    generated_at: model.generatedAt.toISOString(),
    incident: incident.id,
    drill: opened.drill,
    includes_sensitive: model.includeSensitive,
    playbook: { id: playbook.id, title: playbook.title, version: playbook.version ?? null, sha256: opened.playbook.sha256, cause: playbook.cause, cause_in_words: causeInWords(playbook.cause) },
    opened_at: opened.at.toISOString(),
    opened_by: opened.responder,
    signatory: opened.signatory ?? null,
    closed_at: iso(state.closed?.at),
    closed_by: state.closed?.actor ?? null,
    state: progress.state,
    steps: { total: progress.total, answered: progress.answered, skipped: progress.skipped, declined: progress.declined, deferred: progress.deferred, open: progress.open },
    facts: Object.fromEntries(
      (Object.keys(RECORD_FIELDS) as RecordField[]).map((field) => {
        const fact = model.facts.get(field)!;
        return [field, { what: fact.what, asked: fact.asked, answers: fact.answers.map((a) => ({ step: a.step, prompt: a.prompt, text: a.text, by: a.by, at: a.at.toISOString() })), ...(fact.otherwise ? { otherwise: fact.otherwise } : {}) }];
      }),
    ),
    decisions: model.decisions.map((d) => ({ step: d.step, prompt: d.prompt, phase: d.phase, kind: d.kind, answer: d.answer, by: d.by ?? null, at: iso(d.at), reason: d.reason ?? null, ...(d.until ? { until: d.until } : {}) })),
    clocks: model.clocks.map((c) => ({
      id: c.id,
      title: c.title,
      status: c.status,
      started_at: iso(c.started_at),
      due: iso(c.due),
      met_at: iso(c.met_at),
      margin_ms: c.margin_ms ?? null,
      source: c.source ?? null,
      ...(c.regime ? { regime: c.regime, confidence: c.confidence ?? 'confirmed' } : {}),
      ...(c.caution ? { caution: c.caution } : {}),
    })),
    records: model.records.map((r) => ({ template: r.template, title: r.title, ...(r.body !== undefined ? { text: r.body } : { needs: r.needs }) })),
    notices: model.notices.map((n) => ({ template: n.template, file: n.file, at: n.at.toISOString(), by: n.by, sha256: n.sha256, entry: n.entry, standing: n.standing })),
    custody: model.custody.map((c) => ({ original: c.original, ...(c.step ? { step: c.step } : {}), stored: c.stored, sha256: c.sha256, bytes: c.bytes, by: c.by, at: c.at.toISOString(), entry: c.entry, modified: c.modified?.toISOString() ?? null, collected: c.custody ?? null })),
    steps_not_done: (({ open, marked }) => [...marked, ...open].map(boardStepJson))(stepsNotDone(progress)),
    verification: model.verification,
  };
}
