/**
 * The fuzzing properties of issue 7 ("Hostile input"), shared by the bounded run in `npm test`
 * (fuzz.test.ts) and the long one in `npm run test:stress` (test/stress/fuzz.stress.ts).
 *
 * The promise under test: whatever bytes a playbook, answers file or config file holds, loading it
 * ends in a value or in InvalidDocument (exit 2) whose every problem has the file, a line >= 1 and a
 * column >= 1 — never another exception (exit 1, a stack trace) and never a hang. The condition
 * evaluator, given any condition the schema admits and any answers, returns a boolean.
 *
 * Documents come two ways: generated from arbitraries (near-valid structures with wrong types,
 * hostile keys such as __proto__, random YAML styles), and mutated from the bundled playbooks,
 * drills and a config (lines deleted, duplicated, swapped, re-indented, truncated, bytes
 * inserted). The loaders are the ones the CLI uses, called in-process so that thousands of
 * cases fit in seconds; one property also runs a batch of mutated files through `leakctl validate`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { checkConfig } from '../../src/config/config.js';
import { parseDocument } from '../../src/documents/load.js';
import { conditionInWords, evaluate } from '../../src/playbook/conditions.js';
import { parsePlaybook } from '../../src/playbook/load.js';
import type { Condition, Playbook, Step } from '../../src/playbook/types.js';
import { checkAnswer } from '../../src/run/check-answer.js';
import { ANSWERS_WHAT, checkAnswers } from '../../src/run/answers-file.js';
import { CONFIG_WHAT } from '../../src/config/config.js';
import { InvalidDocument } from '../../src/ui/errors.js';
import { BIN, ROOT } from '../helpers/exec.js';

/** Figures for the note on issue 7: cases tried, and how each ended. */
export interface Tally {
  tried: number;
  loaded: number;
  refused: number;
  /** The slowest case, in milliseconds: a hang or a quadratic blow-up shows here. */
  slowestMs: number;
}

export const tallies = new Map<string, Tally>();

function tally(name: string): Tally {
  let t = tallies.get(name);
  if (!t) tallies.set(name, (t = { tried: 0, loaded: 0, refused: 0, slowestMs: 0 }));
  return t;
}

