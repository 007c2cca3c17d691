/**
 * The semantic checks of a playbook: rules that need the whole document, run after (and
 * alongside) the JSON Schema. They read the raw data defensively, because they also run when the
 * schema has already found problems: the responder gets every problem in one run.
 */
import { longestDays, parseDuration } from '../time/duration.js';
import { LIMITS } from '../schemas/limits.js';
import { isTimeZone } from '../time/zoned-date.js';
import { problemAt, positionAt } from '../documents/yaml.js';
import type { DocPath, YamlSource } from '../documents/yaml.js';
import type { SourceProblem } from '../ui/errors.js';
import { COMPARISON_OPERATORS } from './conditions.js';
import { compilePattern } from './patterns.js';
import type { StepKind } from './types.js';
import type { RegimePack } from '../regimes/pack.js';
import { placeIds, residentsStep } from './regimes.js';

type Raw = Record<string, unknown>;

interface StepInfo {
  readonly id: string;
  readonly kind: unknown;
  readonly order: number;
  readonly path: DocPath;
  readonly choices: readonly unknown[] | undefined;
}

/** Fields that only make sense for some step kinds. */
const FIELDS_BY_KIND: Readonly<Record<string, readonly StepKind[]>> = {
  choices: ['select', 'multi'],
  items: ['checklist'],
  min_length: ['text', 'longtext'],
  max_length: ['text', 'longtext'],
  pattern: ['text', 'longtext'],
  min: ['number'],
  max: ['number'],
  integer: ['number'],
  min_items: ['multi'],
  duty: ['datetime'],
  default: ['confirm', 'text', 'number', 'select', 'multi'],
};

/** What only a leakctl/playbook@2 document may say. */
const V2_FIELDS = ['needs', 'default', 'duty'] as const;

const isRecord = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** What a playbook may name beyond itself: the template and calendar ids in the search path. */
export interface KnownIds {
  /** When undefined, notices are not checked against the templates. */
  readonly templates?: ReadonlySet<string>;
  /** When undefined, deadlines' calendars are not checked. */
  readonly calendars?: ReadonlySet<string>;
  /** The regime pack's directories; the bundled pack when undefined. */
  readonly regimeDirs?: readonly string[];
}


