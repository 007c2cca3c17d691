/**
 * Where incidents live: a directory each in the incidents directory, named by an id that is
 * checked, so that `../x` can never leave it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInput } from '../ui/errors.js';
import { LOG_FILE } from '../evidence/layout.js';
import { printable } from '../ui/text.js';

export const INCIDENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkIncidentId(id: string): string {
  if (!INCIDENT_ID.test(id) || id === '.' || id === '..') {
    throw new InvalidInput(
      `invalid incident id ${printable(JSON.stringify(id))}: use letters, digits, ".", "_" and "-", starting with a letter or digit (at most 64)`,
    );
  }
  return id;
}

/** The ids of the directories in the incidents directory that may be incidents, sorted. */
export function incidentIds(incidentsDir: string): string[] {
  if (!existsSync(incidentsDir)) return [];
  if (!statSync(incidentsDir).isDirectory()) {
    throw new InvalidInput(`${incidentsDir} is not a directory; --dir (or LEAKCTL_DIR) names the directory that holds the incidents`);
  }
  return readdirSync(incidentsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && INCIDENT_ID.test(e.name) && existsSync(join(incidentsDir, e.name, LOG_FILE)))
    .map((e) => e.name)
    .sort();
}
