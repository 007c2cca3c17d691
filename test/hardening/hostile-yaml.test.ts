/**
 * Issue 7, "Hostile input": YAML built to exhaust the loader, and keys named after JavaScript's
 * prototype machinery, through the built binary where a responder would meet them (`validate`,
 * `start --answers`, `--config`) and through the loaders in-process.
 *
 * Guards:
 * - alias bombs ("billion laughs"), aliases inside the node they name (data that contains
 *   itself), and nesting 100,000 levels deep are refused with one FILE:LINE:COL message and exit
 *   2, well within 10 s — not a stack trace (exit 1), a hang or gigabytes of memory;
 * - `%YAML 1.1` cannot smuggle Set, Map, Buffer or Date objects past the schema;
 * - `__proto__`, `constructor` and `prototype` keys are reported as unknown fields or unknown
 *   steps, never used, and never pollute Object.prototype.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkConfig, CONFIG_WHAT } from '../../src/config/config.js';
import { parseYaml } from '../../src/documents/yaml.js';
import { parseDocument } from '../../src/documents/load.js';
import { parsePlaybook } from '../../src/playbook/load.js';
import { checkAnswer } from '../../src/run/check-answer.js';
import { ANSWERS_WHAT, checkAnswers } from '../../src/run/answers-file.js';
import { InvalidDocument } from '../../src/ui/errors.js';
import { leakctl } from '../helpers/exec.js';
import { measure } from './measure.js';

const dir = mkdtempSync(join(tmpdir(), 'leakctl-hostile-yaml-'));
const LEVELS = 100_000;
/**
 * Processor seconds, generous: each of these is refused in well under one; the bound catches an
 * expansion or a hang, whatever else the machine is doing.
 */
const BOUND_CPU_SECONDS = 10;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const PLAYBOOK_HEAD = 'schema: leakctl/playbook@1\nid: hostile\ntitle: Hostile\ncause: other\nsummary: Built to hurt the loader.\n';
const STEPS = 'phases:\n  - id: p\n    title: P\n    steps:\n      - { id: a, kind: confirm, prompt: A? }\n';