/** Every semantic problem in the playbook. */
export function checkPlaybook(source: YamlSource, known: KnownIds = {}, pack?: RegimePack): SourceProblem[] {
  const { templates, calendars } = known;
  const problems: SourceProblem[] = [];
  const report = (path: DocPath, message: string, key = false): void => {
    problems.push(problemAt(source, path, message, key));
  };
  const data = source.data;

  // Ids: phases and steps share one namespace, in document order.
  const steps = new Map<string, StepInfo>();
  const firstUse = new Map<string, DocPath>();
  const claim = (id: unknown, path: DocPath): void => {
    if (typeof id !== 'string') return;
    const earlier = firstUse.get(id);
    if (earlier) {
      const at = positionAt(source, earlier);
      report(path, `duplicate id "${id}" (first used at line ${at.line}); ids must be unique across phases and steps`);
    } else {
      firstUse.set(id, path);
    }
  };

  let order = 0;
  const stepList: { step: Raw; path: DocPath; order: number }[] = [];
  // The playbook's phases, then those of its modules (playbook@2): one namespace for all ids.
  const phaseLists: { phases: unknown; at: DocPath }[] = [{ phases: data.phases, at: ['phases'] }];
  listOf(data.modules).forEach((module, m) => {
    if (!isRecord(module)) return;
    claim(module.id, ['modules', m, 'id']);
    phaseLists.push({ phases: module.phases, at: ['modules', m, 'phases'] });
  });
  for (const { phases, at: phasesAt } of phaseLists) listOf(phases).forEach((phase, p) => {
    if (!isRecord(phase)) return;
    claim(phase.id, [...phasesAt, p, 'id']);
    listOf(phase.steps).forEach((step, s) => {
      if (!isRecord(step)) return;
      const path: DocPath = [...phasesAt, p, 'steps', s];
      claim(step.id, [...path, 'id']);
      if (typeof step.id === 'string' && !steps.has(step.id)) {
        steps.set(step.id, {
          id: step.id,
          kind: step.kind,
          order,
          path,
          choices: Array.isArray(step.choices)
            ? step.choices.map((c) => (isRecord(c) ? c.value : undefined))
            : undefined,
        });
      }
      stepList.push({ step, path, order });
      order += 1;
    });
  });

  // The block's steps and phase are the playbook's own: a module's phases may never join.
  const ownPhases = listOf(data.phases).filter(isRecord);
  const phaseIds = new Set(ownPhases.map((p) => p.id));
  const ownSteps = new Set(ownPhases.flatMap((p) => listOf(p.steps).map((s) => (isRecord(s) ? s.id : undefined))));
  const deadlineIdsOf = new Set(listOf(data.deadlines).map((d) => (isRecord(d) ? d.id : undefined)));
  checkRegimesBlock(data, pack, { templates, calendars }, steps, { phaseIds, ownSteps, deadlineIds: deadlineIdsOf }, firstUse, report);

  const v2 = data.schema === 'leakctl/playbook@2';
  checkRecordBlock(data, steps, v2, report);
  // playbook@2: a condition may name a step of any phase (the step waits until it can be
  // decided), and `needs`, `default` and `duty` may be used.
  if (data.modules !== undefined && !v2) report(['modules'], '"modules" is a leakctl/playbook@2 field; write schema: leakctl/playbook@2 at the top to use it', true);
  listOf(data.modules).forEach((module, m) => {
    if (isRecord(module) && module.when !== undefined) checkCondition(module.when, ['modules', m, 'when'], steps, report, {});
  });
  for (const { step, path, order: at } of stepList) {
    checkStepFields(step, path, report);
    if (step.when !== undefined) {
      checkCondition(step.when, [...path, 'when'], steps, report, v2 ? { self: step.id } : { before: at, self: step.id });
    }
    for (const field of V2_FIELDS) {
      if (step[field] !== undefined && !v2) report([...path, field], `"${field}" is a leakctl/playbook@2 field; write schema: leakctl/playbook@2 at the top to use it`, true);
    }
    listOf(step.needs).forEach((need, i) => {
      if (typeof need !== 'string') return;
      if (need === step.id) report([...path, 'needs', i], `step "${need}" cannot need itself`);
      else if (!steps.has(need)) report([...path, 'needs', i], `needs unknown step "${need}"`);
    });
    if (step.default !== undefined) checkDefault(step, path, report);
  }
  // needs must not go round in a circle: no step could ever be offered.
  const needs = new Map(stepList.filter(({ step }) => typeof step.id === 'string').map(({ step }) => [step.id as string, listOf(step.needs).filter((n): n is string => typeof n === 'string')]));
  for (const { step, path } of stepList) {
    if (typeof step.id !== 'string') continue;
    const seen = new Set<string>();
    const stack = [...(needs.get(step.id) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (next === step.id) {
        report([...path, 'needs'], `step "${step.id}" needs itself through other steps' needs; no step in that circle could ever be offered`);
        break;
      }
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(needs.get(next) ?? []));
    }
  }

  const deadlineIds = new Map<string, DocPath>();
  listOf(data.deadlines).forEach((deadline, d) => {
    if (!isRecord(deadline)) return;
    const path: DocPath = ['deadlines', d];
    if (typeof deadline.id === 'string') {
      const earlier = deadlineIds.get(deadline.id);
      if (earlier) {
        report([...path, 'id'], `duplicate deadline id "${deadline.id}" (first used at line ${positionAt(source, earlier).line})`);
      } else {
        deadlineIds.set(deadline.id, [...path, 'id']);
      }
    }
    if (deadline.regime !== undefined || deadline.clock !== undefined) checkRegimeClock(deadline, path, data.schema === 'leakctl/playbook@2', pack, report);
    if (typeof deadline.from === 'string' && deadline.from !== 'opened') {
      checkDatetimeStep(deadline.from, [...path, 'from'], 'from', steps, report, true);
    }
    if (typeof deadline.met_by === 'string') {
      checkDatetimeStep(deadline.met_by, [...path, 'met_by'], 'met_by', steps, report, false);
    }
    if (typeof deadline.within === 'string') {
      const within = parseDuration(deadline.within);
      if (!within) {
        report(
          [...path, 'within'],
          `"within" ${JSON.stringify(deadline.within)} is not an ISO 8601 duration; write e.g. PT72H (72 hours), P30D (30 days) or { business_days: 4 }`,
        );
      } else if (longestDays(within) > LIMITS.withinDays) {
        report([...path, 'within'], `"within" ${deadline.within} is longer than ${LIMITS.withinDays} days; no notification period is that long`);
      }
    }
    if (typeof deadline.time_zone === 'string' && !isTimeZone(deadline.time_zone)) {
      report([...path, 'time_zone'], `unknown time zone "${deadline.time_zone}"; use an IANA name such as America/New_York or Europe/Paris`);
    }
    if (typeof deadline.calendar === 'string' && calendars && !calendars.has(deadline.calendar)) {
      report([...path, 'calendar'], `unknown holiday calendar "${deadline.calendar}"; calendars in the search path: ${[...calendars].sort().join(', ') || 'none'}`);
    }
    if (deadline.calendar !== undefined && isRecord(deadline.within) === false) {
      report([...path, 'calendar'], '"calendar" names the holidays a business-day deadline skips; this deadline counts in hours or days ("within" is a duration): remove it');
    }
    if (deadline.when !== undefined) checkCondition(deadline.when, [...path, 'when'], steps, report, {});
  });

  const noticeTemplates = new Map<string, DocPath>();
  listOf(data.notices).forEach((notice, n) => {
    if (!isRecord(notice)) return;
    const path: DocPath = ['notices', n];
    if (typeof notice.template === 'string') {
      const earlier = noticeTemplates.get(notice.template);
      if (earlier) {
        report(
          [...path, 'template'],
          `template "${notice.template}" is already a notice at line ${positionAt(source, earlier).line}; each template renders one draft, so combine the conditions with any:`,
        );
      } else {
        noticeTemplates.set(notice.template, [...path, 'template']);
      }
      if (templates && !templates.has(notice.template)) {
        const known = [...templates].sort().join(', ') || 'none';
        report(
          [...path, 'template'],
          `unknown template "${notice.template}"; templates in the search path: ${known}`,
        );
      }
    }
    if (notice.when !== undefined) checkCondition(notice.when, [...path, 'when'], steps, report, {});
  });

  return problems;
}

