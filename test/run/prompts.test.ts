/**
 * The prompt responder's questions, driven with @inquirer/testing: each prompt askStep opens is
 * rendered on a virtual screen, and the test answers from what that screen shows.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import * as inquirer from '@inquirer/prompts';
import { render } from '@inquirer/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAnswer } from '../../src/run/check-answer.js';
import type { EvidenceEntry } from '../../src/evidence/entry.js';
import { askStep, choosePlaybook, PromptResponder } from '../../src/run/prompts.js';
import { splitTypedPaths } from '../../src/run/typed-paths.js';
import type { Step } from '../../src/playbook/types.js';

type Prompts = typeof inquirer;
type Screen = Awaited<ReturnType<typeof render>>;

const NOW = new Date('2026-03-02T09:14:07.120Z');

/**
 * A prompts module whose prompts render on a test screen. `next()` gives the screen of the next
 * prompt askStep opens, in order.
 */
function screens() {
  const opened: Screen[] = [];
  const waiting: ((s: Screen) => void)[] = [];
  const wrap =
    (prompt: (config: never) => Promise<unknown>) =>
    async (config: unknown): Promise<unknown> => {
      const screen = await render(prompt as never, config as never);
      const waiter = waiting.shift();
      if (waiter) waiter(screen);
      else opened.push(screen);
      return screen.answer;
    };
  const prompts = {
    ...inquirer,
    input: wrap(inquirer.input as never),
    password: wrap(inquirer.password as never),
    confirm: wrap(inquirer.confirm as never),
    select: wrap(inquirer.select as never),
    checkbox: wrap(inquirer.checkbox as never),
    search: wrap(inquirer.search as never),
  } as unknown as Prompts;
  const next = (): Promise<Screen> => {
    const screen = opened.shift();
    return screen ? Promise.resolve(screen) : new Promise((resolve) => waiting.push(resolve));
  };
  return { prompts, next };
}

function ask(step: Step, zone = 'UTC', where?: Parameters<typeof askStep>[5]) {
  const { prompts, next } = screens();
  const output = new PassThrough();
  let written = '';
  output.on('data', (d: Buffer) => (written += d.toString()));
  const reply = askStep(
    prompts,
    step,
    (raw) => checkAnswer(step, raw, { now: NOW, baseDir: process.cwd(), zone }),
    { input: new PassThrough(), output },
    zone,
    where,
  );
  return { reply, next, written: () => written };
}

