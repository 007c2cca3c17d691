/**
 * Answers as typed (issue 9): one YAML parser reads every document, and a text step takes the
 * characters written in the file, whatever YAML makes of them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/incident/clock.js';
import type { Step } from '../../src/playbook/types.js';
import { loadAnswersFile } from '../../src/run/answers-file.js';
import { checkAnswer } from '../../src/run/check-answer.js';
import type { StepContext } from '../../src/run/runner.js';
import { ScriptResponder, ValueResponder } from '../../src/run/script.js';

const tmp = mkdtempSync(join(tmpdir(), 'leakctl-answers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const NOW = new Date('2026-03-02T09:00:00Z');
const step = (id: string, kind: Step['kind']): Step => ({ id, kind, prompt: id, required: true }) as Step;
const context = {} as StepContext;
const check = (s: Step) => (raw: unknown) => checkAnswer(s, raw, { now: NOW, baseDir: tmp });

describe('a scripted answer to a text step', () => {
  it('is the characters written: leading zeros, trailing zeros, binary-looking and boolean-looking text stay as typed', async () => {
    const file = join(tmp, 'typed.yaml');
    writeFileSync(
      file,
      'schema: leakctl/answers@1\nanswers:\n  ticket: 00123\n  version: 1.10\n  code: 0b1011\n  flag: true\n  wrapped: { value: 007 }\n  quoted: "0042"\n  count: 00123\n',
    );
    const answers = loadAnswersFile(file);
    const responder = new ScriptResponder(answers, new SimulatedClock(NOW));
    const asText = async (id: string) => (await responder.ask(step(id, 'text'), context, check(step(id, 'text')))) as { value: unknown };
    expect((await asText('ticket')).value).toBe('00123');
    expect((await asText('version')).value).toBe('1.10');
    expect((await asText('code')).value).toBe('0b1011');
    expect((await asText('flag')).value).toBe('true');
    expect((await asText('wrapped')).value).toBe('007');
    expect((await asText('quoted')).value).toBe('0042');
    // A number step reads the same scalar as YAML's number.
    expect(((await responder.ask(step('count', 'number'), context, check(step('count', 'number')))) as { value: unknown }).value).toBe(123);
  });

  it('reads 0b1011 as text in every document: one parser, the YAML 1.2 core schema', () => {
    const file = join(tmp, 'binary.yaml');
    writeFileSync(file, 'schema: leakctl/answers@1\nanswers:\n  code: 0b1011\n');
    expect(loadAnswersFile(file).answers.get('code')!.value).toBe('0b1011');
  });

  it('refuses a { value, after } answer with a field beside them, naming its line, rather than taking the whole mapping as the answer', () => {
    const file = join(tmp, 'wrapper.yaml');
    writeFileSync(file, 'schema: leakctl/answers@1\nanswers:\n  ticket:\n    value: T-1\n    after: PT1H\n    note: from the provider\n');
    expect(() => loadAnswersFile(file)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:\\d+ unknown field "note"`));
  });
});

describe('amend --value', () => {
  it('gives a text step the characters typed, quotes and # included, and other steps the YAML value', async () => {
    const ask = (text: string, s: Step) => new ValueResponder(text, tmp, 'UTC').ask(s, context, check(s));
    expect(await ask('00123', step('ticket', 'text'))).toEqual({ kind: 'answer', value: '00123' });
    expect(await ask("'it''s {{ x }}'", step('ticket', 'text'))).toEqual({ kind: 'answer', value: "'it''s {{ x }}'" });
    expect(await ask('ticket #2 back', step('ticket', 'text'))).toEqual({ kind: 'answer', value: 'ticket #2 back' });
    expect(await ask('first line\n  second: line', step('ticket', 'longtext'))).toEqual({ kind: 'answer', value: 'first line\n  second: line' });
    expect(await ask('00123', step('n', 'number'))).toEqual({ kind: 'answer', value: 123 });
    expect(await ask('[names, emails]', { ...step('m', 'multi'), choices: [{ value: 'names', label: 'N' }, { value: 'emails', label: 'E' }] } as Step)).toEqual({
      kind: 'answer',
      value: ['names', 'emails'],
    });
  });

  it('takes text that is not YAML as text, and refuses an alias bomb or deep nesting at its column for a step read as YAML (exit 2)', async () => {
    const ask = (text: string, s: Step) => new ValueResponder(text, tmp, 'UTC').ask(s, context, check(s));
    expect(await ask('[not closed', step('ticket', 'text'))).toEqual({ kind: 'answer', value: '[not closed' });
    const bomb = `[&a [1,1,1,1,1,1,1,1,1,1], ${['b', 'c', 'd', 'e'].map((n, i) => `&${n} [${Array(10).fill(`*${'abcd'[i]}`).join(',')}]`).join(', ')}, [${Array(10).fill('*e').join(',')}]]`;
    const multi = { ...step('m', 'multi'), choices: [{ value: 'a', label: 'A' }] } as Step;
    await expect(ask(bomb, multi)).rejects.toThrow(/^--value:1:\d+ aliases \(\*name\) would expand this document by more than 100,000 nodes/);
    await expect(ask(`${'['.repeat(150)}${']'.repeat(150)}`, multi)).rejects.toThrow(/nested too deeply/);
    // A text step never parses: the bomb is only characters there.
    expect(await ask(bomb, step('ticket', 'text'))).toEqual({ kind: 'answer', value: bomb });
  });
});
