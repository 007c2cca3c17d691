/** `leakctl.config.yaml` (SPEC section 6), validated like a playbook: FILE:LINE:COL, exit 2. */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkSchema } from '../documents/check.js';
import { loadDocument } from '../documents/load.js';
import { problemAt } from '../documents/yaml.js';
import type { YamlSource } from '../documents/yaml.js';
import { isTimeZone } from '../time/zoned-date.js';
import { InvalidDocument } from '../ui/errors.js';
import type { SourceProblem } from '../ui/errors.js';

export interface OrgDetails {
  readonly name?: string;
  readonly community?: string;
  readonly contact_email?: string;
  readonly dpo_contact?: string;
  readonly website?: string;
  readonly platform?: string;
  /** Who signs the notices (issue 10); without it, the responder who opened the incident. */
  readonly signatory?: { readonly name: string; readonly role?: string; readonly contact?: string };
}

export interface Config {
  /** The file it came from; undefined when no config file is in use. */
  readonly file?: string;
  readonly org: OrgDetails;
  readonly responder?: string;
  readonly timezone?: string;
  /** Absolute directories, in the order the file lists them. */
  readonly playbookDirs: readonly string[];
  readonly templateDirs: readonly string[];
  readonly calendarDirs: readonly string[];
  readonly regimeDirs: readonly string[];
  readonly holidays: readonly string[];
  /** Absolute paths: the key checkpoints are signed with, and who may sign them (issue 16). */
  readonly signingKey?: string;
  readonly allowedSigners?: string;
  /** An RFC 3161 timestamp authority and its CA certificate (absolute path). */
  readonly tsaUrl?: string;
  readonly tsaCa?: string;
  /** Seal at the end of each session of start or resume. */
  readonly sealAtSessionEnd?: boolean;
}

export const EMPTY_CONFIG: Config = { org: {}, playbookDirs: [], templateDirs: [], calendarDirs: [], regimeDirs: [], holidays: [] };

export const CONFIG_WHAT = 'a leakctl/config@1 document';

export function loadConfigFile(file: string): Config {
  return checkConfig(loadDocument(file, CONFIG_WHAT));
}

/** The checks of a parsed config file; relative directories are resolved against its folder. */
export function checkConfig(source: YamlSource): Config {
  const file = source.file;
  const problems = checkSchema(source, 'config');
  const data = source.data;
  if (typeof data.timezone === 'string' && !isTimeZone(data.timezone)) {
    problems.push(
      problemAt(source, ['timezone'], `unknown time zone "${data.timezone}"; use an IANA name such as Europe/Berlin or UTC`),
    );
  }
  const base = dirname(file);
  const playbookDirs = directories(source, 'playbooks', base, problems);
  const templateDirs = directories(source, 'templates', base, problems);
  const calendarDirs = directories(source, 'calendars', base, problems);
  const regimeDirs = directories(source, 'regimes', base, problems);
  if (problems.length > 0) throw new InvalidDocument(problems);
  return {
    file,
    org: (data.org as OrgDetails | undefined) ?? {},
    responder: data.responder as string | undefined,
    timezone: data.timezone as string | undefined,
    playbookDirs,
    templateDirs,
    calendarDirs,
    regimeDirs,
    holidays: (data.holidays as string[] | undefined) ?? [],
    ...(typeof data.signing_key === 'string' ? { signingKey: resolve(base, data.signing_key) } : {}),
    ...(typeof data.allowed_signers === 'string' ? { allowedSigners: resolve(base, data.allowed_signers) } : {}),
    ...(typeof data.tsa_url === 'string' ? { tsaUrl: data.tsa_url } : {}),
    ...(typeof data.tsa_ca === 'string' ? { tsaCa: resolve(base, data.tsa_ca) } : {}),
    ...(data.seal_at_session_end === true ? { sealAtSessionEnd: true } : {}),
  };
}

function directories(source: YamlSource, field: string, base: string, problems: SourceProblem[]): string[] {
  const list = source.data[field];
  if (!Array.isArray(list)) return [];
  const dirs: string[] = [];
  list.forEach((entry, i) => {
    if (typeof entry !== 'string') return;
    const dir = resolve(base, entry);
    if (!isDirectory(dir)) {
      problems.push(problemAt(source, [field, i], `directory ${dir} does not exist`));
    }
    dirs.push(dir);
  });
  return dirs;
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