/** Let the prompt re-render after a key. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const exposed: Step = {
  id: 'exposed_data',
  kind: 'multi',
  prompt: 'What information was exposed?',
  required: true,
  choices: [
    { value: 'names', label: 'Member names' },
    { value: 'emails', label: 'Email addresses' },
    { value: 'payment', label: 'Payment information' },
  ],
};

describe('asking a step', () => {
  it('confirm: y then Enter records yes', async () => {
    const { reply, next } = ask({ id: 'confirmed', kind: 'confirm', prompt: 'Have you verified the leak?', required: true });
    const screen = await next();
    expect(screen.getScreen()).toContain('Have you verified the leak?');
    screen.events.type('y');
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: true });
  });

  it('confirm: n then Enter records no', async () => {
    const { reply, next } = ask({ id: 'confirmed', kind: 'confirm', prompt: 'Have you verified the leak?', required: true });
    const screen = await next();
    screen.events.type('n');
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: false });
  });

  // Guard: a yes/no defaulted to Yes, so Enter alone answered "Is all the exposed data
  // unreadable?" with the answer that removes the duty to tell members.
  it('confirm: Enter alone answers nothing; it asks for y or n', async () => {
    const { reply, next } = ask({ id: 'encrypted', kind: 'confirm', prompt: 'Is all the exposed data unreadable (strongly encrypted)?', required: true });
    const screen = await next();
    screen.events.keypress('enter');
    await settle();
    expect(screen.getScreen()).toContain('answer y (yes) or n (no)');
    screen.events.type('n');
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: false });
  });

  it('select: shows the labels and records the value of the one chosen', async () => {
    const { reply, next } = ask({
      id: 'discovery_source',
      kind: 'select',
      prompt: 'How did you learn of the leak?',
      required: true,
      choices: [
        { value: 'member_report', label: 'A member reported it' },
        { value: 'provider_notice', label: 'The provider told us' },
      ],
    });
    const screen = await next();
    expect(screen.getScreen()).toContain('A member reported it');
    expect(screen.getScreen()).toContain('The provider told us');
    expect(screen.getScreen()).not.toContain('Skip this step');
    screen.events.keypress('down');
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: 'provider_notice' });
  });

  it('multi: ticks with space and records the values ticked', async () => {
    const { reply, next } = ask(exposed);
    const screen = await next();
    expect(screen.getScreen()).toContain('Member names');
    screen.events.keypress('space');
    screen.events.keypress('down');
    screen.events.keypress('down');
    screen.events.keypress('space');
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: ['names', 'payment'] });
  });

  it('multi: a required step with nothing ticked is refused with the reason, then accepted', async () => {
    const { reply, next } = ask(exposed);
    const screen = await next();
    screen.events.keypress('enter');
    await settle();
    expect(screen.getScreen()).toContain('choose at least 1');
    screen.events.keypress('space');
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: ['names'] });
  });

  it('datetime: a future time is refused with the clock; a time without an offset is read in the zone, echoed with its offset, and confirmed or typed again', async () => {
    const { reply, next, written } = ask({ id: 'discovered_at', kind: 'datetime', prompt: 'When did you become aware of the leak?', required: true }, 'Europe/Berlin');
    const screen = await next();
    expect(screen.getScreen()).toContain('When did you become aware of the leak?');
    const flat = (text: string): string => text.replace(/\s+/g, ' ');
    expect(flat(screen.getScreen())).toContain('yesterday 21:40, -2h, now; in Europe/Berlin');
    screen.events.type('2026-03-02 23:00');
    screen.events.keypress('enter');
    await settle();
    expect(flat(screen.getScreen())).toContain('2026-03-02T23:00:00+01:00 is later than now (the clock reads 2026-03-02T10:14:07+01:00)');
    for (let i = 0; i < '2026-03-02 23:00'.length; i++) screen.events.keypress('backspace');
    screen.events.type('2026-03-02 08:30');
    screen.events.keypress('enter');
    const confirm = await next();
    expect(flat(confirm.getScreen())).toContain('Read as Mon 2 Mar 2026 08:30 CET (UTC+01:00) = 2026-03-02T07:30:00Z. Is that right?');
    confirm.events.type('n');
    confirm.events.keypress('enter');
    const again = await next();
    again.events.type('now');
    again.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: '2026-03-02T09:14:07.120Z' });
    expect(written()).toContain('→ Mon 2 Mar 2026 10:14 CET (UTC+01:00) = 2026-03-02T09:14:07.120Z');
  });

  it('datetime: a time typed with its offset is echoed in the zone and taken as written', async () => {
    const { reply, next, written } = ask({ id: 'discovered_at', kind: 'datetime', prompt: 'When?', required: true }, 'Europe/Berlin');
    const screen = await next();
    screen.events.type('2026-03-02T08:30:00Z');
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: '2026-03-02T08:30:00Z' });
    expect(written()).toContain('→ Mon 2 Mar 2026 09:30 CET (UTC+01:00) = 2026-03-02T08:30:00Z');
  });

  it('number: records the number typed', async () => {
    const { reply, next } = ask({ id: 'members_affected', kind: 'number', prompt: 'How many members?', required: true, integer: true, min: 0 });
    const screen = await next();
    screen.events.type('1240');
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: 1240 });
  });

  it('an optional text step left empty is skipped by the responder', async () => {
    const { reply, next } = ask({ id: 'remarks', kind: 'text', prompt: 'Anything else?', required: false });
    const screen = await next();
    expect(screen.getScreen()).toContain('(empty to skip)');
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'skip', reason: 'skipped by the responder' });
  });

  it('an optional select step offers "Skip this step"', async () => {
    const { reply, next } = ask({
      id: 'compensation',
      kind: 'select',
      prompt: 'Did you ask for compensation?',
      required: false,
      choices: [
        { value: 'requested', label: 'Requested' },
        { value: 'not_requested', label: 'Not requested' },
      ],
    });
    const screen = await next();
    expect(screen.getScreen()).toContain('Skip this step');
    screen.events.keypress('down');
    screen.events.keypress('down');
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'skip', reason: 'skipped by the responder' });
  });

  it('checklist: the ticked items are done, the others skipped', async () => {
    const { reply, next } = ask({
      id: 'ny_agencies',
      kind: 'checklist',
      prompt: 'Which New York agencies were notified?',
      required: true,
      items: [
        { id: 'attorney_general', label: 'Attorney General' },
        { id: 'state_police', label: 'State Police' },
      ],
    });
    const screen = await next();
    screen.events.keypress('down');
    screen.events.keypress('space');
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: { attorney_general: 'skipped', state_police: 'done' } });
  });

  it('shows escape sequences in a prompt as text, not as terminal codes', async () => {
    const { reply, next } = ask({ id: 'confirmed', kind: 'confirm', prompt: 'Safe?\u001b[2J', required: true });
    const screen = await next();
    expect(screen.getScreen({ raw: true })).not.toContain('\u001b[2J');
    expect(screen.getScreen()).toContain('Safe?\\u{1b}[2J');
    screen.events.type('y');
    screen.events.keypress('enter');
    await expect(reply).resolves.toMatchObject({ kind: 'answer' });
  });
});

describe('instead of an answer: ? for more', () => {
  const walk = { canGoBack: true, jumpTargets: () => [{ id: 'apology', label: 'Write the apology' }], notices: ['member-notice'], checkFiles: () => ({ ok: true as const, value: [] }) };
  const text: Step = { id: 'ticket', kind: 'text', prompt: 'Provider ticket number?', required: true };

  it('a text prompt says so; ? opens the choices, and Not yet asks why (optional) and puts the step off', async () => {
    const { reply, next } = ask(text, 'UTC', { canPutOff: true });
    const screen = await next();
    expect(screen.getScreen()).toContain('Provider ticket number? (? for more)');
    screen.events.type('?');
    screen.events.keypress('enter');
    const menu = await next();
    expect(menu.getScreen()).toContain('What now with "Provider ticket number?"?');
    expect(menu.getScreen()).toContain("Won't do: say why");
    expect(menu.getScreen()).not.toContain('Back');
    menu.events.keypress('down');
    menu.events.keypress('enter');
    const why = await next();
    why.events.type('the provider has not answered');
    why.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'defer', reason: 'the provider has not answered' });
  });

  it("Won't do needs a reason", async () => {
    const { reply, next } = ask(text, 'UTC', { canPutOff: true });
    const screen = await next();
    screen.events.type('?');
    screen.events.keypress('enter');
    const menu = await next();
    menu.events.keypress('down');
    menu.events.keypress('down');
    menu.events.keypress('enter');
    const why = await next();
    why.events.keypress('enter');
    await settle();
    expect(why.getScreen()).toContain('a reason is needed');
    why.events.type('no ticket system');
    why.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'decline', reason: 'no ticket system' });
  });

  it('in the walk: Back goes to the previous step, Jump to a step chosen by its prompt', async () => {
    const choose = async (downs: number) => {
      const { reply, next } = ask(text, 'UTC', { canPutOff: true, walk });
      const screen = await next();
      screen.events.type('?');
      screen.events.keypress('enter');
      const menu = await next();
      for (let i = 0; i < downs; i++) menu.events.keypress('down');
      menu.events.keypress('enter');
      return { reply, next };
    };
    await expect((await choose(3)).reply).resolves.toEqual({ kind: 'back' });
    const jump = await choose(4);
    const which = await jump.next();
    expect(which.getScreen()).toContain('Write the apology');
    which.events.keypress('enter');
    await expect(jump.reply).resolves.toEqual({ kind: 'jump', step: 'apology' });
  });

  it('Pause from the menu is a pause where the person is (exit 0), not an interruption (exit 130)', async () => {
    const { reply, next } = ask(text, 'UTC', { canPutOff: true, walk });
    const screen = await next();
    screen.events.type('?');
    screen.events.keypress('enter');
    const menu = await next();
    menu.events.keypress('up');
    menu.events.keypress('enter');
    await expect(reply).rejects.toMatchObject({ pausedAt: 'ticket', exitCode: 0 });
  });

  it('a select or a multi offers More as its last choice', async () => {
    const multi: Step = { id: 'exposed', kind: 'multi', prompt: 'What was exposed?', required: true, choices: [{ value: 'names', label: 'Names' }] };
    const { reply, next } = ask(multi, 'UTC', { canPutOff: true, walk });
    const screen = await next();
    expect(screen.getScreen()).toContain("More: not yet, won't do, back, jump, note, board, draft");
    screen.events.keypress('down');
    screen.events.keypress('space');
    screen.events.keypress('enter');
    const menu = await next();
    for (const choice of ['Back: answer the previous step again', 'Jump to another step', 'Add a note to the evidence log', 'Attach files to the evidence log', 'Show the board and the clocks', 'Draft a notice now', 'Pause']) {
      expect(menu.getScreen()).toContain(choice);
    }
    menu.events.keypress('enter'); // Answer it now: the question again
    const again = await next();
    again.events.keypress('space');
    again.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: ['names'] });
  });

  it('a step marked duty (playbook@2) starts as Not yet even before its clock runs', async () => {
    const { reply, next } = ask({ id: 'members_notified_at', kind: 'datetime', prompt: 'When did you tell the members?', required: false, duty: true }, 'UTC', { canPutOff: true, walk });
    const screen = await next();
    expect(screen.getScreen()).toMatch(/❯ Not yet: keep it on the board/);
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'defer', reason: 'not done yet' });
  });

  it("a playbook's default (playbook@2) is offered first: Enter takes it", async () => {
    const { reply, next } = ask({ id: 'channel', kind: 'text', prompt: 'Which channel?', required: true, default: 'email' }, 'UTC', { canPutOff: true });
    const screen = await next();
    expect(screen.getScreen()).toContain('email');
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: 'email' });
  });

  it('a step that records a duty whose clock runs starts as Not yet, without asking for a time', async () => {
    const duty = { id: 'gdpr', title: 'Notify the authority', status: 'running' as const };
    const { reply, next } = ask({ id: 'authority_notified_at', kind: 'datetime', prompt: 'When did you notify the authority?', required: false }, 'UTC', { canPutOff: true, walk, duty });
    const screen = await next();
    expect(screen.getScreen()).toMatch(/❯ Not yet: keep it on the board \(the clock keeps running\)/);
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'defer', reason: 'not done yet' });
  });
});

describe('the header of a question', () => {
  it('shows the nearest running clock, and how many more there are', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let written = '';
    output.on('data', (d: Buffer) => (written += d.toString()));
    const style = { bold: (t: string) => t, dim: (t: string) => t, red: (t: string) => `<red>${t}`, yellow: (t: string) => `<yellow>${t}`, green: (t: string) => `<green>${t}`, cyan: (t: string) => t } as never;
    const responder = new PromptResponder({ cwd: process.cwd(), streams: { input, output }, style, timeZone: 'UTC' });
    const hour = 3_600_000;
    const clock = (id: string, left: number) => ({ id, title: id, status: 'running' as const, due: new Date(NOW.getTime() + left), margin_ms: left });
    const step: Step = { id: 'ack', kind: 'info', prompt: 'Read this', required: true };
    const context = { phase: { id: 'p', title: 'Contain', steps: [] }, phaseNumber: 1, phaseCount: 2, stepNumber: 3, stepCount: 9, deadlines: [clock('Tell members (30 days)', 700 * hour), clock('Notify the authority', 20 * hour)], now: NOW, canPutOff: false } as never;
    const reply = responder.ask(step, context, (raw) => ({ ok: true, value: raw }));
    input.write('\n');
    await reply;
    expect(written).toContain('<yellow>⏱ Notify the authority: 20h left');
    expect(written).toContain('(+1 more clock: ? → board)');
    expect(written).not.toContain('Tell members (30 days):');
  });
});

describe('longtext: several lines, typed or pasted whole', () => {
  const story: Step = { id: 'what_happened', kind: 'longtext', prompt: 'What happened?', required: true };
  /** askStep with `text` arriving on its input at once, as a paste does. */
  function pasted(step: Step, text: string, where?: Parameters<typeof askStep>[5]) {
    const { prompts } = screens();
    const input = new PassThrough();
    const output = new PassThrough();
    let written = '';
    output.on('data', (d: Buffer) => (written += d.toString()));
    const reply = askStep(prompts, step, (raw) => checkAnswer(step, raw, { now: NOW, baseDir: process.cwd() }), { input, output }, 'UTC', where);
    input.write(text);
    return { reply, written: () => written, input };
  }

  // Guard: a multi-line paste kept only its first line; the rest was lost between two prompts.
  it('keeps every line of a paste, blank lines included, until a line holding only "."', async () => {
    const { reply, written } = pasted(story, 'On 1 March a change to the export feature\nlet members download private messages.\n\nIt was fixed on 2 March.\n.\n');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: 'On 1 March a change to the export feature\nlet members download private messages.\n\nIt was fixed on 2 March.' });
    expect(written()).toContain('end with a line holding only "." or Ctrl+D; e alone opens $EDITOR');
  });

  // Guard: Ctrl+D on an empty required answer looped for ever, ignoring Ctrl+C.
  it('input that ends (Ctrl+D) before a required answer is a pause, not a loop', async () => {
    const { reply, input } = pasted(story, '');
    input.end();
    // The prompt's way of saying the person left: PromptResponder turns it into the pause (exit 130).
    await expect(reply).rejects.toMatchObject({ name: 'ExitPromptError' });
  });

  it('a required one given nothing says so and asks again; an optional one is skipped with "."', async () => {
    const required = pasted(story, '.\nNow something.\n.\n');
    await expect(required.reply).resolves.toEqual({ kind: 'answer', value: 'Now something.' });
    expect(required.written()).toContain('an answer is required');
    const optional = pasted({ ...story, required: false }, '.\n');
    await expect(optional.reply).resolves.toEqual({ kind: 'skip', reason: 'skipped by the responder' });
  });
});

