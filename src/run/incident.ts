/**
 * Finding an incident and the things every incident command needs: its directory (with the id
 * checked, so `../x` can never leave the incidents directory), its replayed state, its playbook
 * and the responder's name.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import type { Settings } from '../config/settings.js';
import { acquireLock } from '../evidence/lock.js';
import { EvidenceLog, logFileOf } from '../evidence/log.js';
import { readEntries } from '../evidence/read.js';
import { applyEntry, emptyState } from '../evidence/state.js';
import type { IncidentState } from '../evidence/state.js';
import type { CommonOptions } from '../options.js';
import { findPlaybookFile, listPlaybookFiles } from '../playbook/discover.js';
import { loadPlaybookFile } from '../playbook/load.js';
import type { Playbook } from '../playbook/types.js';
import { listTemplateFiles } from '../notices/templates.js';
import { InvalidInput } from '../ui/errors.js';

const require = createRequire(import.meta.url);

export interface Replayed {
  readonly state: IncidentState;
}

/** Replay an incident's log into its state, streamed. Lines that are not entries are refused. */
export async function replayIncident(dir: string, id: string): Promise<Replayed> {
  const state = emptyState(id);
  for await (const line of readEntries(logFileOf(dir))) {
    // A torn last line (a crash while writing) is not part of the log's content.
    if (line.torn) {
      continue;
    } else if (line.entry) {
      applyEntry(state, line.entry);
    } else {
      throw new InvalidInput(`${logFileOf(dir)}:${line.line}: ${line.error ?? 'not an evidence entry'}; run \`leakctl verify ${id}\``);
    }
  }
  if (!state.opened) throw new InvalidInput(`${logFileOf(dir)}: the log does not start with incident.opened; run \`leakctl verify ${id}\``);
  return { state };
}

/**
 * The playbook an incident was opened with: the file recorded at opening if it is still there,
 * else the same id in the search path. A changed file is used with a warning. Commands that do
 * not render (status, close, log) need not find the notices' templates.
 */
export function playbookOfIncident(
  state: IncidentState,
  settings: Settings,
  cwd: string,
  warn: (text: string) => void,
  checkTemplates = true,
): Playbook {
  return loadRecordedPlaybook(state.id, state.opened!.playbook, settings, cwd, warn, checkTemplates);
}

export function loadRecordedPlaybook(
  incident: string,
  recorded: { id?: unknown; file?: unknown; sha256?: unknown },
  settings: Settings,
  cwd: string,
  warn: (text: string) => void,
  checkTemplates = true,
): Playbook {
  // By id only when it is one: a log edited to name `../somewhere` finds nothing.
  const id = typeof recorded.id === 'string' && /^[a-z][a-z0-9-]{0,63}$/.test(recorded.id) ? recorded.id : undefined;
  let file = typeof recorded.file === 'string' && existsSync(recorded.file) ? recorded.file : undefined;
  if (!file) {
    if (id === undefined || !listPlaybookFiles(settings.playbookDirs).has(id)) {
      const named = `${JSON.stringify(recorded.id)}${typeof recorded.file === 'string' ? ` (${recorded.file})` : ''}`;
      throw new InvalidInput(`incident ${incident} was opened with playbook ${named}, which is no longer available; add its directory with --playbooks DIR`);
    }
    file = findPlaybookFile(id, settings, cwd).file;
  }
  const templates = checkTemplates ? new Set(listTemplateFiles(settings.templateDirs).keys()) : undefined;
  const playbook = loadPlaybookFile(file, templates ? { templates } : {});
  if (typeof recorded.sha256 === 'string' && playbook.sha256 !== recorded.sha256) {
    warn(`warning: playbook ${file} has changed since incident ${incident} was opened (sha256 ${recorded.sha256.slice(0, 12)}… then, ${playbook.sha256.slice(0, 12)}… now)`);
  }
  return playbook;
}

/** `--responder`, else the answers file's, else the config's, else git user.name, else the OS user. */
export function responderName(given: string | undefined, fromAnswers: string | undefined, fromConfig: string | undefined, cwd: string): string {
  const named = given ?? fromAnswers ?? fromConfig;
  if (named) return named;
  // child_process is loaded only here: it pulls in the network modules (~3 ms at start-up).
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const git = spawnSync('git', ['config', 'user.name'], { cwd, encoding: 'utf8', timeout: 2000 });
  const gitName = git.status === 0 ? git.stdout.trim() : '';
  if (gitName) return gitName;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * Append to an incident's log under its lock: only one process writes an incident at a time
 * (SPEC section 4). A torn last line is refused here, with the advice to run `resume`.
 */
export async function withIncidentLog<T>(dir: string, now: Date, write: (log: EvidenceLog) => Promise<T>): Promise<T> {
  const lock = acquireLock(dir, { now });
  try {
    const log = EvidenceLog.open(dir);
    try {
      if (log.closed) throw new InvalidInput(`incident ${basename(dir)} is closed; its log is read-only`);
      return await write(log);
    } finally {
      log.close();
    }
  } finally {
    lock.release();
  }
}

/** The clock of a one-off command: `--now` / LEAKCTL_NOW, else the wall clock. */
export function commandNow(options: CommonOptions): Date {
  return options.now !== undefined ? new Date(options.now) : new Date();
}