// Newlines, C0 and C1 controls (tab aside), DEL, bidi embeddings, overrides, isolates and marks.
const UNSAFE_IN_MESSAGE = /[\n\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;

/**
 * Every case must use less processor time than this (a normal one takes milliseconds).
 * Processor time, not the wall clock: it does not grow when the machine is busy (issue 9).
 */
export const CASE_LIMIT_MS = 2000;

/** Milliseconds of processor time this process has used. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Runs one load and checks how it ended: a value, or InvalidDocument whose every problem is
 * FILE:LINE:COL in `file`. Anything else is thrown on, failing the property with its input.
 */
export function expectLoadOrProblems<T>(name: string, file: string, load: () => T): T | undefined {
  const t = tally(name);
  t.tried += 1;
  const started = cpuMs();
  try {
    const value = load();
    t.loaded += 1;
    return value;
  } catch (error) {
    if (!(error instanceof InvalidDocument)) throw error;
    expect(error.exitCode).toBe(2);
    expect(error.problems.length).toBeGreaterThan(0);
    for (const p of error.problems) {
      expect(p.file).toBe(file);
      expect(Number.isInteger(p.line) && p.line >= 1, `line ${p.line} in ${p.file}:${p.line}:${p.col} ${p.message}`).toBe(true);
      expect(Number.isInteger(p.col) && p.col >= 1, `col ${p.col} in ${p.file}:${p.line}:${p.col} ${p.message}`).toBe(true);
      expect(p.message.trim()).not.toBe('');
      // One line, and nothing a terminal would act on: messages quote values from the document.
      expect(p.message, `${p.file}:${p.line}:${p.col} ${JSON.stringify(p.message)}`).not.toMatch(UNSAFE_IN_MESSAGE);
    }
    t.refused += 1;
    return undefined;
  } finally {
    const ms = cpuMs() - started;
    t.slowestMs = Math.max(t.slowestMs, ms);
    expect(ms, `${name} took ${Math.round(ms)} ms of processor time for one document`).toBeLessThan(CASE_LIMIT_MS);
  }
}

// ---------------------------------------------------------------------------------------------
// The loaders, as the CLI calls them.

const work = mkdtempSync(join(tmpdir(), 'leakctl-fuzz-'));
mkdirSync(join(work, 'dirs', 'extra'), { recursive: true });
const NOW = new Date('2026-03-02T09:00:00Z');
const TEMPLATES = new Set(['member-notice-platform', 'regulator-notice', 'status-update', 'provider-request']);

export function loadPlaybookText(text: string): Playbook | undefined {
  const file = join(work, 'fuzz-playbook.yaml');
  return expectLoadOrProblems('playbook', file, () => parsePlaybook(file, Buffer.from(text, 'utf8'), { templates: TEMPLATES }));
}

export function loadAnswersText(text: string, steps: readonly Step[]): void {
  const file = join(work, 'fuzz-answers.yaml');
  const loaded = expectLoadOrProblems('answers', file, () => {
    const answers = checkAnswers(parseDocument(file, text, ANSWERS_WHAT));
    // A position is only computed when a message needs one; ask for each, as a refusal would.
    for (const answer of answers.answers.values()) expect(answer.position.line).toBeGreaterThanOrEqual(1);
    return answers;
  });
  if (!loaded) return;
  // Answers are checked exactly like typed input: any value gives a verdict, never an exception.
  const byId = new Map(steps.map((s) => [s.id, s]));
  for (const [id, answer] of loaded.answers) {
    const step = byId.get(id);
    if (!step) continue;
    const checked = checkAnswer(step, answer.value, { now: NOW, baseDir: work });
    if (!checked.ok) expect(typeof checked.message).toBe('string');
  }
}

export function loadConfigText(text: string): void {
  const file = join(work, 'leakctl.config.yaml');
  expectLoadOrProblems('config', file, () => checkConfig(parseDocument(file, text, CONFIG_WHAT)));
}

/** Evaluating a condition never throws and gives a boolean; putting it in words gives text. */
export function evaluateEverywhere(condition: Condition, answers: ReadonlyMap<string, unknown>): void {
  const t = tally('condition');
  t.tried += 1;
  const started = cpuMs();
  expect(typeof evaluate(condition, answers)).toBe('boolean');
  expect(typeof conditionInWords(condition)).toBe('string');
  t.loaded += 1;
  t.slowestMs = Math.max(t.slowestMs, cpuMs() - started);
}

// ---------------------------------------------------------------------------------------------
// Generated documents.

const KINDS = ['info', 'confirm', 'text', 'longtext', 'number', 'select', 'multi', 'datetime', 'checklist', 'attachment'];
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
const IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'found_at', 'told_at', 'constructor', 'prototype'];

const json = fc.jsonValue({ maxDepth: 3 });
/** Mostly the right thing, sometimes any JSON value, sometimes left out. */
const usually = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: json });
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '{{ x }}', '\u001b[31mred', '\u202eevil', 'yes', 'null', '~', '- x', ': x', '#x') },
);
const id = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...IDS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });
const value = fc.oneof(fc.constantFrom('yes', 'no', 'eu', 'us', 'names', 'payment', 'x'), fc.boolean(), fc.integer(), json);

