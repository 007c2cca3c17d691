/**
 * Where an incident lives: its directory in the incidents directory, with the id checked so that
 * `../x` can never leave it. Kept apart from the heavier incident helpers so that `verify` and
 * `log` load nothing of playbooks or prompts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { logFileOf } from '../evidence/log.js';
import type { CommonOptions } from '../options.js';
import { InvalidInput } from '../ui/errors.js';

export const INCIDENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkIncidentId(id: string): string {
  if (!INCIDENT_ID.test(id) || id === '.' || id === '..') {
    throw new InvalidInput(
      `invalid incident id ${JSON.stringify(id)}: use letters, digits, ".", "_" and "-", starting with a letter or digit (at most 64)`,
    );
  }
  return id;
}

export function incidentDirOf(options: CommonOptions, id: string): string {
  return join(options.incidentsDir, checkIncidentId(id));
}

/** The directory of an existing incident, or exit 2 saying how to find the right id. */
export function existingIncident(options: CommonOptions, id: string): string {
  const dir = incidentDirOf(options, id);
  if (!existsSync(logFileOf(dir))) {
    throw new InvalidInput(`no incident "${id}" in ${options.incidentsDir}; \`leakctl status\` lists the incidents there (or pass --dir)`);
  }
  return dir;
}