type Report = (path: DocPath, message: string, key?: boolean) => void;

/**
 * The `record:` block (issue 15): each fact names steps that exist (the regime pack's count and
 * duty steps included), and the dates and counts of the register come from datetime and number steps.
 */
function checkRecordBlock(data: Raw, steps: Map<string, StepInfo>, v2: boolean, report: Report): void {
  const block = data.record;
  if (!isRecord(block)) return;
  if (!v2) {
    report(['record'], '"record" is a leakctl/playbook@2 field; write schema: leakctl/playbook@2 at the top to use it', true);
    return;
  }
  // The register's dates and counts are read as such: a date from a datetime step, a count from a number step.
  const kinds: Record<string, string> = { discovered: 'datetime', contained: 'datetime', authority_told: 'datetime', people_told: 'datetime', people: 'number', records: 'number' };
  for (const [field, value] of Object.entries(block)) {
    const ids = Array.isArray(value) ? value : [value];
    ids.forEach((id, i) => {
      if (typeof id !== 'string') return;
      const at: DocPath = Array.isArray(value) ? ['record', field, i] : ['record', field];
      const step = steps.get(id);
      const kind = kinds[field];
      if (!step) report(at, `record.${field} names unknown step "${id}"; name a step of the playbook (or one the regime pack adds), or remove it`);
      else if (kind !== undefined && step.kind !== kind) report(at, `record.${field} needs ${kind} steps; step "${id}" is a ${String(step.kind)} step: name a ${kind} step instead`);
    });
  }
}

/**
 * The `regimes:` block (playbook@2): the steps it names exist and are of the kind it uses them as,
 * and no id the pack would add is the playbook's own. The pack's places join the choices of the
 * places step here, so that the playbook's own conditions may name them.
 */