/** Nine levels of nine aliases each: 9^9 (387 million) strings once expanded. */
function billionLaughs(key: string): string {
  const lines = [`${key}_a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]`];
  for (let i = 1; i <= 9; i++) {
    const name = String.fromCharCode(97 + i);
    const prev = String.fromCharCode(96 + i);
    lines.push(`${key}_${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  }
  return lines.join('\n') + '\n';
}

const BOMBS: Record<string, { text: string; message: RegExp }> = {
  'billion laughs': { text: `${PLAYBOOK_HEAD}${STEPS}${billionLaughs('x')}`, message: /aliases \(\*name\) would expand this document/ },
  'an alias inside the node it names': { text: `${PLAYBOOK_HEAD}phases: &loop\n  - id: p\n    title: P\n    steps: *loop\n`, message: /alias \*loop is inside the node it names/ },
  '100,000 levels of [': { text: `${PLAYBOOK_HEAD}phases: ${'['.repeat(LEVELS)}\n`, message: /nested too deeply/ },
  '100,000 levels of [ ] closed': { text: `${PLAYBOOK_HEAD}phases: ${'['.repeat(LEVELS)}${']'.repeat(LEVELS)}\n`, message: /nested too deeply/ },
  '100,000 levels of {a: }': { text: `${PLAYBOOK_HEAD}phases: ${'{a: '.repeat(LEVELS)}1${'}'.repeat(LEVELS)}\n`, message: /nested too deeply/ },
  '100,000 levels of "- "': { text: `${PLAYBOOK_HEAD}phases:\n  ${'- '.repeat(LEVELS)}x\n`, message: /nested too deeply/ },
  '150 levels of not: (under the parser\'s own limits)': {
    text: `${PLAYBOOK_HEAD}${STEPS}      - id: b\n        kind: confirm\n        prompt: B?\n        when: ${'{not: '.repeat(150)}{step: a, equals: true}${'}'.repeat(150)}\n`,
    message: /nested too deeply/,
  },
};

/** Runs leakctl and checks it was refused with exit 2 and FILE:LINE:COL, within the bound. */
function refused(args: string[], target: string, message: RegExp): void {
  const r = measure(args, dir);
  expect(r.cpuSeconds).toBeLessThan(BOUND_CPU_SECONDS);
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith(target));
  expect(lines.length, r.stderr).toBeGreaterThan(0);
  for (const line of lines) expect(line).toMatch(/^.+:\d+:\d+ \S/);
  expect(r.stderr).toMatch(message);
  // One clear message, not a cascade, and no stack trace.
  expect(lines.length).toBeLessThanOrEqual(2);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('documents built to exhaust the loader', () => {
  for (const [name, bomb] of Object.entries(BOMBS)) {
    it(`validate refuses ${name}`, () => {
      const path = file(`validate-${name.replace(/\W+/g, '-')}.yaml`, bomb.text);
      refused(['validate', path], path, bomb.message);
    });

    it(`show (the fast js-yaml road) refuses ${name}`, () => {
      const path = file(`show-${name.replace(/\W+/g, '-')}.yaml`, bomb.text);
      refused(['show', path], path, bomb.message);
    });
  }

  it('start --answers refuses an alias bomb and deep nesting in an answers file', () => {
    const laughs = file('answers-laughs.yaml', `schema: leakctl/answers@1\n${billionLaughs('x')}answers:\n  vulnerability_confirmed: true\n`);
    refused(['--dir', join(dir, 'inc'), 'start', 'platform-leak', '--answers', laughs], laughs, /would expand this document/);
    const deep = file('answers-deep.yaml', `schema: leakctl/answers@1\nanswers:\n  what_happened: ${'['.repeat(LEVELS)}\n`);
    refused(['--dir', join(dir, 'inc'), 'start', 'platform-leak', '--answers', deep], deep, /nested too deeply/);
    const cycle = file('answers-cycle.yaml', 'schema: leakctl/answers@1\nanswers:\n  what_happened: &a [*a]\n');
    refused(['--dir', join(dir, 'inc'), 'start', 'platform-leak', '--answers', cycle], cycle, /alias \*a is inside the node it names/);
  }, 120_000);

  it('--config refuses an alias bomb and deep nesting in the config file', () => {
    const laughs = file('config-laughs.yaml', `schema: leakctl/config@1\n${billionLaughs('x')}`);
    refused(['--config', laughs, 'list'], laughs, /would expand this document/);
    const deep = file('config-deep.yaml', `schema: leakctl/config@1\norg: ${'{a: '.repeat(LEVELS)}1${'}'.repeat(LEVELS)}\n`);
    refused(['--config', deep, 'list'], deep, /nested too deeply/);
  }, 120_000);

  it('an alias with no anchor before it is named, not reported as "too many aliases"', () => {
    expect(() => parseYaml('f.yaml', 'a: *nowhere\n', 'x')).toThrow(/f\.yaml:1:4 alias \*nowhere names no anchor/);
  });

  it('aliases that expand a little are still fine (a shared list of choices)', () => {
    const source = parseYaml('f.yaml', 'base: &c [a, b]\none: *c\ntwo: *c\n', 'x');
    expect(source.data).toEqual({ base: ['a', 'b'], one: ['a', 'b'], two: ['a', 'b'] });
  });

  it('%YAML 1.1 cannot turn values into Set, Buffer, Map or Date objects', () => {
    const source = parseYaml('f.yaml', '%YAML 1.1\n---\na: !!set {x, y}\nb: !!binary aGk=\nc: 2001-12-14\nd: !!omap [{k: 1}]\n', 'x');
    const values = Object.values(source.data);
    for (const v of values) {
      expect(v instanceof Set || v instanceof Map || v instanceof Date || v instanceof Uint8Array).toBe(false);
    }
    expect(source.data.c).toBe('2001-12-14');
  });
});

describe('keys named after the prototype machinery', () => {
  afterAll(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  const problemsOf = (load: () => unknown): string[] => {
    try {
      load();
    } catch (error) {
      if (error instanceof InvalidDocument) return error.problems.map((p) => `${p.line}:${p.col} ${p.message}`);
      throw error;
    }
    throw new Error('expected the document to be refused');
  };

  const playbookText = `${PLAYBOOK_HEAD}__proto__: { polluted: 1 }
constructor: { prototype: { polluted: 2 } }
phases:
  - id: p
    title: P
    __proto__: { polluted: 3 }
    steps:
      - id: a
        kind: confirm
        prompt: A?
        prototype: { polluted: 4 }
      - id: b
        kind: confirm
        prompt: B?
        when: { step: a, equals: true, __proto__: { polluted: 5 } }
`;

  it('in a playbook they are unknown fields, at their keys (both YAML roads)', () => {
    for (const text of [playbookText, `# &anchor-free, but the slow road is forced by an alias:\nx: &x 1\ny: *x\n${playbookText}`]) {
      const problems = problemsOf(() => parsePlaybook(join(dir, 'proto.yaml'), Buffer.from(text)));
      const offset = text === playbookText ? 0 : 3;
      expect(problems).toEqual(
        expect.arrayContaining([
          `${6 + offset}:1 unknown field "__proto__"`,
          `${7 + offset}:1 unknown field "constructor"`,
          `${11 + offset}:5 unknown field "__proto__"`,
          `${16 + offset}:9 unknown field "prototype"`,
          `${20 + offset}:40 unknown field "__proto__"`,
        ]),
      );
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('in an answers file, __proto__ is named as no step id and constructor as an unknown step', () => {
    const text = 'schema: leakctl/answers@1\n__proto__: { polluted: 1 }\nanswers:\n  __proto__: { polluted: 2 }\n  prototype: true\n';
    const problems = problemsOf(() => checkAnswers(parseDocument(join(dir, 'a.yaml'), text, ANSWERS_WHAT)));
    expect(problems).toEqual([
      '2:1 unknown field "__proto__"',
      '4:3 answer for "__proto__", which is not a step id (lowercase letters, digits and _, starting with a letter); no playbook has such a step',
    ]);

    const path = file('answers-proto.yaml', 'schema: leakctl/answers@1\nanswers:\n  constructor: { prototype: { polluted: 3 } }\n  vulnerability_confirmed: true\n');
    const r = leakctl(['--dir', join(dir, 'inc'), 'start', 'platform-leak', '--answers', path, '--id', 'proto'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}:3:16 answer for step "constructor", which the playbook does not have`);
  });

  it('a { value } wrapper with a __proto__ key is not a wrapper: the answer is refused at the key, not unwrapped', () => {
    const source = parseDocument(join(dir, 'w.yaml'), 'schema: leakctl/answers@1\nanswers:\n  a: { value: true, __proto__: { polluted: 4 } }\n', ANSWERS_WHAT);
    expect(problemsOf(() => checkAnswers(source))).toEqual(['3:21 unknown field "__proto__"']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('in a config file they are unknown fields, and org gains nothing', () => {
    const text = 'schema: leakctl/config@1\n__proto__: { polluted: 1 }\norg:\n  name: X\n  __proto__: { polluted: 2 }\n  constructor: { prototype: { polluted: 3 } }\n';
    const problems = problemsOf(() => checkConfig(parseDocument(join(dir, 'leakctl.config.yaml'), text, CONFIG_WHAT)));
    expect(problems).toEqual(['2:1 unknown field "__proto__"', '5:3 unknown field "__proto__"', '6:3 unknown field "constructor"']);
    const path = file('config-proto.yaml', text);
    const r = leakctl(['--config', path, 'list'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}:5:3 unknown field "__proto__"`);
  });

  it('a checklist item called "constructor" does not find Object\'s own constructor', () => {
    const step = { id: 'c', kind: 'checklist' as const, prompt: 'C?', required: true, items: [{ id: 'constructor', label: 'K' }, { id: 'b', label: 'B' }] };
    expect(checkAnswer(step, { b: 'done' }, { now: new Date(), baseDir: dir })).toEqual({ ok: false, message: 'no state for item(s): constructor (use done, skipped or n/a)' });
    expect(checkAnswer(step, { constructor: 'done', b: 'n/a' }, { now: new Date(), baseDir: dir })).toEqual({ ok: true, value: { constructor: 'done', b: 'n/a' } });
  });
});
