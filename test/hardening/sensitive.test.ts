/**
 * Issue 7, "Hostile input": steps marked `sensitive: true` (README, "Sensitive answers").
 *
 * Guards:
 * - what the responder types for a sensitive step is masked on the screen, for every kind where
 *   one types (text, longtext, number, datetime, attachment), and a refusal does not repeat it;
 * - a draft gets a sensitive answer only when its template names it (`answers.<id>`): a template
 *   that loops over `answers` cannot print it;
 * - `log` shows [sensitive] instead of the value, `status` never shows it, and the evidence log
 *   (and `log --json`, the raw entries) keeps it; without the playbook, `log` hides every answer
 *   rather than guess which are sensitive.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as inquirer from '@inquirer/prompts';
import { render } from '@inquirer/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { namesAnswer } from '../../src/notices/drafts.js';
import type { Step } from '../../src/playbook/types.js';
import { checkAnswer } from '../../src/run/check-answer.js';
import { askStep } from '../../src/run/prompts.js';
import { leakctl } from '../helpers/exec.js';

type Screen = Awaited<ReturnType<typeof render>>;

const root = mkdtempSync(join(tmpdir(), 'leakctl-sensitive-'));

/** askStep with prompts that render on test screens; `next()` gives each screen in turn. */
function ask(step: Step) {
  const opened: Screen[] = [];
  const waiting: ((s: Screen) => void)[] = [];
  const wrap = (prompt: unknown) => async (config: unknown) => {
    const screen = await render(prompt as never, config as never);
    const waiter = waiting.shift();
    if (waiter) waiter(screen);
    else opened.push(screen);
    return screen.answer;
  };
  const prompts = { ...inquirer, input: wrap(inquirer.input), password: wrap(inquirer.password) } as unknown as typeof inquirer;
  const reply = askStep(prompts, step, (raw) => checkAnswer(step, raw, { now: new Date('2026-03-02T09:00:00Z'), baseDir: root }), {
    input: new PassThrough(),
    output: new PassThrough(),
  });
  const next = (): Promise<Screen> => {
    const s = opened.shift();
    return s ? Promise.resolve(s) : new Promise((resolve) => waiting.push(resolve));
  };
  return { reply, next };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('a sensitive answer is masked while it is typed', () => {
  const secretFile = join(root, 'secret-file-Q7Z.txt');
  beforeAll(() => writeFileSync(secretFile, 'x\n'));

  const cases: [Step['kind'], string, unknown][] = [
    ['text', 'hunter2-S3CRET', 'hunter2-S3CRET'],
    ['number', '987654321', 987654321],
    ['datetime', '2025-11-07T13:37:00Z', '2025-11-07T13:37:00Z'],
    ['attachment', secretFile, [secretFile]],
  ];
  for (const [kind, typed, value] of cases) {
    it(`${kind}: the screen never shows what was typed`, async () => {
      const { reply, next } = ask({ id: 'secret', kind, prompt: 'The secret?', required: true, sensitive: true });
      const screen = await next();
      screen.events.type(typed);
      await settle();
      expect(screen.getScreen()).toContain('*'.repeat(typed.length));
      screen.events.keypress('enter');
      await expect(reply).resolves.toEqual({ kind: 'answer', value });
      expect(screen.getFullOutput()).not.toContain(typed);
    });
  }

  it('longtext: every line is masked', async () => {
    const { reply, next } = ask({ id: 'secret', kind: 'longtext', prompt: 'The secret story?', required: true, sensitive: true });
    const lines = ['first SECRET line', 'second SECRET line'];
    const shown: string[] = [];
    for (const line of [...lines, '']) {
      const screen = await next();
      screen.events.type(line);
      screen.events.keypress('enter');
      await settle();
      shown.push(screen.getFullOutput());
    }
    await expect(reply).resolves.toEqual({ kind: 'answer', value: lines.join('\n') });
    for (const output of shown) expect(output).not.toContain('SECRET');
  });

  it('a refused sensitive answer is not repeated in the message', async () => {
    const { reply, next } = ask({ id: 'pin', kind: 'number', prompt: 'PIN?', required: true, sensitive: true, max: 9999 });
    const screen = await next();
    screen.events.type('123456');
    screen.events.keypress('enter');
    await settle();
    expect(screen.getScreen()).toContain('expected at most 9999; got [sensitive]');
    expect(screen.getFullOutput()).not.toContain('123456');
    for (let i = 0; i < 6; i++) screen.events.keypress('backspace');
    screen.events.type('4321');
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: 4321 });
  });

  it('(control) a step that is not sensitive shows what is typed', async () => {
    const { reply, next } = ask({ id: 'plain', kind: 'text', prompt: 'Name?', required: true });
    const screen = await next();
    screen.events.type('visible-name');
    await settle();
    expect(screen.getScreen()).toContain('visible-name');
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: 'visible-name' });
  });
});