describe('answering again (amend): the earlier answer is there to edit', () => {
  it('a text answer is prefilled; Enter keeps it, and it can be edited', async () => {
    const { reply, next } = ask({ id: 'ticket', kind: 'text', prompt: 'Provider ticket number?', required: true }, 'UTC', { canPutOff: false, previous: 'T-4471' });
    const screen = await next();
    expect(screen.getScreen()).toContain('T-4471');
    screen.events.type('-b');
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: 'T-4471-b' });
  });

  it('an earlier answer with control characters is not prefilled: it would reach the terminal raw', async () => {
    const { reply, next } = ask({ id: 'ticket', kind: 'text', prompt: 'Provider ticket number?', required: true }, 'UTC', { canPutOff: false, previous: 'a\u001b]0;pwned\u0007b' });
    const screen = await next();
    expect(screen.getScreen({ raw: true })).not.toContain('\u001b]0;pwned');
    screen.events.type('T-2');
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: 'T-2' });
  });

  it('a tick list starts with the earlier choices ticked', async () => {
    const multi: Step = { id: 'exposed', kind: 'multi', prompt: 'What was exposed?', required: true, choices: [{ value: 'names', label: 'Names' }, { value: 'emails', label: 'Emails' }] };
    const { reply, next } = ask(multi, 'UTC', { canPutOff: false, previous: ['emails'] });
    const screen = await next();
    expect(screen.getScreen()).toMatch(/◉ Emails/);
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: ['emails'] });
  });
});

