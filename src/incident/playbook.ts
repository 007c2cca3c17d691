/**
 * The playbook an incident was opened with: the file recorded in `incident.opened` if it is still
 * there, else the same id in the search path. A changed file is used with a warning.
 */
import { existsSync } from 'node:fs';
import type { Settings } from '../config/settings.js';
import type { IncidentState } from '../evidence/state.js';
import { listPlaybookFiles } from '../documents/files.js';
import { findPlaybookFile, knownIds } from '../playbook/discover.js';
import { loadPlaybookFile } from '../playbook/load.js';
import { withModules } from '../playbook/modules.js';
import type { Playbook } from '../playbook/types.js';
import { InvalidInput, LeakctlError } from '../ui/errors.js';
import { HIDDEN_ANSWER } from '../evidence/describe.js';
import { printable } from '../ui/text.js';

export interface PlaybookLookup {
  readonly settings: Settings;
  readonly cwd: string;
  readonly warn: (text: string) => void;
  /** Commands that do not render (status, close, log) need not find the notices' templates. */
  readonly checkTemplates?: boolean;
}

export function playbookOf(state: IncidentState, lookup: PlaybookLookup): Playbook {
  // Entry 0 is incident.opened: every open checks it. With the modules that joined it.
  return withModules(loadRecordedPlaybook(state.id, state.opened!.playbook, lookup), state.joined);
}

export function loadRecordedPlaybook(incident: string, recorded: { id?: unknown; file?: unknown; sha256?: unknown; regimes_sha256?: unknown }, lookup: PlaybookLookup): Playbook {
  const { settings, cwd, warn } = lookup;
  // By id only when it is one: a log edited to name `../somewhere` finds nothing.
  const id = typeof recorded.id === 'string' && /^[a-z][a-z0-9-]{0,63}$/.test(recorded.id) ? recorded.id : undefined;
  let file = typeof recorded.file === 'string' && existsSync(recorded.file) ? recorded.file : undefined;
  if (!file) {
    if (id === undefined || !listPlaybookFiles(settings.playbookDirs).has(id)) {
      const named = `${JSON.stringify(recorded.id)}${typeof recorded.file === 'string' ? ` (${recorded.file})` : ''}`;
      throw new InvalidInput(`incident ${incident} was opened with playbook ${printable(named)}, which is no longer available; add its directory with --playbooks DIR`);
    }
    file = findPlaybookFile(id, settings, cwd).file;
  }
  const playbook = loadPlaybookFile(file, lookup.checkTemplates === false ? { regimeDirs: settings.regimeDirs } : knownIds(settings));
  if (typeof recorded.sha256 === 'string' && playbook.sha256 !== recorded.sha256) {
    warn(`warning: playbook ${file} has changed since incident ${incident} was opened (sha256 ${recorded.sha256.slice(0, 12)}… then, ${playbook.sha256.slice(0, 12)}… now)`);
  }
  // The clocks and places come from the regime pack too (issue 14): a pack changed since the
  // start (an upgrade, a config with other regimes) changes them, so it is said.
  if (typeof recorded.regimes_sha256 === 'string' && playbook.regimes_sha256 !== recorded.regimes_sha256) {
    warn(`warning: the regime pack has changed since incident ${incident} was opened (sha256 ${recorded.regimes_sha256.slice(0, 12)}… then, ${(playbook.regimes_sha256 ?? 'none').slice(0, 12)}… now): its places and clocks are today's; leakctl regimes lists them`);
  }
  return playbook;
}

/**
 * The ids of the sensitive steps of the incident's playbook, for readers that show answers (log,
 * timeline). When no playbook can be loaded, they cannot tell which answers are sensitive, and
 * hide every answer rather than guess (null).
 */
export function sensitiveStepsOf(recorded: object, id: string, where: { settings: Settings; cwd: string }, warn: (text: string) => void): ReadonlySet<string> | null {
  try {
    const playbook = loadRecordedPlaybook(id, recorded as { id?: unknown }, { ...where, warn: () => undefined, checkTemplates: false });
    return new Set(playbook.phases.flatMap((phase) => phase.steps.filter((step) => step.sensitive).map((step) => step.id)));
  } catch (error) {
    if (!(error instanceof LeakctlError)) throw error;
    warn(
      `warning: the incident's playbook cannot be loaded (${printable(error.message.split('\n')[0] ?? '')}), so answers to sensitive steps cannot be told apart: every answer is shown as ${HIDDEN_ANSWER}. Add the playbook's directory with --playbooks DIR, or read the raw entries with leakctl log --json.`,
    );
    return null;
  }
}