describe('a template gets a sensitive answer only by naming it', () => {
  it('names it with answers.<id> or answers["<id>"], not a longer id that starts the same', () => {
    expect(namesAnswer('{{ answers.access_code }}', 'access_code')).toBe(true);
    expect(namesAnswer('{% if answers . access_code %}', 'access_code')).toBe(true);
    expect(namesAnswer("{{ answers['access_code'] }}", 'access_code')).toBe(true);
    expect(namesAnswer('{{ answers["access_code"] }}', 'access_code')).toBe(true);
    expect(namesAnswer('{{ answers.access_code_hint }}', 'access_code')).toBe(false);
    expect(namesAnswer('{% for a in answers %}{{ a[1] }}{% endfor %}', 'access_code')).toBe(false);
    expect(namesAnswer('{{ other_answers.access_code }}', 'access_code')).toBe(false);
  });
});

describe('drafts, log and status', () => {
  const SECRET = 'OPEN-SESAME-4711';
  const incidents = join(root, 'incidents');
  const templates = join(root, 'templates');
  const playbook = join(root, 'playbooks', 'secretive.yaml');

  beforeAll(() => {
    mkdirSync(templates, { recursive: true });
    mkdirSync(join(root, 'playbooks'), { recursive: true });
    writeFileSync(
      playbook,
      `schema: leakctl/playbook@1
id: secretive
title: Secretive
cause: other
summary: One sensitive step.
phases:
  - id: p
    title: P
    steps:
      - { id: who, kind: text, prompt: Who? }
      - { id: access_code, kind: text, prompt: The code the provider gave you?, sensitive: true }
notices:
  - template: names-it
  - template: loops
`,
    );
    writeFileSync(join(templates, 'names-it.liquid'), '---\nid: names-it\ntitle: T\naudience: provider\nsubject: Case\n---\nCode: {{ answers.access_code }}\n');
    writeFileSync(
      join(templates, 'loops.liquid'),
      '---\nid: loops\ntitle: T\naudience: members\nsubject: Update\n---\n{% for a in answers %}{{ a[0] }}={{ a[1] }};{% endfor %}\n',
    );
    writeFileSync(join(root, 'a.yaml'), `schema: leakctl/answers@1\nnow: 2026-03-02T09:00:00Z\nanswers:\n  who: dana\n  access_code: ${SECRET}\n`);
    const r = leakctl(['--dir', incidents, '--templates', templates, 'start', playbook, '--answers', join(root, 'a.yaml'), '--id', 's1'], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('the template that names it prints it; the one that loops over answers cannot', () => {
    expect(readFileSync(join(incidents, 's1', 'drafts', 'names-it.txt'), 'utf8')).toContain(`Code: ${SECRET}`);
    const loops = readFileSync(join(incidents, 's1', 'drafts', 'loops.txt'), 'utf8');
    expect(loops).toContain('who=dana;');
    expect(loops).not.toContain(SECRET);
    expect(loops).not.toContain('access_code');
  });

  it('log shows [sensitive]; the evidence log and log --json keep the value', () => {
    const r = leakctl(['--dir', incidents, 'log', 's1'], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('access_code = [sensitive]');
    expect(r.stdout).toContain('who = dana');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(readFileSync(join(incidents, 's1', 'evidence.jsonl'), 'utf8')).toContain(SECRET);
    expect(leakctl(['--dir', incidents, 'log', 's1', '--json'], { cwd: root }).stdout).toContain(SECRET);
  });

  it('status never shows it', () => {
    for (const args of [['status', 's1'], ['status', 's1', '--json'], ['status']]) {
      const r = leakctl(['--dir', incidents, '--templates', templates, ...args], { cwd: root });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
  });

  it('without the playbook, log hides every answer and says why', () => {
    const moved = `${playbook}.away`;
    renameSync(playbook, moved);
    try {
      const r = leakctl(['--dir', incidents, 'log', 's1'], { cwd: root });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toContain(SECRET);
      expect(r.stdout).not.toContain('who = dana');
      expect(r.stdout).toContain('who = [hidden: playbook unavailable]');
      expect(r.stderr).toContain("the incident's playbook cannot be loaded");
      expect(r.stderr).toContain('--playbooks DIR');
      // With its directory given, the playbook is found by id again.
      mkdirSync(join(root, 'elsewhere'), { recursive: true });
      writeFileSync(join(root, 'elsewhere', 'secretive.yaml'), readFileSync(moved));
      const found = leakctl(['--dir', incidents, '--playbooks', join(root, 'elsewhere'), 'log', 's1'], { cwd: root });
      expect(found.stdout).toContain('access_code = [sensitive]');
      expect(found.stdout).toContain('who = dana');
    } finally {
      if (!existsSync(playbook)) renameSync(moved, playbook);
    }
  });
});