describe('the platform-or-member question (choosePlaybook)', () => {
  const choices = [
    { value: 'platform-leak', name: 'Platform-caused leak', description: 'The platform failed.', cause: 'platform', triage: { cause: 'A bug or breach.', scope: 'Many members.' } },
    { value: 'member-leak', name: 'Member-caused leak', description: 'A member leaked it.', cause: 'member', triage: { cause: 'A member shared it.', blame: 'On the leaker.' } },
  ];
  const plain = { bold: (t: string) => t, dim: (t: string) => t, red: (t: string) => t, green: (t: string) => t, yellow: (t: string) => t, cyan: (t: string) => t };

  it('shows the distinctions side by side and returns the playbook picked with the arrow keys', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (d: Buffer) => (shown += d.toString()));
    const picked = choosePlaybook(choices, { input, output }, plain);
    await new Promise((r) => setTimeout(r, 50));
    input.write('\u001b[B');
    await settle();
    input.write('\r');
    expect(await picked).toBe('member-leak');
    expect(shown).toContain('What kind of leak is this?');
    expect(shown).toMatch(/Platform-caused leak\n\s+Cause:\s+A bug or breach\.\n\s+Scope:\s+Many members\./);
    expect(shown).toMatch(/Member-caused leak\n\s+Cause:\s+A member shared it\.\n\s+Blame:\s+On the leaker\./);
  }, 30_000);

  it('turns Ctrl+C into "nothing was written" (exit 130)', async () => {
    const input = new PassThrough();
    const picked = choosePlaybook(choices, { input, output: new PassThrough() }, plain);
    await new Promise((r) => setTimeout(r, 50));
    input.write('\u0003');
    await expect(picked).rejects.toMatchObject({ exitCode: 130, message: 'Stopped before an incident was opened; nothing was written.' });
  }, 30_000);
});

