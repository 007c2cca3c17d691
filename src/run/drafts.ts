/**
 * Drafts on the incident: the notices rendered from its replayed state and written through the
 * Incident (which logs each as `notice.rendered`). Rendering happens before the lock is taken;
 * only the writing holds it.
 */
import type { Settings } from '../config/settings.js';
import type { DeadlineRules } from '../deadlines/rules.js';
import type { Incident, WrittenDraft } from '../incident/incident.js';
import { draftFiles, renderAll, type RenderInput } from '../notices/drafts.js';
import type { Playbook } from '../playbook/types.js';
import { deadlineClocks } from './runner.js';

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
  return source.incident.recordDrafts(draftFiles(notices, input));
}