function checkRegimesBlock(
  data: Raw,
  pack: RegimePack | undefined,
  known: KnownIds,
  steps: Map<string, StepInfo>,
  own: { phaseIds: Set<unknown>; ownSteps: Set<unknown>; deadlineIds: Set<unknown> },
  ids: Map<string, DocPath>,
  report: Report,
): void {
  const block = data.regimes;
  if (!isRecord(block)) return;
  if (data.schema !== 'leakctl/playbook@2') {
    report(['regimes'], '"regimes" is a leakctl/playbook@2 field; write schema: leakctl/playbook@2 at the top to use it', true);
    return;
  }
  const kinds: Record<string, string> = { places: 'multi', aware: 'datetime', told: 'datetime' };
  for (const [field, kind] of Object.entries(kinds)) {
    const id = block[field];
    if (typeof id !== 'string') continue;
    const step = steps.get(id);
    if (!step) report(['regimes', field], `regimes.${field} names unknown step "${id}"`);
    else if (step.kind !== kind) report(['regimes', field], `regimes.${field} needs a ${kind} step; step "${id}" is a ${String(step.kind)} step`);
    else if (!own.ownSteps.has(id)) report(['regimes', field], `regimes.${field} names step "${id}" of a module; name a step of the playbook's own phases`);
  }
  if (typeof block.phase === 'string' && !own.phaseIds.has(block.phase)) report(['regimes', 'phase'], `regimes.phase names unknown phase "${block.phase}" (a phase of the playbook's own, not of a module)`);
  if (isRecord(block.when)) for (const [country, condition] of Object.entries(block.when)) checkCondition(condition, ['regimes', 'when', country], steps, report, {});
  if (!pack) return;
  for (const regime of pack.regimes) {
    if (regime.variant && known.templates && !known.templates.has(regime.variant)) report(['regimes'], `regime ${regime.id} (${regime.file}) names notice template "${regime.variant}", which is not in the template search path; add the template, or remove variant: from the regime`);
    for (const clock of regime.clocks) {
      if (clock.calendar && known.calendars && !known.calendars.has(clock.calendar)) report(['regimes'], `regime ${regime.id} (${regime.file}), clock ${clock.id}, names holiday calendar "${clock.calendar}", which is not in the search path; calendars: ${[...known.calendars].sort().join(', ') || 'none'}`);
    }
  }
  const places = placeIds(pack);
  const target = typeof block.places === 'string' ? steps.get(block.places) : undefined;
  if (target?.choices) steps.set(target.id, { ...target, choices: [...target.choices, ...places.filter((p) => !target.choices!.includes(p))] });
  // What the pack adds is the playbook's to name in its own conditions: counts and duty steps.
  let order = Math.max(0, ...[...steps.values()].map((s) => s.order)) + 1;
  for (const place of places) {
    const clocks = pack.regimes.filter((r) => r.place?.id === place).flatMap((r) => r.clocks.map((c) => c.id));
    const added: [string, string][] = [[residentsStep(place), 'number'], ...clocks.map((c): [string, string] => [`${place}_${c}_at`, 'datetime'])];
    for (const [id, kind] of added) {
      if (ids.has(id)) report(ids.get(id)!, `step id "${id}" is one the regime pack adds for ${place}; rename the step`);
      else steps.set(id, { id, kind, order: order++, path: ['regimes'], choices: undefined });
    }
    for (const clock of clocks) {
      const id = `${place}_${clock}`;
      if (own.deadlineIds.has(id)) report(['regimes'], `deadline id "${id}" is one the regime pack adds for ${place}; rename the playbook's deadline`);
    }
  }
}

/** A deadline naming a regime's clock: playbook@2, a regime in the pack, one of its clocks. */
function checkRegimeClock(deadline: Raw, path: DocPath, v2: boolean, pack: RegimePack | undefined, report: Report): void {
  if (!v2) {
    report([...path, deadline.regime !== undefined ? 'regime' : 'clock'], '"regime" and "clock" are leakctl/playbook@2 fields; write schema: leakctl/playbook@2 at the top to use them', true);
    return;
  }
  if (typeof deadline.regime !== 'string' || typeof deadline.clock !== 'string') {
    report(path, 'a deadline from a regime names both "regime" and "clock"');
    return;
  }
  if (!pack) return;
  const regime = pack.get(deadline.regime);
  if (!regime) {
    report([...path, 'regime'], `unknown regime "${deadline.regime}"; \`leakctl regimes\` lists the regime pack`);
    return;
  }
  if (!regime.clocks.some((c) => c.id === deadline.clock)) {
    const known = regime.clocks.map((c) => c.id).join(', ') || 'none (it sets no period)';
    report([...path, 'clock'], `regime ${regime.id} has no clock "${deadline.clock}"; its clocks: ${known}`);
  }
}

