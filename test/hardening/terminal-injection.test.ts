/**
 * Issue 7, "Hostile input": answers, names and file names carrying ANSI escape sequences,
 * control characters and bidirectional overrides. The evidence log keeps them exactly as given;
 * everything leakctl shows on a terminal (`log`, `status`, `show`, `attach`, prompts, messages)
 * shows them escaped; a draft shows them as visible text (`\u{1b}`), never as the raw character.
 *
 * Guards terminal injection: a hostile answers file or evidence file name rewriting the
 * responder's screen (clearing it, setting the window title, hiding text, reordering it with
 * U+202E), and a notice that carries such codes to members or an authority.
 */
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as inquirer from '@inquirer/prompts';
import { render } from '@inquirer/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { sanitiseName } from '../../src/evidence/attachments.js';
import type { Step } from '../../src/playbook/types.js';
import { checkAnswer } from '../../src/run/check-answer.js';
import { askStep, PromptResponder } from '../../src/run/prompts.js';
import { leakctl } from '../helpers/exec.js';

/** What must never reach a terminal raw: ESC, CSI (C1), BEL, NUL-ish C0, DEL, bidi controls. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;
const expectNoRawControls = (text: string, where: string): void => {
  const found = RAW_CONTROL.exec(text);
  expect(found, `${where} has a raw U+${found?.[0].codePointAt(0)?.toString(16).padStart(4, '0')} near ${JSON.stringify(text.slice(Math.max(0, (found?.index ?? 0) - 30), (found?.index ?? 0) + 30))}`).toBeNull();
};

const ESC_CLEAR = '\u001b[2J\u001b[H';
const OSC_TITLE = '\u001b]0;pwned\u0007';
const CSI_C1 = '\u009b31m';
const RLO = '\u202e';
const HOSTILE_ANSWER = `Mallory ${ESC_CLEAR}red${OSC_TITLE} ${RLO}desrever ${CSI_C1} bell\u0007 del\u007f`;
const HOSTILE_FILE = `invoice${RLO}fdp.exe ${'\u001b[31m'}x`;
const HOSTILE_RESPONDER = `bot ${'\u001b[5m'}${RLO}`;

const root = mkdtempSync(join(tmpdir(), 'leakctl-injection-'));
const incidents = join(root, 'incidents');
const templates = join(root, 'templates');
const evidenceFile = join(root, HOSTILE_FILE);

const playbookText = `schema: leakctl/playbook@1
id: injection
title: "Injection \\e[31mtest\\e[0m \\u202Eelif"
cause: other
summary: "Hostile text \\e]0;title\\a everywhere."
phases:
  - id: p
    title: "Phase \\e[2J one"
    steps:
      - id: who
        kind: text
        prompt: "Who? \\e[8mhidden\\e[0m"
        help: "Help \\u202Etxet"
      - id: kind
        kind: select
        prompt: Kind?
        choices:
          - { value: a, label: "Label \\e[31mA" }
          - { value: b, label: "Label \\u202EB" }
      - id: files
        kind: attachment
        prompt: Files?
notices:
  - template: echo
`;

const template = `---
id: echo
title: Echo
audience: members
subject: "About {{ answers.who }}"
formats: [txt, md, eml]
---
Dear member, {{ answers.who }} was involved.
`;

function lines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(() => {
  mkdirSync(templates, { recursive: true });
  writeFileSync(join(templates, 'echo.liquid'), template);
  writeFileSync(join(root, 'injection.yaml'), playbookText);
  writeFileSync(evidenceFile, 'evidence\n');
  writeFileSync(
    join(root, 'answers.yaml'),
    `schema: leakctl/answers@1\nresponder: ${JSON.stringify(HOSTILE_RESPONDER)}\nnow: 2026-03-02T09:00:00Z\nanswers:\n  who: ${JSON.stringify(HOSTILE_ANSWER)}\n  kind: b\n  files: [${JSON.stringify(evidenceFile)}]\n`,
  );
  const r = leakctl(['--dir', incidents, '--templates', templates, 'start', join(root, 'injection.yaml'), '--answers', join(root, 'answers.yaml'), '--id', 'inj'], { cwd: root });
  expect(r.code, r.stderr).toBe(0);
  expectNoRawControls(r.stdout + r.stderr, 'start');
});

describe('the evidence log keeps hostile text exactly as given', () => {
  it('answers, responder and the original file name are stored byte for byte', () => {
    const entries = lines(join(incidents, 'inj', 'evidence.jsonl'));
    const who = entries.find((e) => e.type === 'step.answered' && (e.data as { step: string }).step === 'who')!;
    expect((who.data as { value: string }).value).toBe(HOSTILE_ANSWER);
    expect(who.actor).toBe(HOSTILE_RESPONDER);
    expect(readFileSync(join(incidents, 'inj', 'evidence.jsonl'), 'utf8')).toContain(RLO);
  });

  it('the stored copy of an attachment has a sanitised name (no controls, no bidi override)', () => {
    const stored = readdirSync(join(incidents, 'inj', 'attachments'));
    expect(stored).toHaveLength(1);
    expectNoRawControls(stored[0]!, 'the stored file name');
    expect(stored[0]).toMatch(/^[0-9a-f]{12}-invoice_fdp\.exe _\[31mx$/);
  });
});

describe('what a terminal shows is escaped', () => {
  const run = (args: string[]) => leakctl(['--dir', incidents, '--templates', templates, ...args], { cwd: root });

  it('log shows the answer, responder and file name escaped', () => {
    const r = run(['log', 'inj']);
    expect(r.code, r.stderr).toBe(0);
    expectNoRawControls(r.stdout + r.stderr, 'log');
    expect(r.stdout).toContain('who = Mallory \\u{1b}[2J\\u{1b}[Hred\\u{1b}]0;pwned\\u{7} \\u{202e}desrever \\u{9b}31m bell\\u{7} del\\u{7f}');
    expect(r.stdout).toContain('bot \\u{1b}[5m\\u{202e}');
  });

  it('log reports a line that is not an entry (hostile bytes in the file) escaped', () => {
    cpSync(join(incidents, 'inj'), join(incidents, 'inj-torn'), { recursive: true });
    appendFileSync(join(incidents, 'inj-torn', 'evidence.jsonl'), `${ESC_CLEAR}${RLO}not json${OSC_TITLE}\n{"partial`);
    for (const args of [['log', 'inj-torn'], ['log', 'inj-torn', '--json']]) {
      const r = run(args);
      expectNoRawControls(r.stdout + r.stderr, args.join(' '));
    }
  });

  it('log --json escapes what JSON.stringify leaves raw (C1, bidi) and keeps the values', () => {
    const r = run(['log', 'inj', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expectNoRawControls(r.stdout + r.stderr, 'log --json');
    const entries = JSON.parse(r.stdout) as { type: string; actor: string; data: { step?: string; value?: unknown } }[];
    expect(entries.find((e) => e.data.step === 'who')!.data.value).toBe(HOSTILE_ANSWER);
    expect(entries[0]!.actor).toBe(HOSTILE_RESPONDER);
  });

  it('status (one incident, the table, --json) shows names and titles escaped', () => {
    for (const args of [['status', 'inj'], ['status'], ['status', 'inj', '--json'], ['status', '--json']]) {
      const r = run(args);
      // The table also lists inj-torn, whose log has a line that is not JSON: it does not verify.
      expect(r.code, r.stderr).toBe(args[1] === 'inj' ? 0 : 3);
      expectNoRawControls(r.stdout + r.stderr, args.join(' '));
    }
    expect(run(['status', 'inj']).stdout).toContain('Injection \\u{1b}[31mtest\\u{1b}[0m \\u{202e}elif');
    const json = JSON.parse(run(['status', 'inj', '--json']).stdout) as { responder: string; title: string };
    expect(json.responder).toBe(HOSTILE_RESPONDER);
  });

  it('show prints a hostile playbook escaped', () => {
    const r = run(['show', join(root, 'injection.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expectNoRawControls(r.stdout + r.stderr, 'show');
    expect(r.stdout).toContain('Who? \\u{1b}[8mhidden\\u{1b}[0m');
  });

  it('attach prints the hostile file name escaped, and the log keeps it as given', () => {
    const r = run(['attach', 'inj', evidenceFile]);
    expect(r.code, r.stderr).toBe(0);
    expectNoRawControls(r.stdout + r.stderr, 'attach');
    expect(r.stdout).toContain('invoice\\u{202e}fdp.exe \\u{1b}[31mx');
    const attached = lines(join(incidents, 'inj', 'evidence.jsonl')).find((e) => e.type === 'evidence.attached')!;
    expect((attached.data as { files: { original: string }[] }).files[0]!.original).toBe(evidenceFile);
  });

  it('refusals quote hostile values escaped (an answers file cannot inject through an error message)', () => {
    const bad = join(root, 'bad-answers.yaml');
    writeFileSync(bad, `schema: leakctl/answers@1\nanswers:\n  who: ok\n  kind: ${JSON.stringify(`c${ESC_CLEAR}${RLO}`)}\n`);
    const r = run(['start', join(root, 'injection.yaml'), '--answers', bad, '--id', 'bad']);
    expect(r.code).toBe(2);
    expectNoRawControls(r.stdout + r.stderr, 'a refused answer');
    expect(r.stderr).toContain('got "c\\u001b[2J\\u001b[H\\u{202e}"');

    const missing = join(root, 'missing-file.yaml');
    writeFileSync(missing, `schema: leakctl/answers@1\nanswers:\n  who: ok\n  kind: a\n  files: [${JSON.stringify(`nothing-here${OSC_TITLE}`)}]\n`);
    const m = run(['start', join(root, 'injection.yaml'), '--answers', missing, '--id', 'missing']);
    expect(m.code).toBe(2);
    expectNoRawControls(m.stdout + m.stderr, 'a missing attachment');

    const a = run(['attach', 'inj', join(root, `no-such${ESC_CLEAR}`)]);
    expect(a.code).toBe(2);
    expectNoRawControls(a.stdout + a.stderr, 'attach of a missing file');
  });

  it('list shows a hostile playbook title escaped, with colour on and off; only leakctl\'s own colours reach the screen', () => {
    for (const colour of ['--no-color', '--color']) {
      const r = run([colour, '--playbooks', root, 'list']);
      expect(r.code, r.stderr).toBe(0);
      // With colour on, leakctl's own bold and dim codes pass; nothing else does.
      const withoutOwn = r.stdout.replace(/\u001b\[(?:1|2|22)m/g, '');
      expectNoRawControls(withoutOwn + r.stderr, `list ${colour}`);
      expect(r.stdout).toContain('Injection \\u{1b}[31mtest\\u{1b}[0m \\u{202e}elif');
      if (colour === '--color') expect(r.stdout).toContain('\u001b[1mPlaybooks\u001b[22m');
    }
  });

  it('a drill\'s failures and summary quote hostile step titles and answers escaped', () => {
    const bare = join(root, 'drill-answers.yaml');
    writeFileSync(bare, `schema: leakctl/answers@1\nnow: 2026-03-02T09:00:00Z\nanswers:\n  kind: ${JSON.stringify(`c${ESC_CLEAR}`)}\n`);
    for (const colour of ['--no-color', '--color']) {
      const r = run([colour, 'drill', join(root, 'injection.yaml'), '--answers', bare, '--id', `drill-bad${colour}`]);
      expect(r.code).toBe(2);
      expectNoRawControls(r.stdout.replace(/\u001b\[(?:1|2|22|31|32|33|36|39)m/g, '') + r.stderr.replace(/\u001b\[(?:1|2|22|31|32|33|36|39)m/g, ''), `drill ${colour}`);
    }
    const missing = join(root, 'drill-missing.yaml');
    writeFileSync(missing, `schema: leakctl/answers@1\nnow: 2026-03-02T09:00:00Z\nanswers:\n  kind: a\n`);
    const m = run(['drill', join(root, 'injection.yaml'), '--answers', missing, '--id', 'drill-missing']);
    expect(m.code, m.stderr).toBe(3);
    expectNoRawControls(m.stdout + m.stderr, 'drill with a missed required step');
    expect(m.stdout + m.stderr).toContain('Who? \\u{1b}[8mhidden\\u{1b}[0m');
  });

  it('a playbook problem quoting a hostile value is one escaped line', () => {
    const bad = join(root, 'bad-playbook.yaml');
    writeFileSync(bad, playbookText.replace('cause: other', `cause: "x${ESC_CLEAR}\\nnext line${RLO}"`));
    const r = run(['validate', bad]);
    expect(r.code).toBe(2);
    expectNoRawControls(r.stdout + r.stderr, 'validate');
    expect(r.stderr).toMatch(/bad-playbook\.yaml:4:8 "cause" is "x\\u001b\[2J\\u001b\[H\\nnext line\\u\{202e\}"; expected one of/);
  });
});

describe('drafts carry hostile text as visible text', () => {
  it('txt and md drafts show \\u{1b} and \\u{202e} instead of the raw characters', () => {
    for (const format of ['txt', 'md']) {
      const draft = readFileSync(join(incidents, 'inj', 'drafts', `echo.${format}`), 'utf8');
      expectNoRawControls(draft.replace(/\n/g, ''), `echo.${format}`);
      expect(draft).toContain('Dear member, Mallory \\u{1b}[2J\\u{1b}[Hred\\u{1b}]0;pwned\\u{7} \\u{202e}desrever \\u{9b}31m bell\\u{7} del\\u{7f} was involved.');
      expect(draft).toContain('About Mallory \\u{1b}[2J');
    }
  });

  it('render --stdout prints the same visible text', () => {
    const r = leakctl(['--dir', incidents, '--templates', templates, 'render', 'inj', '--stdout', 'echo'], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expectNoRawControls(r.stdout.replace(/\n/g, ''), 'render --stdout');
  });
});

describe('prompts show hostile playbook text escaped', () => {
  const hostile: Step = {
    id: 'kind',
    kind: 'select',
    prompt: `Kind? ${ESC_CLEAR}`,
    help: `Help ${OSC_TITLE}`,
    required: true,
    choices: [
      { value: 'a', label: `Label ${CSI_C1}A` },
      { value: 'b', label: `Label ${RLO}B` },
    ],
  };

  it('the question and its choices never reach the screen raw', async () => {
    const opened: Awaited<ReturnType<typeof render>>[] = [];
    const prompts = {
      ...inquirer,
      select: async (config: unknown) => {
        const s = await render(inquirer.select as never, config as never);
        opened.push(s);
        return s.answer;
      },
    } as unknown as typeof inquirer;
    const reply = askStep(prompts, hostile, (raw) => checkAnswer(hostile, raw, { now: new Date(), baseDir: root }), { input: new PassThrough(), output: new PassThrough() });
    while (opened.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const s = opened[0]!;
    s.events.keypress('down');
    s.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: 'b' });
    const full = s.getFullOutput();
    for (const injected of [ESC_CLEAR, CSI_C1, RLO]) expect(full).not.toContain(injected);
    expect(s.getScreen()).toContain('Label \\u{202e}B');
  });

  it('the progress line (phase title, deadline clocks, help) is escaped', async () => {
    const output = new PassThrough();
    let shown = '';
    output.on('data', (chunk: Buffer) => (shown += chunk.toString()));
    const responder = new PromptResponder({
      cwd: root,
      streams: { input: new PassThrough(), output },
      style: { bold: (t) => t, dim: (t) => t, red: (t) => t, green: (t) => t, yellow: (t) => t, cyan: (t) => t },
    });
    // The question itself is covered above; here a prompts module that answers at once.
    Object.assign(responder, { prompts: { ...inquirer, select: async () => 'a' } });
    const reply = await responder.ask(
      hostile,
      {
        phase: { id: 'p', title: `Phase ${ESC_CLEAR}`, steps: [hostile] },
        phaseNumber: 1,
        phaseCount: 1,
        stepNumber: 1,
        stepCount: 1,
        deadlines: [{ id: 'd', title: `Clock ${RLO}kcolc`, status: 'running', due: new Date('2026-03-05T09:00:00Z'), margin_ms: 3_600_000 }],
        now: new Date('2026-03-05T08:00:00Z'),
      },
      (raw) => checkAnswer(hostile, raw, { now: new Date(), baseDir: root }),
    );
    expect(reply).toEqual({ kind: 'answer', value: 'a' });
    expectNoRawControls(shown.replace(/\n/g, ''), 'the progress lines');
    expect(shown).toContain('Phase \\u{1b}[2J\\u{1b}[H');
    expect(shown).toContain('Clock \\u{202e}kcolc');
    expect(shown).toContain('Help \\u{1b}]0;pwned\\u{7}');
  });
});

describe('stored attachment names', () => {
  it('lose path components, leading dots, NUL, controls and bidi overrides', () => {
    expect(sanitiseName('../../etc/passwd')).toBe('passwd');
    expect(sanitiseName('..')).toBe('__');
    expect(sanitiseName('../..')).toBe('__');
    expect(sanitiseName('.hidden')).toBe('_hidden');
    expect(sanitiseName('a\u0000b.txt')).toBe('a_b.txt');
    expect(sanitiseName('C:\\Users\\x\\evil.txt')).toBe('evil.txt');
    expect(sanitiseName(`report${RLO}fdp.exe`)).toBe('report_fdp.exe');
    expect(sanitiseName('\u001b[31mred')).toBe('_[31mred');
    expect(sanitiseName('')).toBe('file');
  });
});
