/**
 * Owners and the lead (issue 17, item 4): `assign` makes a step or a whole phase someone's,
 * `handoff` records who leads; both are entries of the log, shown by status (and --json), and
 * `next --responder NAME` lists that person's steps first. A mistyped id gets the closest; an
 * empty name, or a closed incident, is refused with exit 2 and nothing is written.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/exec.js';

const tmp = mkdtempSync(join(tmpdir(), 'leakctl-owners-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const dir = join(tmp, 'incidents');
const run = (...args: string[]) => inProcess(['--dir', dir, '--now', '2026-03-02T10:00:00Z', ...args], { cwd: tmp });
const entries = (id: string) => readFileSync(join(dir, id, 'evidence.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; actor: string; data: Record<string, unknown> });

describe('assign and handoff', () => {
  it('make steps and phases someone\'s, record who leads, and put each person\'s steps first', async () => {
    writeFileSync(join(tmp, 'empty.yaml'), 'schema: leakctl/answers@1\nresponder: dana\nnow: 2026-03-02T09:00:00Z\nanswers: {}\n');
    await run('start', join(ROOT, 'playbooks', 'member-leak.yaml'), '--id', 'm', '--answers', join(tmp, 'empty.yaml'));
    expect((await run('assign', 'm', 'confirm', 'lee', '--responder', 'dana')).code).toBe(0);
    const step = await run('assign', 'm', 'data_role', 'sam', '--responder', 'dana');
    expect(step.code, step.stderr).toBe(0);
    expect(step.stderr).toContain('Step "data_role" of incident m is sam\'s');
    const handed = await run('handoff', 'm', 'lee', '--responder', 'dana');
    expect(handed.stderr).toContain('lee leads incident m from now, after dana');
    expect(entries('m').slice(-3).map((e) => [e.type, e.actor, e.data])).toEqual([
      // (--now sets the clock by hand, and the log says so of each entry.)
      ['step.assigned', 'dana', { phase: 'confirm', owner: 'lee', clock: 'set by hand' }],
      ['step.assigned', 'dana', { step: 'data_role', owner: 'sam', clock: 'set by hand' }],
      ['lead.handed', 'dana', { to: 'lee', from: 'dana', clock: 'set by hand' }],
    ]);

    const status = await run('status', 'm');
    expect(status.stdout).toContain('Lead: lee');
    expect(status.stdout).toMatch(/Phase 1\/\d+ Confirm what leaked and where: 0\/\d+ \(lee's\)/);
    const json = JSON.parse((await run('--json', 'status', 'm')).stdout) as { lead: { name: string }; steps: { id: string; owner?: string }[] };
    expect(json.lead.name).toBe('lee');
    // A step's own owner stands over its phase's.
    expect(json.steps.find((s) => s.id === 'data_role')!.owner).toBe('sam');
    expect(json.steps.find((s) => s.id === 'discovered_at')!.owner).toBe('lee');

    // sam's one step comes first for sam, though the playbook puts it 25th; lee's otherwise.
    const forSam = JSON.parse((await run('--json', 'next', 'm', '--responder', 'sam')).stdout) as { suggestions: { id: string; owner?: string }[]; mine_first: string };
    expect(forSam.mine_first).toBe('sam');
    expect(forSam.suggestions[0]).toMatchObject({ id: 'data_role', owner: 'sam' });
    const shown = await run('next', 'm', '--responder', 'sam');
    expect(shown.stdout).toMatch(/data_role {2}phase 1, step \d+, yours/);
    const forLee = JSON.parse((await run('--json', 'next', 'm', '--responder', 'lee')).stdout) as { suggestions: { id: string }[] };
    expect(forLee.suggestions[0]!.id).toBe('discovered_at');
    expect((await run('verify', 'm')).code).toBe(0);
  });

  it('refuse a step or phase the playbook does not have, an empty name, and a closed incident, writing nothing', async () => {
    writeFileSync(join(tmp, 'empty.yaml'), 'schema: leakctl/answers@1\nresponder: dana\nnow: 2026-03-02T09:00:00Z\nanswers: {}\n');
    await run('start', join(ROOT, 'playbooks', 'member-leak.yaml'), '--id', 'r', '--answers', join(tmp, 'empty.yaml'));
    const before = entries('r').length;
    const typo = await run('assign', 'r', 'confirmm', 'lee');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('has no step or phase "confirmm"; did you mean "confirm"?');
    const empty = await run('handoff', 'r', '  ');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('who leads must be a name on one line');
    expect(entries('r')).toHaveLength(before);
    expect((await run('close', 'r', '--responder', 'dana')).code).toBe(0);
    const closed = await run('assign', 'r', 'confirm', 'lee');
    expect(closed.code).toBe(2);
    expect(closed.stderr).toContain('incident r was closed by dana');
    expect(entries('r').at(-1)!.type).toBe('incident.closed');
    const invisible = await run('handoff', 'r', 'lee\u200b');
    expect(invisible.code).toBe(2);
    expect(invisible.stderr).toContain('without control or invisible characters');
  });
});