describe('what others added, shown at the next prompt (PromptResponder.tell)', () => {
  const plain = { bold: (t: string) => t, dim: (t: string) => t, red: (t: string) => t, green: (t: string) => t, yellow: (t: string) => t, cyan: (t: string) => t };
  const entry = (type: EvidenceEntry['type'], actor: string, data: Record<string, unknown>): EvidenceEntry => ({ seq: 1, at: NOW.toISOString(), type, actor, data, prev: null, hash: 'h' });

  it('says who added what, escaped, with sensitive answers hidden and the run bookkeeping left out', () => {
    const output = new PassThrough();
    let shown = '';
    output.on('data', (d: Buffer) => (shown += d.toString()));
    const responder = new PromptResponder({ cwd: process.cwd(), streams: { input: new PassThrough(), output }, style: plain, sensitive: new Set(['access_code']) });
    responder.tell([
      entry('note.added', 'lee', { text: 'Provider confirmed \u001b[2J the fix' }),
      entry('step.answered', 'kim', { step: 'access_code', value: 'hunter2', source: 'prompt' }),
      entry('deadline.started', 'kim', { deadline: 'gdpr' }),
      entry('run.resumed', 'kim', {}),
    ]);
    expect(shown).toBe('\n+ note added by lee: Provider confirmed \\u{1b}[2J the fix\n+ step answered by kim: access_code = [sensitive]\n');
  });
});