/** Conditions as the schema describes them, with wrong shapes now and then. */
const { condition } = fc.letrec<{ condition: unknown }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: fc.record({ step: id, equals: value }) },
    { weight: 2, arbitrary: fc.record({ step: id, includes: value }) },
    { weight: 2, arbitrary: fc.record({ step: id, in: fc.array(value, { maxLength: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ step: id, op: fc.constantFrom('gt', 'gte', 'lt', 'lte'), n: usually(fc.double()) }).map(({ step, op, n }) => ({ step, [op]: n })) },
    { weight: 2, arbitrary: fc.record({ step: id, answered: usually(fc.boolean()) }) },
    { weight: 2, arbitrary: fc.record({ all: fc.array(tie('condition'), { maxLength: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ any: fc.array(tie('condition'), { maxLength: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ not: tie('condition') }) },
    { weight: 1, arbitrary: json },
    { weight: 1, arbitrary: fc.record({ step: id, equals: value, includes: value }) },
  ),
}));

/** Conditions of the typed shape `evaluate` is given after loading (the schema and checks passed). */
const { typedCondition } = fc.letrec<{ typedCondition: Condition }>((tie) => ({
  typedCondition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ step: id, equals: value }),
    fc.record({ step: id, includes: value }),
    fc.record({ step: id, in: fc.array(value, { minLength: 1, maxLength: 3 }) }),
    fc.record({ step: id, gt: fc.double() }),
    fc.record({ step: id, gte: fc.double() }),
    fc.record({ step: id, lt: fc.double() }),
    fc.record({ step: id, lte: fc.double() }),
    fc.record({ step: id, answered: fc.boolean() }),
    fc.record({ all: fc.array(tie('typedCondition'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('typedCondition'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('typedCondition') }),
  ) as fc.Arbitrary<Condition>,
}));

export const answersMap = fc
  .array(fc.tuple(id, fc.oneof(value, fc.array(value, { maxLength: 3 }))), { maxLength: 8 })
  .map((pairs) => new Map<string, unknown>(pairs));

export const conditionCase = fc.tuple(typedCondition, answersMap);

/** Own keys named like prototype members: they must be refused as unknown, never used. */
const hostileExtras = fc.array(fc.tuple(fc.constantFrom(...HOSTILE_KEYS, 'extra'), json), { maxLength: 2 });

function withExtras<T extends object>(object: T, extras: readonly [string, unknown][]): T {
  for (const [key, v] of extras) Object.defineProperty(object, key, { value: v, enumerable: true, writable: true, configurable: true });
  return object;
}

const choice = fc.record({ value: usually(id), label: usually(text) }, { requiredKeys: [] });
const step = fc
  .tuple(
    fc.record(
      {
        id: usually(id),
        kind: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...KINDS) }, { weight: 1, arbitrary: text }),
        prompt: usually(text),
        help: usually(text),
        required: usually(fc.boolean()),
        sensitive: usually(fc.boolean()),
        when: condition,
        choices: usually(fc.array(choice, { maxLength: 4 })),
        items: usually(fc.array(fc.record({ id: usually(id), label: usually(text) }), { maxLength: 3 })),
        min_length: usually(fc.nat(10)),
        max_length: usually(fc.nat(10)),
        pattern: fc.oneof(fc.constantFrom('^[A-Z]+$', '(a+)+$', '[', '\\p{L}+', '(?<n>x)\\k<n>'), text),
        min: usually(fc.integer()),
        max: usually(fc.integer()),
        integer: usually(fc.boolean()),
        min_items: usually(fc.nat(5)),
      },
      { requiredKeys: ['id', 'kind', 'prompt'] },
    ),
    hostileExtras,
  )
  .map(([s, extras]) => withExtras(s, extras));

const phase = fc.record({ id: usually(id), title: usually(text), steps: usually(fc.array(step, { minLength: 1, maxLength: 5 })) }, { requiredKeys: ['id', 'title', 'steps'] });
const deadline = fc.record(
  {
    id: usually(id),
    title: usually(text),
    from: fc.oneof(fc.constant('opened'), id),
    within: fc.oneof(fc.constantFrom('PT72H', 'P30D', 'P1Y2M3DT4H5M6S', 'PT0S', 'P', 'PT', '72h', 'P-1D'), fc.record({ business_days: usually(fc.integer({ min: -2, max: 20 })) }), json),
    met_by: id,
    when: condition,
    source: usually(text),
  },
  { requiredKeys: ['id', 'title', 'from', 'within', 'met_by'] },
);
const notice = fc.record({ template: fc.oneof(fc.constantFrom(...TEMPLATES, 'no-such-template', '../../etc/passwd'), text), when: condition }, { requiredKeys: ['template'] });

const playbookObject = fc
  .tuple(
    fc.record(
      {
        schema: fc.oneof({ weight: 9, arbitrary: fc.constant('leakctl/playbook@1') }, { weight: 1, arbitrary: text }),
        id: fc.oneof({ weight: 9, arbitrary: fc.constant('fuzzed') }, { weight: 1, arbitrary: text }),
        title: usually(text),
        cause: fc.oneof(fc.constantFrom('platform', 'member', 'other'), text),
        summary: usually(text),
        version: fc.oneof(fc.string(), fc.integer(), json),
        holidays: usually(fc.array(fc.constantFrom('2026-12-25', '2026-02-30', 'xmas'), { maxLength: 3 })),
        phases: usually(fc.array(phase, { minLength: 1, maxLength: 3 })),
        deadlines: usually(fc.array(deadline, { maxLength: 3 })),
        notices: usually(fc.array(notice, { maxLength: 3 })),
      },
      { requiredKeys: ['schema', 'id', 'title', 'cause', 'summary', 'phases'] },
    ),
    hostileExtras,
  )
  .map(([p, extras]) => withExtras(p, extras));

