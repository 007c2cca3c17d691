/**
 * The board (issue 10): steps answered in any order, put off ("not yet") or declined ("won't
 * do") from the command line or an answers file; `next` says what to take up and why, `status`
 * shows each step's state, and a drill fails on a required step left deferred or declined.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/cli.js';

const fixtures = join(import.meta.dirname, '..', 'e2e', 'fixtures', 'incident');
const tmp = mkdtempSync(join(tmpdir(), 'leakctl-board-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

for (const file of ['breach.yaml', 'access-log.txt', 'screenshot.png']) copyFileSync(join(fixtures, file), join(tmp, file));
const breach = join(tmp, 'breach.yaml');

/** An answers file beside the playbook, with the answers of the first phase and `more`. */
function answers(name: string, more: string): string {
  const file = join(tmp, name);
  writeFileSync(
    file,
    `schema: leakctl/answers@1\nresponder: dana\nnow: 2026-03-02T09:00:00Z\nanswers:\n  confirmed: true\n  discovered_at: 2026-03-02T08:30:00Z\n  exposed_data: [names]\n${more}`,
  );
  return file;
}

let count = 0;
/** A fresh incidents directory and an incident opened in it from `file`. */
async function opened(file: string): Promise<{ dir: string; id: string; code: number; stderr: string }> {
  const dir = join(tmp, `incidents-${(count += 1)}`);
  const r = await inProcess(['start', breach, '--answers', file, '--id', 'leak', '--dir', dir]);
  return { dir, id: 'leak', code: r.code, stderr: r.stderr };
}

const json = <T>(text: string): T => JSON.parse(text) as T;
type StatusJson = { state: string; deferred: number; declined: number; steps: { id: string; state: string; reason?: string; until?: string; by?: string }[] };
type NextJson = { suggestions: { id: string; state: string; why: { kind: string; deadline?: string } }[]; deferred: { id: string; reason: string }[] };

