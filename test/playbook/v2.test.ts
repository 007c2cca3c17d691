/**
 * Playbook format leakctl/playbook@2 (issue 10): `needs`, a condition naming a step of any phase,
 * `default` and `duty`, each checked at its line; @1 files load as before and may not use them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'leakctl-v2-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const head = (schema: string) => `schema: leakctl/playbook@${schema}\nid: v2\ntitle: Version 2\ncause: other\nsummary: The fields of version 2.\nphases:\n  - id: p\n    title: P\n    steps:\n`;
function file(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

describe('validate', () => {
  it('refuses the @2 fields in an @1 playbook, each at its line, saying how to use them', async () => {
    const path = file('one.yaml', `${head('1')}      - { id: a, kind: text, prompt: A? }\n      - { id: b, kind: confirm, prompt: B?, needs: [a], default: false }\n      - { id: c, kind: datetime, prompt: C?, duty: true }\n`);
    const r = await inProcess(['validate', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}:11:45 "needs" is a leakctl/playbook@2 field; write schema: leakctl/playbook@2 at the top to use it`);
    expect(r.stderr).toMatch(/:11:\d+ "default" is a leakctl\/playbook@2 field/);
    expect(r.stderr).toMatch(/:12:\d+ "duty" is a leakctl\/playbook@2 field/);
  });

  it('checks the record block (issue 15): known steps only, dates and counts from datetime and number steps, and @2 only', async () => {
    const steps = '      - { id: a, kind: text, prompt: A? }\n      - { id: at, kind: datetime, prompt: When? }\n';
    const path = file('record.yaml', `${head('2')}${steps}record:\n  nature: a\n  discovered: a\n  people: [at, nowhere]\n`);
    const r = await inProcess(['validate', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}:14:15 record.discovered needs datetime steps; step "a" is a text step: name a datetime step instead`);
    expect(r.stderr).toContain(`${path}:15:12 record.people needs number steps; step "at" is a datetime step`);
    expect(r.stderr).toContain(`${path}:15:16 record.people names unknown step "nowhere"; name a step of the playbook`);
    expect(r.stderr).not.toContain('record.nature');
    const one = await inProcess(['validate', file('record1.yaml', `${head('1')}${steps}record:\n  nature: a\n`)]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('"record" is a leakctl/playbook@2 field');
    const good = await inProcess(['validate', file('record2.yaml', `${head('2')}${steps}record:\n  nature: a\n  discovered: at\n`)]);
    expect(good.code, good.stderr).toBe(0);
  });

  it('checks needs (known steps, not itself, no circle) and a default that the step could take', async () => {
    const path = file(
      'bad.yaml',
      `${head('2')}      - { id: a, kind: text, prompt: A?, needs: [b] }\n      - { id: b, kind: text, prompt: B?, needs: [a] }\n      - { id: c, kind: select, prompt: C?, choices: [{ value: x, label: X }], default: y, needs: [nowhere] }\n      - { id: d, kind: datetime, prompt: D?, default: now }\n`,
    );
    const r = await inProcess(['validate', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('step "a" needs itself through other steps\' needs');
    expect(r.stderr).toContain('"default" "y" is not an answer a select step can take; choose from: x');
    expect(r.stderr).toContain('needs unknown step "nowhere"');
    expect(r.stderr).toContain('"default" does not apply to a datetime step');
  });

  it('accepts a condition naming a later step in @2, and still refuses it in @1', async () => {
    const steps = `      - { id: a, kind: text, prompt: A?, when: { step: b, answered: true } }\n      - { id: b, kind: text, prompt: B? }\n`;
    expect((await inProcess(['validate', file('later2.yaml', `${head('2')}${steps}`)])).code).toBe(0);
    const one = await inProcess(['validate', file('later1.yaml', `${head('1')}${steps}`)]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('condition names step "b", which comes later');
  });
});

describe('a walk of a @2 playbook', () => {
  it('offers a step once the steps it needs are answered, in whatever order they come', async () => {
    const playbook = file(
      'needs.yaml',
      `${head('2')}      - { id: draft_sent, kind: confirm, prompt: Was the draft sent?, needs: [draft_text] }\n      - { id: draft_text, kind: text, prompt: What does the draft say? }\n`,
    );
    const answers = file('needs-answers.yaml', 'schema: leakctl/answers@1\nresponder: dana\nnow: 2026-03-02T09:00:00Z\nanswers:\n  draft_sent: true\n  draft_text: We are sorry.\n');
    const dir = join(tmp, 'inc');
    const r = await inProcess(['start', playbook, '--answers', answers, '--id', 'n', '--dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    const log = await inProcess(['log', 'n', '--json', '--dir', dir]);
    const answered = (JSON.parse(log.stdout) as { type: string; data: { step?: string } }[]).filter((e) => e.type === 'step.answered').map((e) => e.data.step);
    expect(answered).toEqual(['draft_text', 'draft_sent']);
  });
});

describe('a condition naming a later step (playbook@2)', () => {
  it('waits until that step is answered, then the walk asks it', async () => {
    const playbook = file(
      'later.yaml',
      `${head('2')}      - { id: notice_channel, kind: text, prompt: Which channel?, when: { step: members, gt: 0 } }\n      - { id: members, kind: number, prompt: How many members? }\n`,
    );
    const answers = file('later-answers.yaml', 'schema: leakctl/answers@1\nresponder: dana\nnow: 2026-03-02T09:00:00Z\nanswers:\n  notice_channel: email\n  members: 40\n');
    const dir = join(tmp, 'later');
    const r = await inProcess(['start', playbook, '--answers', answers, '--id', 'l', '--dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    const log = JSON.parse((await inProcess(['log', 'l', '--json', '--dir', dir])).stdout) as { type: string; data: { step?: string } }[];
    expect(log.filter((e) => e.type.startsWith('step.')).map((e) => `${e.type} ${String(e.data.step)}`)).toEqual(['step.answered members', 'step.answered notice_channel']);
  });

  it('a step waiting for what it needs stays open: status shows it, close records it', async () => {
    const playbook = file('wait.yaml', `${head('2')}      - { id: a, kind: text, prompt: A? }\n      - { id: b, kind: text, prompt: B?, needs: [a] }\n`);
    const answers = file('wait-answers.yaml', 'schema: leakctl/answers@1\nresponder: dana\nnow: 2026-03-02T09:00:00Z\nanswers:\n  a: { defer: not yet }\n');
    const dir = join(tmp, 'wait');
    const r = await inProcess(['start', playbook, '--answers', answers, '--id', 'w', '--dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('every step seen; some are not done yet');
    const status = JSON.parse((await inProcess(['status', 'w', '--json', '--dir', dir])).stdout) as { state: string; steps: { id: string; state: string; reason?: string }[] };
    expect(status.state).toBe('in_progress');
    expect(status.steps.find((s) => s.id === 'b')).toMatchObject({ state: 'waiting', reason: 'waits for a' });
    const closed = JSON.parse((await inProcess(['close', 'w', '--json', '--dir', dir])).stdout) as { data: { open_steps: string[] } };
    expect(closed.data.open_steps.sort()).toEqual(['a', 'b']);
  });
});

describe('modules (playbook@2)', () => {
  const playbook = () =>
    file(
      'modules.yaml',
      `${head('2')}      - { id: exposed, kind: multi, prompt: What was exposed?, choices: [{ value: names, label: Names }, { value: payment, label: Payment data }] }
  - id: later
    title: Later
    steps:
      - { id: lessons, kind: text, prompt: One lesson }
modules:
  - id: card_networks
    title: Payment card data
    when: { step: exposed, includes: payment }
    phases:
      - id: cards
        title: Card networks and the processor
        steps:
          - { id: processor_told_at, kind: datetime, prompt: When was the card processor told?, duty: true }
`,
    );

  it('joins when an answer calls for it, logged, right after the phase that called for it; a drill judges its steps', async () => {
    const path = playbook();
    expect((await inProcess(['validate', path])).code).toBe(0);
    const answers = file('payment.yaml', 'schema: leakctl/answers@1\nresponder: dana\nnow: 2026-03-02T09:00:00Z\nanswers:\n  exposed: [names, payment]\n  lessons: Check exports\n');
    const dir = join(tmp, 'modules');
    const drill = await inProcess(['drill', path, '--answers', answers, '--id', 'm', '--dir', dir]);
    // The module's required step has no answer: the drill names it.
    expect(drill.code).toBe(3);
    expect(drill.stderr).toContain('required step processor_told_at (When was the card processor told?) was not answered');
    const log = JSON.parse((await inProcess(['log', 'm', '--json', '--dir', dir])).stdout) as { type: string; data: Record<string, unknown> }[];
    const order = log.filter((e) => e.type === 'module.joined' || e.type.startsWith('step.')).map((e) => `${e.type} ${String(e.data.module ?? e.data.step)}`);
    expect(order.slice(0, 3)).toEqual(['step.answered exposed', 'module.joined card_networks', 'step.skipped processor_told_at']);
    const status = JSON.parse((await inProcess(['status', 'm', '--json', '--dir', dir])).stdout) as { phases: { id: string }[] };
    expect(status.phases.map((p) => p.id)).toEqual(['p', 'cards', 'later']);
    const text = await inProcess(['log', 'm', '--dir', dir]);
    expect(text.stdout).toContain('module.joined  Payment card data (module card_networks) joins the incident');
  });

  it('a module\'s step may be answered in the answers file: it joins, and the drill passes', async () => {
    const path = playbook();
    const answers = file('paid.yaml', 'schema: leakctl/answers@1\nresponder: dana\nnow: 2026-03-02T09:00:00Z\nanswers:\n  exposed: [payment]\n  processor_told_at: 2026-03-02T08:50:00Z\n  lessons: Check exports\n');
    const drill = await inProcess(['drill', path, '--answers', answers, '--id', 'p', '--dir', join(tmp, 'paid')]);
    expect(drill.code, drill.stderr).toBe(0);
  });

  it('does not join when nothing calls for it, and is refused in an @1 playbook', async () => {
    const path = playbook();
    const answers = file('names.yaml', 'schema: leakctl/answers@1\nresponder: dana\nnow: 2026-03-02T09:00:00Z\nanswers:\n  exposed: [names]\n  lessons: Check exports\n');
    const dir = join(tmp, 'no-module');
    const drill = await inProcess(['drill', path, '--answers', answers, '--id', 'n', '--dir', dir]);
    expect(drill.code, drill.stderr).toBe(0);
    const status = JSON.parse((await inProcess(['status', 'n', '--json', '--dir', dir])).stdout) as { phases: { id: string }[] };
    expect(status.phases.map((p) => p.id)).toEqual(['p', 'later']);
    const one = await inProcess(['validate', file('modules1.yaml', readFileSync(path, 'utf8').replace('playbook@2', 'playbook@1').replace(', duty: true', ''))]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('"modules" is a leakctl/playbook@2 field');
  });
});
