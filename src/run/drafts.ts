/**
 * Drafts on the incident: the notices rendered from its replayed state and written through the
 * Incident (which logs each as `notice.rendered`). Rendering happens before the lock is taken;
 * only the writing holds it.
 */
import type { Settings } from '../config/settings.js';
import type { DeadlineRules } from '../deadlines/rules.js';
import type { Incident, WithdrawnDraft, WrittenDraft } from '../incident/incident.js';
import * as path from 'node:path';
import { draftFiles, renderAll, type RenderInput } from '../notices/drafts.js';
import type { Playbook, Step } from '../playbook/types.js';
import { InvalidDocument } from '../ui/errors.js';
import { deadlineClocks } from './steps.js';

export interface DraftSource {
  readonly incident: Incident;
  readonly playbook: Playbook;
  readonly settings: Settings;
  readonly rules: DeadlineRules;
}

/** What a template renders with, at `now`. */
export function renderInputOf(source: DraftSource, now: Date): RenderInput {
  const { incident, playbook, settings, rules } = source;
  const state = incident.state;
  return { playbook, state, config: settings.config, templateDirs: settings.templateDirs, deadlines: deadlineClocks(playbook, state, now, rules), now };
}

/** Renders every template first, so that a hole in any of them leaves no draft written; then writes and logs them. */
export async function recordDrafts(source: DraftSource, templateIds: readonly string[], now: Date): Promise<WrittenDraft[]> {
  const input = renderInputOf(source, now);
  const notices = await renderAll(input, templateIds);
  const files = draftFiles(notices, input);
  return source.incident.recordDrafts(files, withdrawnBy(source.incident.state.drafts, files, source.incident.draftsDir));
}

/**
 * The drafts of a template written once per host that this rendering no longer writes: a host
 * taken off the list of locations (issue 14). Its old takedown request must not be sent.
 */
function withdrawnBy(current: ReadonlyMap<string, { template: string }>, files: readonly { template: string; name?: string; format: string }[], dir: string): WithdrawnDraft[] {
  const perHost = new Set(files.filter((f) => f.name !== undefined).map((f) => f.template));
  const written = new Set(files.map((f) => `${dir}/${f.name ?? f.template}.${f.format}`));
  // Only this copy's own drafts: another copy's are theirs to withdraw (issue 17).
  return [...current]
    .filter(([file, draft]) => perHost.has(draft.template) && !written.has(file) && path.posix.dirname(file) === dir)
    .map(([file, draft]) => ({ template: draft.template, file, reason: 'its host is no longer among the locations listed' }));
}

const UNDEFINED_ANSWER = /undefined variable: answers(?:\.([a-z][a-z0-9_]*)|\[\s*["']([a-z][a-z0-9_]*)["']\s*\])/;

/** A notice that cannot be written yet: the steps whose answers it needs, in the order it needs them. */
export interface WaitingNotice {
  readonly template: string;
  readonly steps: string[];
}

/**
 * The unanswered steps a template needs (issue 10), found by rendering it: each `answers.X` it
 * finds undefined is noted and stood in for, and it is rendered again, until it renders or fails
 * for another reason (then that failure is the caller's, as before). Nothing is written.
 */
export async function missingAnswers(source: DraftSource, template: string, now: Date): Promise<string[]> {
  const { incident, playbook, settings } = source;
  const steps = new Set(playbook.phases.flatMap((phase) => phase.steps.map((step) => step.id)));
  const missing: string[] = [];
  const answers = new Map(incident.state.answers);
  const state = { ...incident.state, answers };
  // An organisation field missing from the config is stood in for too, so that every step the
  // template needs is found; rendering it for real reports the field.
  const org: Record<string, unknown> = { ...settings.config.org };
  const config = { ...settings.config, org };
  for (let tries = 0; tries <= steps.size + 20; tries++) {
    const input = { ...renderInputOf(source, now), state, config };
    try {
      await renderAll(input, [template]);
      return missing;
    } catch (error) {
      if (!(error instanceof InvalidDocument)) throw error;
      const message = error.problems[0]?.message ?? '';
      const field = /undefined variable: org\.([a-z_]+)/.exec(message)?.[1];
      if (field !== undefined && !(field in org)) {
        org[field] = `[org.${field}]`;
        continue;
      }
      const match = UNDEFINED_ANSWER.exec(message);
      const step = match?.[1] ?? match?.[2];
      // Not a step's answer (a typo in the template), a step it already stood in for, or one
      // that is answered: the template's own problem, which rendering it reports.
      if (step === undefined || !steps.has(step) || missing.includes(step) || incident.state.answers.has(step)) return missing;
      missing.push(step);
      // A stand-in of the step's kind, so that a filter on it (date, count) renders and the
      // search goes on to the next missing step.
      const kind = playbook.phases.flatMap((phase) => phase.steps).find((s) => s.id === step)!;
      answers.set(step, { value: standIn(kind, now), at: now, actor: '', source: 'placeholder', seq: -1 });
    }
  }
  return missing;
}

function standIn(step: Step, now: Date): unknown {
  switch (step.kind) {
    case 'datetime':
      return now.toISOString();
    case 'number':
      return 1;
    case 'confirm':
    case 'info':
      return true;
    case 'select':
      return step.choices?.[0]?.value ?? `[${step.id}]`;
    case 'multi':
      return step.choices?.[0] ? [step.choices[0].value] : [];
    case 'checklist':
      return Object.fromEntries((step.items ?? []).map((item) => [item.id, 'done']));
    case 'attachment':
      return [];
    default:
      return `[${step.id}]`;
  }
}

/** The templates split into those that can be written now and those that wait for answers. */
export async function readiness(source: DraftSource, templates: readonly string[], now: Date): Promise<{ ready: string[]; waiting: WaitingNotice[] }> {
  const ready: string[] = [];
  const waiting: WaitingNotice[] = [];
  const order = new Map(source.playbook.phases.flatMap((phase) => phase.steps.map((step) => step.id)).map((id, i) => [id, i]));
  for (const template of templates) {
    const steps = (await missingAnswers(source, template, now)).sort((a, b) => order.get(a)! - order.get(b)!);
    if (steps.length > 0) waiting.push({ template, steps });
    else ready.push(template);
  }
  return { ready, waiting };
}
