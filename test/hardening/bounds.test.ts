/**
 * Bounds everywhere (issue 9): each input that once made leakctl hang, exit 1 or crash is now
 * refused with exit 2 at its file, line and column, or handled in bounded time. Each test is
 * named after what it protects.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAnswer } from '../../src/run/check-answer.js';
import type { Step } from '../../src/playbook/types.js';
import { SCHEMAS } from '../../src/schemas/index.js';
import { ROOT } from '../helpers/exec.js';
import { inProcess } from '../helpers/cli.js';

const breach = join(ROOT, 'test', 'e2e', 'fixtures', 'incident', 'breach.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'leakctl-bounds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};
const answers = (lines: string): string => `schema: leakctl/answers@1\nnow: 2026-03-02T09:00:00Z\nanswers:\n${lines}`;

describe('simulated time', () => {
  it.each([['P8000Y'], ['P999999999Y'], ['P400D']])('an after of %s is refused at its line (exit 2), and no incident is written', async (after) => {
    const f = file(`after-${after}.yaml`, answers(`  confirmed: { value: true, after: ${after} }\n`));
    const r = await inProcess(['start', breach, '--answers', f, '--id', 'x', '--dir', join(tmp, 'inc'), '--drill']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${f}:4:36 "after" ${after} moves the clock more than 366 days at once`);
    expect(() => readFileSync(join(tmp, 'inc', 'x', 'evidence.jsonl'))).toThrow();
  });
});

describe('deadlines', () => {
  it('a period of a million years is refused by validate and by start, at its line', async () => {
    const f = file('within.yaml', readFileSync(breach, 'utf8').replace('within: PT72H', 'within: P999999Y'));
    for (const args of [['validate', f], ['start', f, '--answers', file('ok.yaml', answers('  confirmed: true\n')), '--dir', join(tmp, 'inc2')]]) {
      const r = await inProcess(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/within\.yaml:\d+:13 "within" P999999Y is longer than 3660 days/);
    }
  });

  it('a hundred million business days are refused by the schema (the count once ran for minutes)', async () => {
    const f = file('bdays.yaml', readFileSync(breach, 'utf8').replace('within: PT72H', 'within: { business_days: 100000000 }'));
    const r = await inProcess(['validate', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bdays\.yaml:\d+:30 "business_days" must be <= 1000/);
    expect(JSON.stringify(SCHEMAS.playbook)).toContain('"maximum":1000');
  });
});

describe('answers files', () => {
  it('5,000 answers for steps the playbook does not have are each named, at their line', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `  unknown_${i}: x\n`).join('');
    const f = file('unknown.yaml', answers(lines));
    const r = await inProcess(['start', breach, '--answers', f, '--dir', join(tmp, 'inc3')]);
    expect(r.code).toBe(2);
    const named = r.stderr.split('\n').filter((l) => / answer for step "unknown_\d+", which the playbook does not have$/.test(l));
    expect(named).toHaveLength(5000);
    expect(named[4999]).toBe(`${f}:5003:17 answer for step "unknown_4999", which the playbook does not have`);
  });

  // Guards: 20,000 keys once took 16 s to report, the YAML library comparing each key with every
  // earlier one. Processor time, not the wall clock: linear work is well under a second here.
  it('20,000 keys are reported in linear time, duplicates named with their first line', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `  s${i}: x\n`).join('') + '  s0: again\n';
    const f = file('twenty-thousand.yaml', answers(lines));
    const before = process.cpuUsage();
    const r = await inProcess(['validate', f]);
    const used = process.cpuUsage(before);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}:20004:3 duplicate key "s0" (first at line 4); keep one`);
    expect((used.user + used.system) / 1e6).toBeLessThan(10);
  });

  it('more answers than any playbook has steps are refused by the schema', async () => {
    const f = file('many.yaml', answers(Array.from({ length: 5001 }, (_, i) => `  s${i}: x\n`).join('')));
    const r = await inProcess(['validate', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"answers" must NOT have more than 5000 properties');
  });

  it('a file of millions of keys is refused by its size before it is read', async () => {
    const f = file('huge.yaml', answers('  x: y\n'.repeat(700_000)));
    const r = await inProcess(['validate', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/huge\.yaml: 4\.7 MiB, more than the 4 MiB leakctl reads as /);
  });

  // Guards: the size came from stat, which says 0 for a device or a pipe: /dev/zero was read
  // without end, and a named pipe blocked the read.
  it('a device or a named pipe given as a document is refused without reading it', async () => {
    const fifo = join(tmp, 'answers.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    for (const [path, kind] of [['/dev/zero', 'a device file'], [fifo, 'a named pipe']] as const) {
      const v = await inProcess(['validate', path]);
      expect(v.code).toBe(2);
      expect(v.stderr).toContain(`${path}: is ${kind}, not a regular file`);
      const r = await inProcess(['start', breach, '--answers', path, '--id', 'p', '--dir', join(tmp, 'inc')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${path}: is ${kind}, not a regular file; save a leakctl/answers@1 document to a file and name that`);
    }
  });

  // Guard: an error the reader did not list (ELOOP, EIO, ENAMETOOLONG) left as exit 1, a crash.
  it('a link that points at itself, or a path too long, is bad input naming the file (exit 2)', async () => {
    for (const ext of ['yaml', 'liquid']) {
      const loop = join(tmp, `loop.${ext}`);
      symlinkSync(loop, loop);
      const long = join(tmp, `${'x'.repeat(300)}.${ext}`);
      for (const [path, reason] of [[loop, 'too many symbolic links'], [long, 'the path is too long']] as const) {
        const v = await inProcess(['validate', path]);
        expect(v.code, v.stderr).toBe(2);
        expect(v.stderr).toContain(`${path}: ${reason}`);
      }
    }
  });
});

describe('answers as they are checked', () => {
  const context = { now: new Date('2026-03-02T09:00:00Z'), baseDir: tmp };
  const step = (extra: Partial<Step>): Step => ({ id: 's', kind: 'text', prompt: 'P', required: true, ...extra }) as Step;

  it('a backtracking pattern meets a long answer in linear time (RE2), and refuses what does not match', () => {
    const s = step({ pattern: '^(a+)+$' });
    expect(checkAnswer(s, `${'a'.repeat(9000)}b`, context)).toEqual({ ok: false, message: 'does not match the pattern ^(a+)+$' });
    expect(checkAnswer(s, 'aaaa', context)).toEqual({ ok: true, value: 'aaaa' });
  });

  it('a pattern RE2 cannot run (a backreference) is refused when the playbook loads', async () => {
    const f = file('backref.yaml', readFileSync(breach, 'utf8').replace('prompt: Anything else to record?', "prompt: Anything else to record?\n        pattern: '(a)\\1'"));
    const r = await inProcess(['validate', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/backref\.yaml:\d+:18 "pattern" is not a regular expression leakctl can use: invalid escape sequence: `\\1`; patterns use RE2 syntax/);
  });

  it('text longer than a text step takes is refused, saying how long it may be', () => {
    expect(checkAnswer(step({}), 'x'.repeat(10_001), context)).toEqual({ ok: false, message: 'expected at most 10000 characters, got 10001' });
  });

  it('numbers beyond any count are refused; numbers as people write them are read', () => {
    const n = step({ kind: 'number' });
    expect(checkAnswer(n, 1e300, context)).toEqual({ ok: false, message: '1e+300 is larger than any count of people or records (at most 1000000000000000)' });
    expect(checkAnswer(n, '12,000', context)).toEqual({ ok: true, value: 12000 });
    expect(checkAnswer(n, '1 200 000', context)).toEqual({ ok: true, value: 1200000 });
    expect(checkAnswer(n, '12_000.5', context)).toEqual({ ok: true, value: 12000.5 });
    expect(checkAnswer(n, '1,5', context).ok).toBe(false);
    expect(checkAnswer(n, '12,00', context).ok).toBe(false);
  });
});