/** YAML text in one of the styles a person or a tool might write. */
interface YamlStyle {
  collectionStyle: 'any' | 'block' | 'flow';
  defaultStringType: 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';
  indent: number;
}
const yamlStyle: fc.Arbitrary<YamlStyle> = fc.record({
  collectionStyle: fc.constantFrom('any', 'block', 'flow'),
  defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
  indent: fc.integer({ min: 1, max: 6 }),
});
const toYaml = (object: unknown, style: YamlStyle): string => stringify(object, { ...style, aliasDuplicateObjects: false, lineWidth: 0 });

/**
 * A playbook that follows every rule (unique ids, the fields each kind needs, conditions on
 * earlier steps with operators that fit them, deadlines on datetime steps), so that the success
 * path — the typed playbook and its conditions evaluated — is fuzzed too. `dice` drives the
 * choices; the builder below turns them into a document.
 */
const validPlaybookObject = fc
  .record({
    kinds: fc.array(fc.constantFrom(...KINDS), { minLength: 1, maxLength: 10 }),
    dice: fc.array(fc.nat(1000), { minLength: 64, maxLength: 64 }),
    texts: fc.array(text, { minLength: 8, maxLength: 8 }),
    extras: hostileExtras,
  })
  .map(({ kinds, dice, texts, extras }) => {
    let d = 0;
    const roll = (n: number): number => (dice[d++ % dice.length] ?? 0) % n;
    const say = (): string => texts[roll(texts.length)] || 'Question?';
    const choices = [{ value: 'c_a', label: 'A' }, { value: 'c_b', label: 'B' }, { value: 'c_c', label: 'C' }];
    const steps: Record<string, unknown>[] = [];
    kinds.forEach((kind, i) => {
      const s: Record<string, unknown> = { id: `s${i}`, kind, prompt: say() };
      if (roll(4) === 0) s.required = false;
      if (roll(6) === 0) s.sensitive = true;
      if (roll(3) === 0) s.help = say();
      if (kind === 'select' || kind === 'multi') s.choices = choices.slice(0, 1 + roll(3));
      if (kind === 'checklist') s.items = [{ id: 'i_a', label: 'A' }, { id: 'i_b', label: 'B' }].slice(0, 1 + roll(2));
      if (kind === 'number' && roll(2) === 0) Object.assign(s, { min: -roll(10), max: roll(100), integer: roll(2) === 0 });
      if (kind === 'text' && roll(3) === 0) Object.assign(s, { min_length: roll(3), max_length: 3 + roll(50), pattern: ['^.*$', '^[A-Z]', '\\d+'][roll(3)] });
      if (i > 0 && roll(2) === 0) s.when = conditionOn(kinds, steps, i, roll);
      steps.push(s);
    });
    const datetimes = steps.filter((s) => s.kind === 'datetime').map((s) => s.id as string);
    const phases = [];
    for (let i = 0, p = 0; i < steps.length; p++) {
      const n = 1 + roll(4);
      phases.push({ id: `p${p}`, title: say(), steps: steps.slice(i, i + n) });
      i += n;
    }
    const playbook: Record<string, unknown> = { schema: 'leakctl/playbook@1', id: 'fuzzed', title: say(), cause: 'other', summary: say(), phases };
    if (datetimes.length > 0 && roll(2) === 0) {
      playbook.deadlines = [{ id: 'd0', title: 'Deadline', from: roll(2) === 0 ? 'opened' : datetimes[0], within: ['PT72H', 'P30D', { business_days: 4 }][roll(3)], met_by: datetimes[datetimes.length - 1] }];
    }
    if (roll(2) === 0) playbook.notices = [{ template: [...TEMPLATES][roll(TEMPLATES.size)], ...(steps.length > 0 && roll(2) === 0 ? { when: conditionOn(kinds, steps, steps.length, roll) } : {}) }];
    // A valid document, or the same with prototype-named keys added (which must be refused).
    return roll(5) === 0 ? withExtras(playbook, extras) : playbook;
  });