/**
 * Files dropped on the prompt from a file manager arrive shell-quoted: `/tmp/shot\ 1.png`
 * (macOS Terminal), `'/tmp/shot 1.png'` (GNOME), or a file:// URL. Issue 9: they were refused.
 */
describe('attachment paths as a terminal pastes them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leakctl drop '));
  const shot = join(dir, 'shot 1.png');
  const other = join(dir, "it's.txt");
  writeFileSync(shot, 'png');
  writeFileSync(other, 'txt');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const step: Step = { id: 'screenshots', kind: 'attachment', prompt: 'Screenshots of the leak?', required: true };
  const escaped = (path: string) => path.replace(/([ '\\])/g, '\\$1');

  it.each([
    ['backslash-escaped (macOS)', escaped(shot), [shot]],
    ['single-quoted (GNOME)', `'${shot}' `, [shot]],
    ['double-quoted', `"${shot}"`, [shot]],
    ['a file URL', pathToFileURL(shot).href, [shot]],
    ['two dropped files, space-separated', `${escaped(shot)} ${escaped(other)}`, [shot, other]],
    ['typed with commas', `${shot}, ${other}`, [shot, other]],
    ['typed bare, spaces and all', shot, [shot]],
  ])('%s: records the files named', async (_, typed, files) => {
    const { reply, next } = ask(step);
    const screen = await next();
    expect(screen.getScreen()).toContain('drop files here');
    screen.events.type(typed);
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: files });
  });

  it('on Windows a backslash stays a path separator', () => {
    expect(splitTypedPaths('"C:\\Users\\me\\shot 1.png" C:\\tmp\\a.txt', 'win32')).toEqual(['C:\\Users\\me\\shot 1.png', 'C:\\tmp\\a.txt']);
  });

  it('a path that names no file is refused with the path as read', async () => {
    const { reply, next } = ask(step);
    const screen = await next();
    screen.events.type(`'${join(dir, 'missing 2.png')}'`);
    screen.events.keypress('enter');
    await settle();
    expect(screen.getScreen()).toContain(`file not found: ${join(dir, 'missing 2.png')}`);
    screen.events.keypress({ name: 'u', ctrl: true });
    screen.events.type(escaped(shot));
    screen.events.keypress('enter');
    await expect(reply).resolves.toEqual({ kind: 'answer', value: [shot] });
  });
});
