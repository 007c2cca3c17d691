/** Finding playbooks in the search path: `<id>.yaml` files, the first directory with an id wins. */
import { existsSync, readdirSync } from 'node:fs';
import { extname, isAbsolute, join, resolve } from 'node:path';
import type { Settings } from '../config/settings.js';
import { listTemplateFiles } from '../notices/templates.js';
import { InvalidInput } from '../ui/errors.js';
import { idFromFileName, loadPlaybookFile } from './load.js';
import type { Playbook } from './types.js';

const PLAYBOOK_EXTENSIONS = new Set(['.yaml', '.yml']);

/** id → file, over the search path in order; later files with the same id are overridden. */
export function listPlaybookFiles(dirs: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of dirs) {
    for (const name of filesIn(dir)) {
      if (!PLAYBOOK_EXTENSIONS.has(extname(name))) continue;
      const id = idFromFileName(name);
      if (!found.has(id)) found.set(id, join(dir, name));
    }
  }
  return found;
}

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
  const templates = new Set(listTemplateFiles(settings.templateDirs).keys());
  return loadPlaybookFile(file, { templates, ...(byId ? { expectedId: ref } : {}) });
}

export function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') throw new InvalidInput(`${dir} is not a directory; --playbooks, --templates and the config's directories name directories`);
    if (code === 'EACCES' || code === 'EPERM') throw new InvalidInput(`${dir}: permission denied; make the directory readable for your user`);
    throw error;
  }
}