/** A condition on a step before `before`, with an operator that suits the step's kind. */
function conditionOn(kinds: readonly string[], steps: readonly Record<string, unknown>[], before: number, roll: (n: number) => number): Record<string, unknown> {
  const i = roll(before);
  const step = `s${i}`;
  const kind = kinds[i];
  const offered = ((steps[i]?.choices as { value: string }[] | undefined) ?? []).map((c) => c.value);
  let c: Record<string, unknown>;
  if (kind === 'confirm') c = { step, equals: roll(2) === 0 };
  else if (kind === 'number') c = { step, [['gt', 'gte', 'lt', 'lte'][roll(4)]!]: roll(50) - 10 };
  else if (kind === 'select' && offered.length > 0) c = roll(2) === 0 ? { step, equals: offered[roll(offered.length)] } : { step, in: offered.slice(0, 1 + roll(offered.length)) };
  else if (kind === 'multi' && offered.length > 0) c = { step, includes: offered[roll(offered.length)] };
  else c = { step, answered: roll(2) === 0 };
  const wrap = roll(6);
  if (wrap === 0) return { not: c };
  if (wrap === 1) return { all: [c, conditionOn(kinds, steps, before, roll)] };
  if (wrap === 2) return { any: [c] };
  return c;
}

export const generatedPlaybook = fc.oneof(
  { weight: 2, arbitrary: fc.tuple(validPlaybookObject, yamlStyle).map(([p, style]) => toYaml(p, style)) },
  { weight: 1, arbitrary: fc.tuple(validPlaybookObject, yamlStyle, mutationsLater()).map(([p, style, ops]) => mutate(toYaml(p, style), ops)) },
  { weight: 2, arbitrary: fc.tuple(playbookObject, yamlStyle).map(([p, style]) => toYaml(p, style)) },
);

const duration = fc.oneof(fc.constantFrom('PT70H', 'P2D', 'PT0S', 'P', 'soon', 'PT-1H', 'P99999999999Y'), text);
const answerEntry = fc.oneof(
  { weight: 5, arbitrary: value },
  { weight: 2, arbitrary: fc.array(fc.oneof(value, fc.constantFrom('./missing.txt', '/dev/null', '/etc', '../../x', 'a\u0000b')), { maxLength: 3 }) },
  { weight: 2, arbitrary: fc.record({ value, after: duration }, { requiredKeys: ['value'] }) },
  { weight: 1, arbitrary: fc.record({ value, after: duration, extra: json }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('notify_members', 'notify_authority', 'constructor', 'x'), fc.constantFrom('done', 'skipped', 'n/a', 'maybe')) },
);

/** Step ids the bundled platform playbook has, so that generated answers reach checkAnswer. */
export function stepIdsOf(playbook: Playbook): string[] {
  return playbook.phases.flatMap((p) => p.steps.map((s) => s.id));
}

export function generatedAnswers(stepIds: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...stepIds) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });
  const answers = fc.array(fc.tuple(key, answerEntry), { maxLength: 12 }).map((pairs) => withExtras({}, pairs));
  const object = fc
    .tuple(
      fc.record(
        {
          schema: fc.oneof({ weight: 9, arbitrary: fc.constant('leakctl/answers@1') }, { weight: 1, arbitrary: text }),
          responder: usually(text),
          now: fc.oneof(fc.constantFrom('2026-03-02T09:00:00Z', '2026-03-02', '2026-13-45T99:00:00Z', 'now'), json),
          answers: usually(answers),
        },
        { requiredKeys: ['schema', 'answers'] },
      ),
      hostileExtras,
    )
    .map(([a, extras]) => withExtras(a, extras));
  return fc.tuple(object, yamlStyle).map(([a, style]) => toYaml(a, style));
}

