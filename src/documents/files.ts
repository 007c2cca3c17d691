/**
 * Finding documents by id in a search path: `<id>.yaml` playbooks and `<id>.liquid` templates.
 * The first directory that has an id wins, so a user's directory overrides the bundled one.
 */
import { readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { InvalidInput } from '../ui/errors.js';

export const PLAYBOOK_EXTENSIONS: ReadonlySet<string> = new Set(['.yaml', '.yml']);
export const TEMPLATE_EXTENSION = '.liquid';

/** The regular files in a directory, sorted; none when it does not exist. */
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

/** id → file over the search path, for files with one of `extensions`; the first directory with an id wins. */
function filesById(dirs: readonly string[], extensions: ReadonlySet<string>): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of dirs) {
    for (const name of filesIn(dir)) {
      const ext = extname(name);
      if (!extensions.has(ext)) continue;
      const id = basename(name, ext);
      if (!found.has(id)) found.set(id, join(dir, name));
    }
  }
  return found;
}

export function listPlaybookFiles(dirs: readonly string[]): Map<string, string> {
  return filesById(dirs, PLAYBOOK_EXTENSIONS);
}

export function listTemplateFiles(dirs: readonly string[]): Map<string, string> {
  return filesById(dirs, new Set([TEMPLATE_EXTENSION]));
}

export function listCalendarFiles(dirs: readonly string[]): Map<string, string> {
  return filesById(dirs, PLAYBOOK_EXTENSIONS);
}

export function listRegimeFiles(dirs: readonly string[]): Map<string, string> {
  return filesById(dirs, PLAYBOOK_EXTENSIONS);
}