/** A default the step could take as its answer: of its kind, and one of its choices. */
function checkDefault(step: Raw, path: DocPath, report: Report): void {
  const value = step.default;
  const choices = listOf(step.choices).map((c) => (isRecord(c) ? c.value : undefined));
  const fits = ((): boolean => {
    switch (step.kind) {
      case 'confirm':
        return typeof value === 'boolean';
      case 'text':
      case 'longtext':
        return typeof value === 'string';
      case 'number':
        return typeof value === 'number';
      case 'select':
        return choices.includes(value);
      case 'multi':
        return Array.isArray(value) && value.every((v) => choices.includes(v));
      default:
        return true;
    }
  })();
  if (!fits) report([...path, 'default'], `"default" ${JSON.stringify(value)} is not an answer a ${String(step.kind)} step can take${choices.length > 0 ? `; choose from: ${choices.join(', ')}` : ''}`);
}

function checkStepFields(step: Raw, path: DocPath, report: Report): void {
  const kind = step.kind;
  if (typeof kind !== 'string') return;
  for (const [field, kinds] of Object.entries(FIELDS_BY_KIND)) {
    if (step[field] !== undefined && !kinds.includes(kind as StepKind)) {
      report(
        [...path, field],
        `"${field}" does not apply to a ${kind} step (only to ${kinds.join(', ')})`,
        true,
      );
    }
  }
  const unique = (list: unknown, member: 'value' | 'id', field: string): void => {
    const seen = new Set<unknown>();
    listOf(list).forEach((entry, i) => {
      if (!isRecord(entry) || entry[member] === undefined) return;
      if (seen.has(entry[member])) {
        report([...path, field, i, member], `duplicate ${member} "${String(entry[member])}" in ${field}`);
      }
      seen.add(entry[member]);
    });
  };
  unique(step.choices, 'value', 'choices');
  unique(step.items, 'id', 'items');

  if (typeof step.pattern === 'string') {
    // Compiled now, in RE2 syntax (patterns.ts), so that one RE2 cannot match is refused at load.
    const compiled = compilePattern(step.pattern);
    if (typeof compiled === 'string') report([...path, 'pattern'], `"pattern" is not a regular expression leakctl can use: ${compiled}`);
  }
  const ordered = (low: string, high: string): void => {
    if (typeof step[low] === 'number' && typeof step[high] === 'number' && step[low] > step[high]) {
      report([...path, low], `"${low}" (${step[low]}) is greater than "${high}" (${step[high]})`);
    }
  };
  ordered('min', 'max');
  ordered('min_length', 'max_length');
  if (typeof step.min_items === 'number' && Array.isArray(step.choices) && step.min_items > step.choices.length) {
    report([...path, 'min_items'], `"min_items" (${step.min_items}) is more than the ${step.choices.length} choices offered`);
  }
}

function checkDatetimeStep(
  id: string,
  path: DocPath,
  field: 'from' | 'met_by',
  steps: ReadonlyMap<string, StepInfo>,
  report: Report,
  openedAllowed: boolean,
): void {
  const target = steps.get(id);
  const expected = openedAllowed ? 'a datetime step id or "opened"' : 'a datetime step id';
  if (!target) {
    report(path, `"${field}" names unknown step "${id}"; expected ${expected}`);
  } else if (target.kind !== 'datetime') {
    report(path, `"${field}" names step "${id}", a ${String(target.kind)} step; expected ${expected}`);
  }
}

interface Scope {
  /** Steps at or after this position may not be named (a step's own condition). */
  readonly before?: number;
  readonly self?: unknown;
}