export const generatedConfig = fc
  .tuple(
    fc.record(
      {
        schema: fc.oneof({ weight: 9, arbitrary: fc.constant('leakctl/config@1') }, { weight: 1, arbitrary: text }),
        org: usually(
          fc
            .tuple(
              fc.record({
                name: usually(text),
                community: usually(text),
                contact_email: fc.oneof(fc.constantFrom('dpo@example.org', 'not-an-email', ''), text),
                dpo_contact: usually(text),
                website: fc.oneof(fc.constantFrom('https://example.org', 'javascript:alert(1)', 'not a url'), text),
                platform: usually(text),
              }, { requiredKeys: [] }),
              hostileExtras,
            )
            .map(([o, extras]) => withExtras(o, extras)),
        ),
        responder: usually(text),
        timezone: fc.oneof(fc.constantFrom('UTC', 'Europe/Berlin', 'Mars/Olympus_Mons', 'Etc/GMT+14', ''), text),
        playbooks: usually(fc.array(fc.constantFrom('dirs/extra', 'dirs/missing', '/', '../../..', 'a\u0000b'), { maxLength: 3 })),
        templates: usually(fc.array(fc.constantFrom('dirs/extra', 'nowhere'), { maxLength: 2 })),
        holidays: usually(fc.array(fc.constantFrom('2026-12-25', '2026-02-30', 'xmas'), { maxLength: 3 })),
      },
      { requiredKeys: ['schema'] },
    ),
    hostileExtras,
  )
  .map(([c, extras]) => withExtras(c, extras));
export const generatedConfigText = fc.tuple(generatedConfig, yamlStyle).map(([c, style]) => toYaml(c, style));

// ---------------------------------------------------------------------------------------------
// Mutated documents.

/** The bundled documents mutations start from. */
export const CORPUS = {
  playbooks: ['playbooks/platform-leak.yaml', 'playbooks/member-leak.yaml'].map((f) => readFileSync(join(ROOT, f), 'utf8')),
  drills: ['playbooks/drills/platform-leak.yaml', 'playbooks/drills/member-leak.yaml'].map((f) => readFileSync(join(ROOT, f), 'utf8')),
  configs: [
    readFileSync(join(ROOT, 'test/e2e/fixtures/incident/leakctl.config.yaml'), 'utf8'),
    'schema: leakctl/config@1\norg:\n  name: Zoë\'s Café Makers\n  community: Café\n  contact_email: privacy@example.org\n  website: https://example.org\nresponder: dana\ntimezone: Europe/Berlin\nplaybooks: [dirs/extra]\nholidays: [2026-12-25]\n',
  ],
};

/** Bytes that mean something to YAML (or to a terminal), inserted at random places. */
const INSERTS = [
  ':', ': ', '-', '- ', '[', ']', '{', '}', ',', '&a ', '*a', '!', '!!str ', '!!binary ', '|', '>', "'", '"', '#', '%YAML 1.1\n---\n',
  '@', '`', '?', '? ', '\t', '\r', '\r\n', '\u0000', '\ufeff', '\u202e', '\u001b[2J', '\\', '\n', '\n---\n', '<<: *a\n', '~', '.nan', '-.inf', '0x1F', '1e999',
  '__proto__: {polluted: 1}\n', 'constructor: {prototype: {polluted: 1}}\n', '"\\ud800"', '\u2028',
];

type Mutation =
  | { op: 'delete'; line: number }
  | { op: 'duplicate'; line: number }
  | { op: 'swap'; line: number; other: number }
  | { op: 'insert'; line: number; col: number; text: string }
  | { op: 'indent'; line: number; by: number; tab: boolean }
  | { op: 'value'; line: number; text: string }
  | { op: 'truncate'; at: number }
  | { op: 'yaml11' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), line: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), line: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), line: fc.nat(), other: fc.nat() }),
  fc.record({
    op: fc.constant('insert' as const),
    line: fc.nat(),
    col: fc.nat(80),
    text: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...INSERTS) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) }),
  }),
  fc.record({ op: fc.constant('indent' as const), line: fc.nat(), by: fc.integer({ min: -4, max: 4 }), tab: fc.boolean() }),
  fc.record({
    op: fc.constant('value' as const),
    line: fc.nat(),
    text: fc.constantFrom(
      '~', '[]', '{}', '""', '.nan', '-.inf', '0x1F', '1e999', '2026-13-45', 'yes', '[a, [b, {c: d}]]', '"\\u202e\\u001b"', 'x'.repeat(5000),
      // Anchors that contain their own alias (the data would contain itself), YAML 1.1 types.
      '&a [*a]', '&a {not: *a}', '&a {all: [*a]}', '&a {value: *a}', '*nowhere', '!!set {a, b}', '!!binary aGk=', '!!timestamp 2001-12-14', '!!omap [{a: 1}]',
      '['.repeat(300), '{a: '.repeat(150) + '1' + '}'.repeat(150),
    ),
  }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('yaml11' as const) }),
);