describe('an answers file that defers and declines', () => {
  const file = answers('defer.yaml', '  members_affected: 40\n  remarks: { decline: nothing to add }\n  evidence: [./access-log.txt]\n  authority_notified_at: { defer: waiting for counsel }\n');

  it('runs to the end past them, records who and why, and the board shows each step', async () => {
    const { dir, code, stderr } = await opened(file);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('Incident leak: every step seen; some are not done yet (5 answered, 1 skipped, 1 not yet, 1 declined)');
    expect(stderr).toContain('Not yet: authority_notified_at. When you can: leakctl next leak');
    const status = await inProcess(['status', 'leak', '--json', '--dir', dir, '--now', '2026-03-02T10:00:00Z']);
    const board = json<StatusJson>(status.stdout);
    expect(board).toMatchObject({ state: 'in_progress', deferred: 1, declined: 1 });
    const byId = new Map(board.steps.map((s) => [s.id, s]));
    expect(byId.get('authority_notified_at')).toMatchObject({ state: 'deferred', reason: 'waiting for counsel', by: 'dana' });
    expect(byId.get('remarks')).toMatchObject({ state: 'declined', reason: 'nothing to add', by: 'dana' });
    expect(byId.get('processor_told')).toMatchObject({ state: 'not_applicable' });
    expect(byId.get('members_affected')).toMatchObject({ state: 'answered', by: 'dana' });
    const text = await inProcess(['status', 'leak', '--dir', dir, '--now', '2026-03-02T10:00:00Z']);
    expect(text.stdout).toContain('not yet: authority_notified_at (by dana) waiting for counsel');
    expect(text.stdout).toContain("won't do: remarks (by dana) nothing to add");
  });

  it('next names the put-off duty with its running clock; do answers it and the clock is met', async () => {
    const { dir } = await opened(file);
    const next = await inProcess(['next', 'leak', '--dir', dir, '--now', '2026-03-02T10:00:00Z']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toContain('Nearest clock: Notify the supervisory authority: 2d 22h left');
    expect(next.stdout).toContain('records the duty "Notify the supervisory authority": 2d 22h left');
    expect(next.stderr).toContain('Next: leakctl do leak authority_notified_at');
    const done = await inProcess(['do', 'leak', 'authority_notified_at', '--value', '2026-03-02T09:45:00Z', '--dir', dir, '--now', '2026-03-02T10:00:00Z']);
    expect(done.code, done.stderr).toBe(0);
    const status = json<StatusJson & { deadlines: { id: string; status: string }[] }>((await inProcess(['status', 'leak', '--json', '--dir', dir, '--now', '2026-03-02T10:00:00Z'])).stdout);
    expect(status.state).toBe('complete');
    expect(status.deadlines).toEqual([expect.objectContaining({ id: 'authority', status: 'met' })]);
    const log = readFileSync(join(dir, 'leak', 'evidence.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: { step?: string } });
    expect(log.slice(-2).map((e) => e.type)).toEqual(['step.answered', 'deadline.met']);
  });
});

describe('leakctl next, do, defer and decline on an incident under way', () => {
  // Stops at members_affected, which part1 does not answer: the rest of the playbook is open.
  const part = answers('part.yaml', '');

  it('next puts the step that records a running duty first, then the playbook order, each with why', async () => {
    const { dir, code } = await opened(part);
    expect(code).toBe(2);
    const r = await inProcess(['next', 'leak', '--json', '--dir', dir, '--now', '2026-03-02T10:00:00Z']);
    expect(r.code, r.stderr).toBe(0);
    const next = json<NextJson>(r.stdout);
    expect(next.suggestions.map((s) => s.id)).toEqual(['authority_notified_at', 'members_affected', 'remarks', 'evidence']);
    expect(next.suggestions[0]!.why).toMatchObject({ kind: 'deadline', deadline: 'authority' });
    expect(next.suggestions[1]!.why).toEqual({ kind: 'order' });
  });

  it('a step deferred until a time comes back first once that time has come', async () => {
    const { dir } = await opened(part);
    const deferred = await inProcess(['defer', 'leak', 'remarks', '--until', '+2h', '--reason', 'ask the moderators', '--dir', dir, '--now', '2026-03-02T10:00:00Z']);
    expect(deferred.code, deferred.stderr).toBe(0);
    expect(deferred.stderr).toContain('reminder at Mon 2 Mar 2026 12:00 UTC');
    const before = json<NextJson>((await inProcess(['next', 'leak', '--json', '--dir', dir, '--now', '2026-03-02T11:00:00Z'])).stdout);
    expect(before.suggestions.map((s) => s.id)).not.toContain('remarks');
    expect(before.deferred).toEqual([expect.objectContaining({ id: 'remarks', state: 'deferred', reason: 'ask the moderators' })]);
    const after = json<NextJson>((await inProcess(['next', 'leak', '--json', '--dir', dir, '--now', '2026-03-02T12:30:00Z'])).stdout);
    expect(after.suggestions[0]).toMatchObject({ id: 'remarks', state: 'deferred', why: { kind: 'reminder' } });
    // Listed once: among the suggestions, not again under what was put off.
    expect(after.deferred).toEqual([]);
  });

  it('refuses what would be wrong, exit 2, writing nothing: a decline without a reason, a reminder in the past, a step already answered, a mistyped id', async () => {
    const { dir } = await opened(part);
    const log = join(dir, 'leak', 'evidence.jsonl');
    const before = readFileSync(log);
    const now = ['--dir', dir, '--now', '2026-03-02T10:00:00Z'];
    for (const [args, said] of [
      [['decline', 'leak', 'remarks'], 'declining a step needs a reason, kept in the evidence log: leakctl decline leak remarks --reason'],
      [['decline', 'leak', 'remarks', '--reason', '   '], 'declining a step needs a reason'],
      [['defer', 'leak', 'remarks', '--until', '-2h'], '--until: -2h is not a time leakctl can read; write e.g. +4h, tomorrow 09:00'],
      [['defer', 'leak', 'remarks', '--until', '2026-03-02 09:00'], '--until: 2026-03-02T09:00:00Z is not later than now (the clock reads 2026-03-02T10:00:00Z)'],
      [['defer', 'leak', 'confirmed'], 'step "confirmed" is already answered (entry #1, by dana); to change the answer: leakctl amend leak confirmed'],
      [['do', 'leak', 'confirmed', '--value', 'false'], 'step "confirmed" was already answered (entry #1, by dana, Mon 2 Mar 2026 09:00 UTC); to change the answer: leakctl amend leak confirmed'],
      [['do', 'leak', 'authority_notifed_at', '--value', 'now'], 'has no step "authority_notifed_at"; did you mean "authority_notified_at"?'],
      [['do', 'leak', 'processor_told', '--value', 'true'], 'step "processor_told" does not apply to this incident'],
      [['do', 'leak', 'members_affected'], 'there is no terminal to ask for the answer (stdin is not a TTY); pass it with --value VALUE'],
    ] as const) {
      const r = await inProcess([...args, ...now]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(said);
    }
    expect(readFileSync(log)).toEqual(before);
  });

  it('a declined step answered later is answered; close records what was left open and what was declined', async () => {
    const { dir } = await opened(part);
    const now = ['--dir', dir, '--now', '2026-03-02T10:00:00Z'];
    expect((await inProcess(['decline', 'leak', 'remarks', '--reason', 'nothing to add', ...now])).code).toBe(0);
    expect((await inProcess(['decline', 'leak', 'evidence', '--reason', 'the provider keeps the logs', ...now])).code).toBe(0);
    const done = await inProcess(['do', 'leak', 'remarks', '--value', 'A member #2 saw it', ...now]);
    expect(done.code, done.stderr).toBe(0);
    expect((await inProcess(['defer', 'leak', 'members_affected', ...now])).code).toBe(0);
    const closed = await inProcess(['close', 'leak', '--json', ...now]);
    expect(closed.code, closed.stderr).toBe(0);
    expect(json<{ data: unknown }>(closed.stdout).data).toMatchObject({ open_steps: ['authority_notified_at', 'members_affected'], declined_steps: ['evidence'] });
    const status = json<StatusJson>((await inProcess(['status', 'leak', '--json', ...now])).stdout);
    expect(status.steps.find((s) => s.id === 'remarks')).toMatchObject({ state: 'answered' });
  });
});

describe('a colleague answers the step a person is still looking at', () => {
  it('their word stands: the prompt\'s reply is not recorded over it, and the person is told', async () => {
    const { dir } = await opened(answers('race.yaml', ''));
    const { Incident } = await import('../../src/incident/incident.js');
    const { SimulatedClock } = await import('../../src/incident/clock.js');
    const { loadPlaybookFile } = await import('../../src/playbook/load.js');
    const { takeStep } = await import('../../src/run/runner.js');
    const { placedSteps } = await import('../../src/run/steps.js');
    const playbook = loadPlaybookFile(breach);
    const clock = new SimulatedClock(new Date('2026-03-02T10:00:00Z'));
    const incident = await Incident.open({ incidentsDir: dir, id: 'leak', writer: { actor: 'dana', clock } });
    const told: string[] = [];
    try {
      const responder = {
        source: 'prompt' as const,
        baseDir: tmp,
        inputZone: 'UTC',
        // While "dana" looks at the question, "lee" answers it from another terminal; dana then says Not yet.
        ask: async () => {
          const lee = await inProcess(['do', 'leak', 'members_affected', '--value', '40', '--responder', 'lee', '--dir', dir, '--now', '2026-03-02T10:00:00Z']);
          expect(lee.code, lee.stderr).toBe(0);
          return { kind: 'defer' as const, reason: 'not counted yet' };
        },
        tell: (entries: readonly { type: string; actor: string }[]) => told.push(...entries.map((e) => `${e.type} by ${e.actor}`)),
      };
      const placed = placedSteps(playbook).find((p) => p.step.id === 'members_affected')!;
      const outcome = await takeStep({ incident, playbook, responder, clock, rules: { zoneOf: () => 'UTC', holidaysOf: () => new Set() } as never, settings: {} as never }, placed);
      expect(outcome).toMatchObject({ superseded: { type: 'step.answered', actor: 'lee' } });
      expect(told).toContain('step.answered by lee');
      expect(incident.state.answers.get('members_affected')).toMatchObject({ value: 40, actor: 'lee' });
      expect(incident.state.deferred.has('members_affected')).toBe(false);
    } finally {
      incident.close();
    }
  });
});

describe('resume takes up what was put off', () => {
  it('an answers file that now has a value for a deferred or declined step answers it; one still marked stays put off', async () => {
    const first = answers('first.yaml', '  members_affected: { defer: counting }\n  remarks: { decline: nothing to add }\n  evidence: [./access-log.txt]\n  authority_notified_at: { defer: not told yet }\n');
    const { dir, code, stderr } = await opened(first);
    expect(code, stderr).toBe(0);
    const later = answers('later.yaml', '  members_affected: 52\n  remarks: A member found it\n  authority_notified_at: { defer: still not told }\n');
    const r = await inProcess(['resume', 'leak', '--answers', later, '--dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    const board = json<StatusJson>((await inProcess(['status', 'leak', '--json', '--dir', dir, '--now', '2026-03-02T10:00:00Z'])).stdout);
    const byId = new Map(board.steps.map((s) => [s.id, s]));
    expect(byId.get('members_affected')).toMatchObject({ state: 'answered' });
    expect(byId.get('remarks')).toMatchObject({ state: 'answered' });
    expect(byId.get('authority_notified_at')).toMatchObject({ state: 'deferred', reason: 'not told yet' });
  });
});

describe('help at every turn', () => {
  it('each command that writes ends with the next useful command, on stderr', async () => {
    const { dir } = await opened(answers('hints.yaml', ''));
    const now = ['--dir', dir, '--now', '2026-03-02T10:00:00Z'];
    for (const [args, next] of [
      [['note', 'leak', 'called the provider'], 'Next: leakctl next leak'],
      [['attach', 'leak', join(tmp, 'access-log.txt')], 'Next: leakctl next leak'],
      [['do', 'leak', 'members_affected', '--value', '40'], 'Next: leakctl next leak'],
      [['defer', 'leak', 'remarks'], 'Answer it when you can: leakctl do leak remarks'],
      [['amend', 'leak', 'members_affected', '--value', '41'], 'Next: leakctl render leak'],
      [['next', 'leak'], 'Next: leakctl do leak authority_notified_at'],
      [['close', 'leak'], 'Next: leakctl verify leak --head '],
    ] as const) {
      const r = await inProcess([...args, ...now]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr, args.join(' ')).toContain(next);
      expect(r.stdout, args.join(' ')).not.toContain('Next:');
    }
  });
});

describe('who signs', () => {
  it('the config\'s signatory signs the notices, and a config changed later applies to later renders', async () => {
    const bundled = join(import.meta.dirname, '..', '..', 'playbooks');
    const dir = join(tmp, 'signed');
    const config = join(tmp, 'signed.config.yaml');
    const base = readFileSync(join(import.meta.dirname, '..', 'notices', 'fixtures', 'leakctl.config.yaml'), 'utf8');
    writeFileSync(config, base.replace('  platform: Hearthside\n', '  platform: Hearthside\n  signatory: { name: Ana Ruiz, role: Data protection officer, contact: dpo@zoes-cafe.example }\n'));
    cpSync(join(bundled, 'drills'), join(tmp, 'drills'), { recursive: true });
    const drill = await inProcess(['drill', 'platform-leak', '--answers', join(tmp, 'drills', 'platform-leak.yaml'), '--id', 's', '--dir', dir, '--config', config]);
    expect(drill.code, drill.stderr).toBe(0);
    const notice = async () => (await inProcess(['render', 's', '--stdout', 'regulator-notice', '--dir', dir, '--config', config])).stdout;
    expect(await notice()).toContain('Contact point for this notification: Ana Ruiz (Data protection officer), dpo@zoes-cafe.example');
    writeFileSync(config, base.replace('  platform: Hearthside\n', '  platform: Hearthside\n  signatory: { name: Lee Chen, role: Community lead }\n'));
    const later = await notice();
    expect(later).toContain('Contact point for this notification: Lee Chen (Community lead), privacy@zoes-cafe.example');
    expect(later).toMatch(/^Lee Chen, Community lead\nFor Zoë's Café Ltd$/m);
  });

  it('the signatory named at the start signs when the config names none; the config\'s comes first', async () => {
    const { renderContext } = await import('../../src/notices/drafts.js');
    const { emptyState } = await import('../../src/evidence/state.js');
    const { loadPlaybookFile } = await import('../../src/playbook/load.js');
    const playbook = loadPlaybookFile(breach);
    const state = emptyState('s');
    state.opened = { at: new Date('2026-03-02T09:00:00Z'), playbook: { id: 'breach', title: 'B', sha256: 'x' }, drill: false, responder: 'dana', signatory: { name: 'Ana Ruiz', role: 'DPO' } };
    const input = (org: Record<string, unknown>) => ({ playbook, state, config: { org, playbookDirs: [], templateDirs: [], calendarDirs: [], holidays: [] }, templateDirs: [], deadlines: [], now: new Date() }) as never;
    expect(renderContext(input({})).signatory).toEqual({ name: 'Ana Ruiz', role: 'DPO', named: true });
    expect(renderContext(input({ signatory: { name: 'Lee Chen' } })).signatory).toEqual({ name: 'Lee Chen', named: true });
    // Nobody named: the responder who opened it signs, but is not put forward as the authority's contact point.
    state.opened = { ...state.opened, signatory: undefined };
    expect(renderContext(input({})).signatory).toEqual({ name: 'dana', named: false });
  });

  it("without one, the responder who opened the incident signs; the authority's contact point is the DPO, or an answer, never a login name", async () => {
    const dir = join(tmp, 'unsigned');
    const config = join(import.meta.dirname, '..', 'notices', 'fixtures', 'leakctl.config.yaml');
    const bundled = join(import.meta.dirname, '..', '..', 'playbooks');
    cpSync(join(bundled, 'drills'), join(tmp, 'drills'), { recursive: true });
    // A real run (not a drill, where a missing answer shows as a placeholder instead).
    const started = await inProcess(['start', 'platform-leak', '--answers', join(tmp, 'drills', 'platform-leak.yaml'), '--id', 'u', '--dir', dir, '--config', config, '--responder', 'Dana Obi']);
    expect(started.code, started.stderr).toBe(0);
    const r = await inProcess(['render', 'u', '--stdout', 'regulator-notice', '--dir', dir, '--config', config]);
    expect(r.stdout).toMatch(/^Dana Obi\nFor Zoë's Café Ltd$/m);
    expect(r.stdout).toContain('Contact point for this notification: our data protection officer, Ana Ruiz, dpo@zoes-cafe.example');
    // With no DPO in the config either, the notice needs the contact point as an answer.
    const noDpo = join(tmp, 'no-dpo.config.yaml');
    writeFileSync(noDpo, readFileSync(config, 'utf8').replace(/^ {2}dpo_contact: .*\n/m, ''));
    const without = await inProcess(['render', 'u', '--stdout', 'regulator-notice', '--dir', dir, '--config', noDpo]);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/regulator-notice needs the answer to a step not answered yet:\n {2}authority_contact_point \(phase \d+, step \d+\): Who should the authority contact/);
    expect((await inProcess(['do', 'u', 'authority_contact_point', '--value', 'Ana Ruiz, privacy lead, privacy@zoes-cafe.example', '--dir', dir, '--config', noDpo])).code).toBe(0);
    const answered = await inProcess(['render', 'u', '--stdout', 'regulator-notice', '--dir', dir, '--config', noDpo]);
    expect(answered.stdout).toContain('Contact point for this notification: Ana Ruiz, privacy lead, privacy@zoes-cafe.example');
  });
});

describe('closing', () => {
  it('leaves out of the record a deferred or declined step whose condition has since turned false', async () => {
    const file = answers('payment.yaml', '');
    const dir = join(tmp, 'closing');
    writeFileSync(file, readFileSync(file, 'utf8').replace('exposed_data: [names]', 'exposed_data: [names, payment]\n  processor_told: { defer: asking the processor }'));
    await inProcess(['start', breach, '--answers', file, '--id', 'c', '--dir', dir]);
    const now = ['--dir', dir, '--now', '2026-03-02T10:00:00Z'];
    expect((await inProcess(['decline', 'c', 'remarks', '--reason', 'nothing to add', ...now])).code).toBe(0);
    expect(json<StatusJson>((await inProcess(['status', 'c', '--json', ...now])).stdout).steps.find((s) => s.id === 'processor_told')).toMatchObject({ state: 'deferred' });
    expect((await inProcess(['amend', 'c', 'exposed_data', '--value', '[names]', ...now])).code).toBe(0);
    const closed = await inProcess(['close', 'c', '--json', ...now]);
    expect(closed.code, closed.stderr).toBe(0);
    const data = json<{ data: { open_steps: string[]; declined_steps: string[] } }>(closed.stdout).data;
    expect(data.open_steps).not.toContain('processor_told');
    expect(data.open_steps).toContain('members_affected');
    expect(data.declined_steps).toEqual(['remarks']);
  });
});

describe('drafts on demand, in the middle of an incident', () => {
  const bundled = join(import.meta.dirname, '..', '..', 'playbooks');
  const config = join(import.meta.dirname, '..', 'notices', 'fixtures', 'leakctl.config.yaml');
  /**
   * The bundled platform drill's answers for the steps before `stop` in the playbook's order: a
   * real incident under way, stopped at `stop` (required, no answer).
   */
  async function partOfBundled(stop: string): Promise<string> {
    const { parse, stringify } = await import('yaml');
    const drill = parse(readFileSync(join(bundled, 'drills', 'platform-leak.yaml'), 'utf8')) as { answers: Record<string, unknown> };
    const order = (parse(readFileSync(join(bundled, 'platform-leak.yaml'), 'utf8')) as { phases: { steps: { id: string }[] }[] }).phases.flatMap((p) => p.steps.map((s) => s.id));
    const before = new Set(order.slice(0, order.indexOf(stop)));
    expect(before.size).toBeGreaterThan(0);
    drill.answers = Object.fromEntries(Object.entries(drill.answers).filter(([id]) => before.has(id)));
    cpSync(join(bundled, 'drills', 'fixtures'), join(tmp, 'fixtures'), { recursive: true });
    const file = join(tmp, `part-${stop}.yaml`);
    writeFileSync(file, stringify(drill));
    return file;
  }

  it('render --template names the steps a notice still needs, with their prompts, and writes nothing (exit 2); answered, it renders', async () => {
    const file = await partOfBundled('leak_status');
    const dir = join(tmp, 'on-demand');
    const now = ['--config', config, '--dir', dir];
    const started = await inProcess(['start', 'platform-leak', '--answers', file, '--id', 'p', ...now]);
    expect(started.code).toBe(2);
    const log = readFileSync(join(dir, 'p', 'evidence.jsonl'));
    const r = await inProcess(['render', 'p', '--template', 'member-notice-platform', ...now]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^member-notice-platform needs the answer to \d+ steps not answered yet:\n {2}\w+ \(phase \d+, step \d+\): /);
    expect(r.stderr).toMatch(/^ {2}apology \(phase 6, step \d+\): Write the apology, in your own voice\.$/m);
    expect(r.stderr).toContain('Nothing was written. Answer them with: leakctl do p STEP');
    expect(readFileSync(join(dir, 'p', 'evidence.jsonl'))).toEqual(log);
    // Without --template: what can be written is, and the rest is listed with what it waits for.
    const all = await inProcess(['render', 'p', '--json', ...now]);
    expect(all.code, all.stderr).toBe(0);
    const rendered = json<{ drafts: { template: string }[]; waiting: { template: string; steps: string[] }[] }>(all.stdout);
    expect(rendered.drafts.map((d) => d.template)).toContain('provider-request');
    expect(rendered.waiting.find((w) => w.template === 'member-notice-platform')?.steps).toContain('apology');
    // Each step it named, answered now, out of order: then the notice renders.
    const needed = rendered.waiting.find((w) => w.template === 'member-notice-platform')!.steps;
    expect(needed).toEqual(['members_what_happened', 'members_actions', 'apology', 'security_changes']);
    for (const [step, value] of [['security_changes', '[mandatory_2fa, session_reset]'], ['members_actions', 'We turned the feature off.'], ['apology', 'We are sorry.'], ['members_what_happened', 'A mistake showed your messages to others.']]) {
      const d = await inProcess(['do', 'p', step!, '--value', value!, ...now]);
      expect(d.code, d.stderr).toBe(0);
    }
    const again = await inProcess(['render', 'p', '--template', 'member-notice-platform', ...now]);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(dir, 'p', 'drafts', 'member-notice-platform.txt'), 'utf8')).toContain('We are sorry.');
  });
});

describe('clocks from the first minute (the bundled playbooks)', () => {
  for (const playbook of ['platform-leak', 'member-leak']) {
    it(`${playbook}: after the second question, "not sure yet" runs the EU and UK 72-hour clocks`, async () => {
      const file = join(tmp, `${playbook}-unsure.yaml`);
      writeFileSync(file, 'schema: leakctl/answers@1\nresponder: dana\nnow: 2026-03-02T09:00:00Z\nanswers:\n  discovered_at: 2026-03-02T08:30:00Z\n  jurisdictions: [unsure]\n');
      const dir = join(tmp, `${playbook}-unsure`);
      const started = await inProcess(['start', playbook, '--answers', file, '--id', 'u', '--dir', dir]);
      // The third question has no answer here: the run stops there, with the clocks already running.
      expect(started.code).toBe(2);
      expect(started.stderr).toMatch(/step "\w+" \(phase 1\/\d+, /);
      const status = json<{ deadlines: { id: string; status: string; due: string }[] }>((await inProcess(['status', 'u', '--json', '--dir', dir, '--now', '2026-03-02T09:05:00Z'])).stdout);
      expect(status.deadlines.filter((d) => d.status === 'running').map((d) => [d.id, d.due])).toEqual([
        ['gdpr_authority', '2026-03-05T08:30:00.000Z'],
        ['uk_ico', '2026-03-05T08:30:00.000Z'],
      ]);
      // And the regulator notice is due (it waits for answers, but it is not forgotten).
      const rendered = json<{ drafts: { template: string }[]; waiting: { template: string }[] }>((await inProcess(['render', 'u', '--json', '--dir', dir, '--now', '2026-03-02T09:05:00Z'])).stdout);
      expect([...rendered.drafts, ...rendered.waiting].map((d) => d.template)).toContain('regulator-notice');
    });
  }
});

describe('the steps a notice needs', () => {
  // Guard: a stand-in of the wrong kind made a filter (count, date) fail, and the list stopped there.
  it('are all listed, past one used with a filter', async () => {
    const bundled = join(import.meta.dirname, '..', '..', 'playbooks');
    const { parse, stringify } = await import('yaml');
    const drill = parse(readFileSync(join(bundled, 'drills', 'platform-leak.yaml'), 'utf8')) as { answers: Record<string, unknown> };
    const keep = ['discovered_at', 'jurisdictions', 'contract_commitment', 'special_regimes', 'discovery_source', 'platform_type'];
    drill.answers = Object.fromEntries(Object.entries(drill.answers).filter(([id]) => keep.includes(id)));
    const file = join(tmp, 'few.yaml');
    writeFileSync(file, stringify(drill));
    const dir = join(tmp, 'few');
    const config = join(import.meta.dirname, '..', 'notices', 'fixtures', 'leakctl.config.yaml');
    await inProcess(['start', 'platform-leak', '--answers', file, '--id', 'f', '--dir', dir, '--config', config]);
    const r = await inProcess(['render', 'f', '--template', 'regulator-notice', '--dir', dir, '--config', config]);
    expect(r.code).toBe(2);
    const listed = [...r.stderr.matchAll(/^ {2}(\w+) \(phase/gm)].map((m) => m[1]);
    expect(listed).toEqual(expect.arrayContaining(['members_affected', 'likely_consequences', 'what_happened', 'exposed_data']));
  });
});

describe('the example drill worked out of order (playbooks/drills/platform-leak-out-of-order.yaml)', () => {
  const bundled = join(import.meta.dirname, '..', '..', 'playbooks');

  it('passes, with a step put off, one declined, and a draft written in the middle of the run', async () => {
    const dir = join(tmp, 'out-of-order');
    const r = await inProcess(['drill', 'platform-leak', '--answers', join(bundled, 'drills', 'platform-leak-out-of-order.yaml'), '--id', 'o', '--dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    const log = JSON.parse((await inProcess(['log', 'o', '--json', '--dir', dir])).stdout) as { seq: number; type: string; data: Record<string, unknown> }[];
    const at = (type: string, key: string, value: string) => log.find((e) => e.type === type && e.data[key] === value)?.seq ?? -1;
    expect(at('step.deferred', 'step', 'provider_fix_eta')).toBeGreaterThan(0);
    expect(at('step.declined', 'step', 'records_affected')).toBeGreaterThan(0);
    // The provider request is written right after what happened is documented, before the assessment.
    const midRun = at('notice.rendered', 'template', 'provider-request');
    expect(midRun).toBeGreaterThan(at('step.answered', 'step', 'timeline_notes'));
    expect(midRun).toBeLessThan(at('step.answered', 'step', 'exposed_data'));
  });

  it('a draft asked for before its answers are in is a miss the drill names (exit 3); a step the playbook lacks is exit 2', async () => {
    const text = readFileSync(join(bundled, 'drills', 'platform-leak-out-of-order.yaml'), 'utf8');
    cpSync(join(bundled, 'drills', 'fixtures'), join(tmp, 'fixtures'), { recursive: true });
    const early = join(tmp, 'early.yaml');
    writeFileSync(early, text.replace('after: timeline_notes', 'after: provider_case_ref'));
    const r = await inProcess(['drill', 'platform-leak', '--answers', early, '--dir', join(tmp, 'early')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/mid-run draft provider-request: .*provider-request\.liquid:\d+:\d+ template provider-request: undefined variable: answers\.access_evidence/);
    const unknown = join(tmp, 'unknown.yaml');
    writeFileSync(unknown, text.replace('after: timeline_notes', 'after: no_such_step'));
    const u = await inProcess(['drill', 'platform-leak', '--answers', unknown, '--dir', join(tmp, 'unknown')]);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('render item 1 waits for step "no_such_step", which the playbook does not have');
  });
});

describe('a drill with steps left deferred or declined', () => {
  it('fails (exit 3) naming each required step and why, in the JUnit report too', async () => {
    const file = answers('drill.yaml', '  members_affected: { decline: we do not count }\n  evidence: { defer: the provider has the logs }\n  authority_notified_at: { value: 2026-03-02T12:00:00Z, after: PT3H }\n');
    const dir = join(tmp, 'drill-incidents');
    const junit = join(tmp, 'drill.xml');
    const r = await inProcess(['drill', breach, '--answers', file, '--junit', junit, '--dir', dir]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('required step members_affected (How many members are affected?) was declined: we do not count');
    expect(r.stderr).toContain('required step evidence (Attach the access log) was left open, deferred: the provider has the logs');
    expect(readFileSync(junit, 'utf8')).toContain('message="required step members_affected (How many members are affected?) was declined: we do not count"');
  });

  it('refuses a deferral or decline written wrong, at its line', async () => {
    const file = answers('wrong.yaml', '  members_affected: { decline: "" }\n  remarks: { defer: later, value: x }\n');
    const r = await inProcess(['drill', breach, '--answers', file, '--dir', join(tmp, 'wrong')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/wrong\.yaml:8:\d+ .*decline/);
    expect(r.stderr).toMatch(/wrong\.yaml:9:\d+ unknown field "(value|defer)"/);
  });
});
