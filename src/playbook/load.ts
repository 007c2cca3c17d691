/**
 * Loading a playbook is strict (SPEC section 2): YAML syntax → JSON Schema → semantic checks,
 * every problem reported as FILE:LINE:COL at once, and only then a typed, frozen Playbook.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { checkSchema } from '../documents/check.js';
import { parseDocument } from '../documents/load.js';
import { problemAt, readSourceBytes } from '../documents/yaml.js';
import { InvalidDocument } from '../ui/errors.js';
import { checkPlaybook } from './checks.js';
import { stepsNamed } from './modules.js';
import type { Condition, Playbook } from './types.js';
import { loadRegimePack } from '../regimes/pack.js';
import { bundledRegimes } from '../config/settings.js';
import { withRegimes } from './regimes.js';

export interface LoadOptions {
  /** Template ids in the search path; notices naming others are refused. */
  readonly templates?: ReadonlySet<string>;
  /** Holiday calendar ids in the search path; deadlines naming others are refused. */
  readonly calendars?: ReadonlySet<string>;
  /** When loaded by id from a playbook directory, the id the file must declare. */
  readonly expectedId?: string;
  /** The regime pack's directories (the config's, then the bundled one); the bundled pack when undefined. */
  readonly regimeDirs?: readonly string[];
}

export const PLAYBOOK_WHAT = 'a leakctl/playbook@1 or @2 document';

export function loadPlaybookFile(file: string, options: LoadOptions = {}): Playbook {
  return parsePlaybook(file, readSourceBytes(file, 'a playbook .yaml file'), options);
}

export function parsePlaybook(file: string, bytes: Buffer, options: LoadOptions = {}): Playbook {
  const source = parseDocument(file, bytes.toString('utf8'), PLAYBOOK_WHAT);
  // Where a semantic check says what is wrong with a value, its words replace the schema's.
  const pack = usesRegimes(source.data) ? loadRegimePack(options.regimeDirs ?? [bundledRegimes()]) : undefined;
  const semantic = checkPlaybook(source, options, pack);
  const problems = [...checkSchema(source, 'playbook', new Set(semantic.map((p) => `${p.line}:${p.col}`))), ...semantic];
  const declared = source.data.id;
  if (options.expectedId !== undefined && typeof declared === 'string' && declared !== options.expectedId) {
    problems.push(
      problemAt(source, ['id'], `id "${declared}" does not match the file name ${basename(file)}; rename one of them`),
    );
  }
  if (problems.length > 0) throw new InvalidDocument(problems);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const playbook = toPlaybook(pack ? withRegimes(source.data, pack) : source.data, file, sha256);
  return deepFreeze(pack ? { ...playbook, regimes_sha256: pack.sha256 } : playbook);
}

type Raw = Record<string, unknown>;

/** Whether the playbook refers to the regime pack: only then is the pack read. */
function usesRegimes(data: Raw): boolean {
  return data.regimes !== undefined || (Array.isArray(data.deadlines) && data.deadlines.some((d) => typeof d === 'object' && d !== null && 'regime' in d));
}

function toPlaybook(data: Raw, file: string, sha256: string): Playbook {
  const withRequired = (list: Raw[]) =>
    list.map((phase) => ({
      ...phase,
      steps: (phase.steps as Raw[]).map((step) => ({ ...step, required: step.required !== false })),
    }));
  const phases = withRequired(data.phases as Raw[]);
  // A condition naming a later step (playbook@2): the step waits for it (see Step.waits_for).
  const order = new Map(phases.flatMap((phase) => phase.steps as Raw[]).map((step, i) => [step.id as string, i]));
  phases.forEach((phase) =>
    (phase.steps as Raw[]).forEach((step) => {
      if (step.when === undefined) return;
      const at = order.get(step.id as string) ?? 0;
      const later = stepsNamed(step.when as Condition).filter((id) => (order.get(id) ?? Infinity) > at);
      if (later.length > 0) step.waits_for = [...new Set(later)];
    }),
  );
  const modules = Array.isArray(data.modules) ? (data.modules as Raw[]).map((m) => ({ ...m, phases: withRequired(m.phases as Raw[]) })) : undefined;
  return {
    ...(data as unknown as Playbook),
    version: data.version === undefined ? undefined : String(data.version),
    phases: phases as unknown as Playbook['phases'],
    ...(modules ? { modules: modules as unknown as Playbook['modules'] } : {}),
    deadlines: (data.deadlines as Playbook['deadlines'] | undefined) ?? [],
    notices: (data.notices as Playbook['notices'] | undefined) ?? [],
    ...(typeof data.record === 'object' && data.record !== null ? { record: Object.fromEntries(Object.entries(data.record as Raw).map(([field, ids]) => [field, Array.isArray(ids) ? ids : [ids]])) } : {}),
    holidays: (data.holidays as string[] | undefined) ?? [],
    file,
    sha256,
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