export const mutations = fc.array(mutation, { minLength: 1, maxLength: 6 });

/** The mutations, for generators defined above them in this file. */
function mutationsLater(): fc.Arbitrary<Mutation[]> {
  return fc.constant(null).chain(() => fc.array(mutation, { minLength: 1, maxLength: 2 }));
}

export function mutate(text: string, ops: readonly Mutation[]): string {
  let lines = text.split('\n');
  for (const m of ops) {
    if (lines.length === 0) lines = [''];
    const i = 'line' in m ? m.line % lines.length : 0;
    const at = lines[i] ?? '';
    switch (m.op) {
      case 'delete':
        lines.splice(i, 1);
        break;
      case 'duplicate':
        lines.splice(i, 0, at);
        break;
      case 'swap': {
        const j = m.other % lines.length;
        [lines[i], lines[j]] = [lines[j] ?? '', at];
        break;
      }
      case 'insert': {
        const col = Math.min(m.col, at.length);
        lines[i] = at.slice(0, col) + m.text + at.slice(col);
        break;
      }
      case 'indent':
        lines[i] = m.by >= 0 ? (m.tab ? '\t' : ' '.repeat(m.by)) + at : at.replace(new RegExp(`^ {0,${-m.by}}`), '');
        break;
      case 'value': {
        const colon = at.indexOf(': ');
        lines[i] = colon === -1 ? `${at} ${m.text}` : `${at.slice(0, colon + 2)}${m.text}`;
        break;
      }
      case 'yaml11':
        // YAML 1.1 turns !!set, !!binary, !!timestamp into Set, Buffer, Date objects.
        lines.unshift('%YAML 1.1', '---');
        break;
      case 'truncate': {
        const whole = lines.join('\n');
        lines = whole.slice(0, m.at % (whole.length + 1)).split('\n');
        break;
      }
    }
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Through the binary: a batch of mutated files in one `leakctl validate` run.

const PROBLEM_LINE = /^(.+):(\d+):(\d+) \S/;

/**
 * Writes the documents to files and validates them all in one run: exit 0 or 2, and every line
 * on stderr a FILE:LINE:COL problem of one of those files, or the closing count.
 */
export function validateBatch(documents: readonly string[]): { files: number; invalid: number } {
  const dir = mkdtempSync(join(work, 'batch-'));
  const files = documents.map((text, i) => {
    const file = join(dir, `doc-${i}.yaml`);
    writeFileSync(file, text);
    return file;
  });
  // Not the leakctl() helper: hundreds of files can print more than its 1 MiB output buffer.
  const run = spawnSync(process.execPath, [BIN, 'validate', ...files], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' },
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  const r = { code: run.status, stdout: run.stdout, stderr: run.stderr };
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  const summary = lines.find((l) => /^\d+ of \d+ file\(s\) invalid$/.test(l));
  const invalid = summary ? Number(summary.split(' ')[0]) : 0;
  const notProblems = lines.filter((l) => l !== summary && !PROBLEM_LINE.test(l));
  expect(notProblems, `lines that are not FILE:LINE:COL problems (exit ${r.code})`).toEqual([]);
  expect([0, 2], `exit ${r.code}; stderr ends: ${lines.slice(-3).join(' | ')}`).toContain(r.code);
  for (const line of lines) {
    if (line === summary) continue;
    const m = PROBLEM_LINE.exec(line)!;
    expect(files).toContain(m[1]);
    expect(Number(m[2])).toBeGreaterThanOrEqual(1);
    expect(Number(m[3])).toBeGreaterThanOrEqual(1);
  }
  expect(r.stdout.split('\n').filter((l) => l.startsWith('OK')).length + invalid).toBe(files.length);
  const t = tally('validate (CLI)');
  t.tried += files.length;
  t.refused += invalid;
  t.loaded += files.length - invalid;
  return { files: files.length, invalid };
}

/** fast-check settings: a fixed seed when FUZZ_SEED is set (to replay a failure), else random. */
export function runs(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.FUZZ_SEED;
  return { numRuns, ...(seed ? { seed: Number(seed) } : {}) };
}

export function report(): string {
  return [...tallies]
    .map(([name, t]) => `${name}: ${t.tried} tried, ${t.loaded} loaded, ${t.refused} refused with FILE:LINE:COL, slowest ${Math.round(t.slowestMs)} ms of processor time`)
    .join('\n');
}
