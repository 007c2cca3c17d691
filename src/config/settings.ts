/**
 * The settings a command works with: the config file (if any) and the search paths. User
 * directories come first, then the config's, then the bundled ones; the first file with an id wins.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../package-root.js';
import type { CommonOptions } from '../options.js';
import { InvalidInput } from '../ui/errors.js';
import { EMPTY_CONFIG, isDirectory, loadConfigFile } from './config.js';
import type { Config } from './config.js';

/** The bundled data directories, beside dist/ in the installed package (found when asked). */
export const bundledPlaybooks = (): string => join(packageRoot(), 'playbooks');
export const bundledTemplates = (): string => join(packageRoot(), 'templates');
export const bundledCalendars = (): string => join(packageRoot(), 'calendars');
export const bundledRegimes = (): string => join(packageRoot(), 'regimes');

export const DEFAULT_CONFIG_NAME = 'leakctl.config.yaml';

export interface Settings {
  readonly config: Config;
  readonly playbookDirs: readonly string[];
  readonly templateDirs: readonly string[];
  readonly calendarDirs: readonly string[];
  readonly regimeDirs: readonly string[];
}

export function loadSettings(options: CommonOptions): Settings {
  const config = loadConfig(options);
  for (const dir of [...options.playbookDirs, ...options.templateDirs]) {
    if (!isDirectory(dir)) throw new InvalidInput(`directory ${dir} does not exist (given with --playbooks or --templates)`);
  }
  return {
    config,
    playbookDirs: [...options.playbookDirs, ...config.playbookDirs, bundledPlaybooks()],
    templateDirs: [...options.templateDirs, ...config.templateDirs, bundledTemplates()],
    calendarDirs: [...config.calendarDirs, bundledCalendars()],
    regimeDirs: [...config.regimeDirs, bundledRegimes()],
  };
}

/** The zone times are shown in: the config's `timezone`, else the system's (issue 9). */
export function displayZone(options: CommonOptions, config: Config): string {
  return config.timezone ?? options.systemTimeZone?.() ?? 'UTC';
}

/**
 * The zone a time written without an offset is read in when nobody is asked to confirm it (an
 * answers file, `amend --value`): the config's `timezone`, else UTC, never the machine's, so a
 * script means the same on every machine (issue 9).
 */
export function scriptZone(config: Config): string {
  return config.timezone ?? 'UTC';
}

export function loadConfig(options: CommonOptions): Config {
  if (options.configFile !== undefined) {
    const file = resolve(options.cwd, options.configFile);
    if (!existsSync(file)) throw new InvalidInput(`config file ${options.configFile} does not exist`);
    return loadConfigFile(file);
  }
  const fallback = resolve(options.cwd, DEFAULT_CONFIG_NAME);
  return existsSync(fallback) ? loadConfigFile(fallback) : EMPTY_CONFIG;
}
