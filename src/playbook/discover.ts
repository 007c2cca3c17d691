/** Finding playbooks in the search path: `<id>.yaml` files, the first directory with an id wins. */
import { existsSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import type { Settings } from '../config/settings.js';
import { listCalendarFiles, listPlaybookFiles, listTemplateFiles, PLAYBOOK_EXTENSIONS } from '../documents/files.js';
import type { KnownIds } from './checks.js';
import { InvalidInput } from '../ui/errors.js';
import { loadPlaybookFile } from './load.js';
import type { Playbook } from './types.js';


/** Whether a PLAYBOOK argument names a file rather than an id. */
export function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || PLAYBOOK_EXTENSIONS.has(extname(ref));
}

/** Resolve a PLAYBOOK argument (an id or a path) to its file. */
export function findPlaybookFile(ref: string, settings: Settings, cwd: string): { file: string; byId: boolean } {
  if (looksLikePath(ref)) {
    const file = isAbsolute(ref) ? ref : resolve(cwd, ref);
    if (!existsSync(file)) throw new InvalidInput(`${ref}: no such playbook file`);
    return { file, byId: false };
  }
  const files = listPlaybookFiles(settings.playbookDirs);
  const file = files.get(ref);
  if (!file) {
    const known = [...files.keys()].sort().join(', ') || 'none';
    throw new InvalidInput(
      `unknown playbook "${ref}"; available: ${known}. Pass a path to a .yaml file, or add its directory with --playbooks DIR.`,
    );
  }
  return { file, byId: true };
}

/** Find and strictly load a playbook, checking its notices against the template search path. */
export function loadPlaybook(ref: string, settings: Settings, cwd: string): Playbook {
  const { file, byId } = findPlaybookFile(ref, settings, cwd);
  return loadPlaybookFile(file, { ...knownIds(settings), ...(byId ? { expectedId: ref } : {}) });
}

/** The template and calendar ids a playbook may name, from the search paths. */
export function knownIds(settings: Settings): KnownIds {
  return {
    templates: new Set(listTemplateFiles(settings.templateDirs).keys()),
    calendars: new Set(listCalendarFiles(settings.calendarDirs).keys()),
    regimeDirs: settings.regimeDirs,
  };
}