function checkCondition(
  condition: unknown,
  path: DocPath,
  steps: ReadonlyMap<string, StepInfo>,
  report: Report,
  scope: Scope,
): void {
  if (!isRecord(condition)) return;
  const combinators = ['all', 'any', 'not'].filter((k) => k in condition);
  const operators = COMPARISON_OPERATORS.filter((k) => k in condition);
  if (combinators.length > 0) {
    if (combinators.length > 1 || operators.length > 0 || 'step' in condition) {
      report(path, `a condition has either one of all/any/not or a step with one operator, not ${Object.keys(condition).join(' + ')}`);
      return;
    }
    const inner = condition[combinators[0] as string];
    if (combinators[0] === 'not') {
      checkCondition(inner, [...path, 'not'], steps, report, scope);
    } else {
      listOf(inner).forEach((c, i) => checkCondition(c, [...path, combinators[0] as string, i], steps, report, scope));
    }
    return;
  }
  if (typeof condition.step !== 'string') {
    if (!('step' in condition)) report(path, 'a condition needs "step" and one operator (equals, includes, includes_prefix, in, gt, gte, lt, lte, answered), or all/any/not');
    return;
  }
  if (operators.length !== 1) {
    report(
      path,
      operators.length === 0
        ? `the condition on "${condition.step}" needs one operator: equals, includes, includes_prefix, in, gt, gte, lt, lte or answered`
        : `the condition on "${condition.step}" has ${operators.length} operators (${operators.join(', ')}); use all: [...] to combine them`,
    );
    return;
  }
  const stepPath: DocPath = [...path, 'step'];
  const target = steps.get(condition.step);
  if (!target) {
    report(stepPath, `condition names unknown step "${condition.step}"`);
    return;
  }
  if (condition.step === scope.self) {
    report(stepPath, `the condition of step "${condition.step}" names the step itself; name an earlier step`);
    return;
  }
  if (scope.before !== undefined && target.order >= scope.before) {
    report(stepPath, `condition names step "${condition.step}", which comes later; a condition may only name earlier steps`);
    return;
  }
  const op = operators[0] as string;
  const opPath: DocPath = [...path, op];
  const value = condition[op];
  const kind = target.kind;
  const offered = target.choices;
  const mustBeOffered = (v: unknown, at: DocPath): void => {
    if (offered && !offered.includes(v)) {
      report(at, `step "${target.id}" does not offer ${JSON.stringify(v)}; its choices are: ${offered.map(String).join(', ')}`);
    }
  };
  switch (op) {
    case 'equals':
      if (kind === 'multi') {
        report(opPath, `step "${target.id}" is a multi step (its answer is a list); use includes:`, true);
      } else if (kind === 'select') {
        mustBeOffered(value, opPath);
      } else if (kind === 'confirm' && typeof value !== 'boolean') {
        const hint = typeof value === 'string' ? ` (${JSON.stringify(value)} is text in YAML 1.2)` : '';
        report(opPath, `step "${target.id}" is a confirm step; compare it with true or false${hint}`);
      } else if (kind === 'number' && typeof value !== 'number') {
        report(opPath, `step "${target.id}" is a number step; compare it with a number`);
      }
      break;
    case 'includes':
      if (kind !== 'multi') {
        report(opPath, `includes: needs a multi step; step "${target.id}" is a ${String(kind)} step`, true);
      } else {
        mustBeOffered(value, opPath);
      }
      break;
    case 'includes_prefix':
      if (kind !== 'multi') report(opPath, `includes_prefix: needs a multi step; step "${target.id}" is a ${String(kind)} step`, true);
      // A prefix no choice starts with is never true: a typo ("us-") would silently hide a step.
      else if (offered && typeof value === 'string' && !offered.some((v) => String(v).startsWith(value))) {
        report(opPath, `no choice of step "${target.id}" starts with ${JSON.stringify(value)}; its choices are: ${offered.map(String).join(', ')}`);
      }
      break;
    case 'in':
      if (kind === 'multi') {
        report(opPath, `step "${target.id}" is a multi step (its answer is a list); use any: with includes:`, true);
      } else if (kind === 'select') {
        listOf(value).forEach((v, i) => mustBeOffered(v, [...opPath, i]));
      }
      break;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (kind !== 'number') {
        report(opPath, `${op}: needs a number step; step "${target.id}" is a ${String(kind)} step`, true);
      }
      break;
  }
}
