/**
 * The runner, driven the way `start --answers` and `resume --answers` drive it (in-process through
 * the CLI, so no test builds its own copy of start or resume), checked against the log it writes.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncidentState } from '../../src/evidence/state.js';
import { Incident } from '../../src/incident/incident.js';
import { loadPlaybookFile } from '../../src/playbook/load.js';
import { checkChain } from '../helpers/chain.js';
import type { Entry } from '../helpers/chain.js';
import { inProcess, type InProcessResult } from '../helpers/cli.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const breach = join(fixtures, 'breach.yaml');
const playbook = loadPlaybookFile(breach);

type Line = Entry;

let tmp: string;
let incidents: string;
let incidentDir: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'leakctl-runner-'));
  incidents = join(tmp, 'incidents');
  incidentDir = join(incidents, 'inc-1');
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** The log as written, each line parsed. */
function logLines(): Line[] {
  const text = readFileSync(join(incidentDir, 'evidence.jsonl'), 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Line);
}

/** SPEC section 4, checked independently of src/evidence (test/helpers/chain.ts). */
function expectValidChain(): void {
  const text = readFileSync(join(incidentDir, 'evidence.jsonl'), 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  expect(() => checkChain(text.slice(0, -1).split('\n'))).not.toThrow();
}

/** `start --answers` in-process; the state as the next command would open it. */
async function run(answersName: string): Promise<{ state: IncidentState; result: InProcessResult }> {
  const result = await inProcess(['start', breach, '--answers', join(fixtures, answersName), '--id', 'inc-1', '--dir', incidents, '--drill']);
  const incident = await Incident.open({ incidentsDir: incidents, id: 'inc-1' });
  return { state: incident.state, result };
}

/** `resume --answers` in-process. */
function resume(answersName: string): Promise<InProcessResult> {
  return inProcess(['resume', 'inc-1', '--answers', join(fixtures, answersName), '--dir', incidents]);
}

const answered = (lines: Line[]) => lines.filter((l) => l.type === 'step.answered');
const skipped = (lines: Line[]) => lines.filter((l) => l.type === 'step.skipped');

describe('a scripted run to the end', () => {
  it('logs the answers in playbook order, from the answers file, on a valid chain', async () => {
    await run('complete.yaml');
    const lines = logLines();
    expect(answered(lines).map((l) => l.data.step)).toEqual([
      'confirmed',
      'discovered_at',
      'exposed_data',
      'members_affected',
      'evidence',
      'authority_notified_at',
    ]);
    for (const line of answered(lines)) {
      expect(line.data.source).toBe('answers');
      expect(line.actor).toBe('drill-bot');
    }
    expect(answered(lines).find((l) => l.data.step === 'members_affected')?.data.value).toBe(40);
    expect(answered(lines).find((l) => l.data.step === 'exposed_data')?.data.value).toEqual(['names']);
    expectValidChain();
  });

  it('records a step whose condition is false as skipped, with the condition as the reason', async () => {
    await run('complete.yaml');
    const skip = skipped(logLines()).find((l) => l.data.step === 'processor_told');
    expect(skip?.data.reason).toBe('condition not met: exposed_data includes "payment"');
  });

  it('skips an optional step the file does not answer, saying so', async () => {
    await run('complete.yaml');
    const skip = skipped(logLines()).find((l) => l.data.step === 'remarks');
    expect(skip?.data.reason).toBe(`no answer in ${join(fixtures, 'complete.yaml')}`);
  });

  it('leaves every step answered or skipped, and the state agrees with the log', async () => {
    const { state } = await run('complete.yaml');
    const lines = logLines();
    const done = new Set([...answered(lines), ...skipped(lines)].map((l) => l.data.step));
    expect([...done].sort()).toEqual(playbook.phases.flatMap((p) => p.steps.map((s) => s.id)).sort());
    expect(state.answers.get('members_affected')?.value).toBe(40);
    expect(state.head).toBe(lines.at(-1)?.hash);
  });

  it('moves the clock by `after` before the answer is recorded', async () => {
    await run('complete.yaml');
    const lines = logLines();
    const notified = lines.findIndex((l) => l.data.step === 'authority_notified_at');
    for (const line of lines.slice(0, notified)) expect(line.at).toBe('2026-03-02T09:00:00.000Z');
    expect(lines[notified]?.at).toBe('2026-03-04T10:00:00.000Z');
  });

  it('logs the deadline starting and being met, once each', async () => {
    await run('complete.yaml');
    const lines = logLines();
    const started = lines.filter((l) => l.type === 'deadline.started');
    const met = lines.filter((l) => l.type === 'deadline.met');
    expect(started).toHaveLength(1);
    expect(started[0]?.data).toMatchObject({ deadline: 'authority', due: '2026-03-05T08:30:00.000Z' });
    // The clock starts when discovered_at is answered, not before.
    const discovered = lines.findIndex((l) => l.data.step === 'discovered_at');
    expect(lines.indexOf(started[0]!)).toBe(discovered + 1);
    expect(met).toHaveLength(1);
    expect(met[0]?.data).toMatchObject({ deadline: 'authority', met_at: '2026-03-04T10:00:00.000Z', on_time: true });
  });

  it('copies an attachment into the incident and records its hash and size', async () => {
    await run('complete.yaml');
    const value = answered(logLines()).find((l) => l.data.step === 'evidence')?.data.value as { path: string; sha256: string; bytes: number }[];
    const original = readFileSync(join(fixtures, 'access-log.txt'));
    const sha256 = createHash('sha256').update(original).digest('hex');
    expect(value).toEqual([{ path: `attachments/${sha256.slice(0, 12)}-access-log.txt`, sha256, bytes: original.length }]);
    expect(readFileSync(join(incidentDir, value[0]!.path)).equals(original)).toBe(true);
  });
});

describe('a scripted run that stops', () => {
  it('names a required step without an answer (exit 2), with everything before it logged', async () => {
    const { result } = await run('missing.yaml');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('step "members_affected"');
    expect(result.stderr).toContain(`is required, but ${join(fixtures, 'missing.yaml')} has no answer for it`);
    expect(result.stderr).toContain(`continue with: leakctl resume inc-1 --answers ${join(fixtures, 'missing.yaml')}`);
    const lines = logLines();
    expect(answered(lines).map((l) => [l.data.step, l.data.value])).toEqual([
      ['confirmed', true],
      ['discovered_at', '2026-03-02T08:30:00Z'],
      ['exposed_data', ['names', 'payment']],
      ['processor_told', false],
    ]);
    expectValidChain();
  });

  it('continues from the log with another file, answering only the open steps, recording nothing twice', async () => {
    expect((await run('missing.yaml')).result.code).toBe(2);
    const resumed = await resume('complete.yaml');
    expect(resumed.code, resumed.stderr).toBe(0);
    const lines = logLines();
    const steps = answered(lines).map((l) => l.data.step);
    expect(steps).toEqual([...new Set(steps)]);
    expect(steps).toEqual(['confirmed', 'discovered_at', 'exposed_data', 'processor_told', 'members_affected', 'evidence', 'authority_notified_at']);
    // The earlier answer stands: the second file's exposed_data ([names]) is not used.
    expect(answered(lines).find((l) => l.data.step === 'exposed_data')?.data.value).toEqual(['names', 'payment']);
    expect(lines.filter((l) => l.type === 'deadline.started')).toHaveLength(1);
    expect(lines.filter((l) => l.type === 'deadline.met')).toHaveLength(1);
    expectValidChain();
  });

  it('names the step and the answer\'s line:col for an invalid value (exit 2), with everything before it logged', async () => {
    const { result } = await run('invalid.yaml');
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toContain(
      `${join(fixtures, 'invalid.yaml')}:8:21 the answer for step "members_affected" is invalid: expected at least 0; got -3`,
    );
    expect(answered(logLines()).map((l) => l.data.step)).toEqual(['confirmed', 'discovered_at', 'exposed_data']);
    expect(logLines().some((l) => l.data.step === 'members_affected')).toBe(false);
  });
});

describe('a duty done before its clock started', () => {
  const playbookText = (when: string) => `schema: leakctl/playbook@1
id: duty
title: Duty
cause: other
summary: A duty and the time its clock starts.
phases:
  - id: p
    title: P
    steps:
      - { id: eu_members, kind: confirm, prompt: Are members in the EU affected? }
      - { id: discovered_at, kind: datetime, prompt: When did you learn of it? }
      - { id: authority_notified_at, kind: datetime, prompt: When was the authority told? }
deadlines:
  - { id: authority, title: Tell the authority, from: discovered_at, within: PT72H, met_by: authority_notified_at${when} }
`;
  const answers = (eu: boolean) =>
    `schema: leakctl/answers@1\nnow: 2026-03-02T09:00:00Z\nanswers:\n  eu_members: ${eu}\n  discovered_at: 2026-03-02T08:30:00Z\n  authority_notified_at: 2026-03-01T12:00:00Z\n`;
  const start = async (when: string, eu: boolean) => {
    writeFileSync(join(tmp, 'duty.yaml'), playbookText(when));
    writeFileSync(join(tmp, 'answers.yaml'), answers(eu));
    return inProcess(['start', join(tmp, 'duty.yaml'), '--answers', join(tmp, 'answers.yaml'), '--id', 'inc-1', '--dir', incidents, '--drill']);
  };

  it('is refused (exit 2) naming both steps when the deadline applies', async () => {
    const r = await start(', when: { step: eu_members, equals: true }', true);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is before discovered_at (2026-03-02T08:30:00Z), when this duty\'s clock started');
    expect(r.stderr).toContain('`leakctl amend inc-1 discovered_at`');
  });

  // Guards: the check once ignored `when`, refusing a time for a duty the incident did not have.
  it('is recorded when the deadline does not apply: there is no such duty in this incident', async () => {
    const r = await start(', when: { step: eu_members, equals: true }', false);
    expect(r.code, r.stderr).toBe(0);
    expect(answered(logLines()).map((l) => l.data.step)).toEqual(['eu_members', 'discovered_at', 'authority_notified_at']);
  });
});
