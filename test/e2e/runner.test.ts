/**
 * Scripted runs of the built binary (SPEC sections 1, 3 and 4): what a responder or a CI drill
 * sees, and what the evidence log holds afterwards, checked with a checker written here from
 * SPEC section 4 alone.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BIN, leakctl, ROOT } from '../helpers/exec.js';
import { checkChain } from '../helpers/chain.js';
import type { Entry } from '../helpers/chain.js';

const fixtures = join(import.meta.dirname, 'fixtures', 'incident');
/** Organisation details, so the bundled notice templates can render at the end of a run. */
const config = join(fixtures, 'leakctl.config.yaml');
const breach = join(fixtures, 'breach.yaml');


const tmp = mkdtempSync(join(tmpdir(), 'leakctl-e2e-runner-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** SPEC section 4, read independently of src/evidence (test/helpers/chain.ts): the problems, and the entries. */
function checkLog(file: string): { problems: string[]; entries: Entry[] } {
  const text = readFileSync(file, 'utf8');
  const problems: string[] = [];
  if (!text.endsWith('\n')) problems.push('the log does not end with a newline');
  let entries: Entry[] = [];
  try {
    entries = checkChain(text.replace(/\n$/, '').split('\n'));
  } catch (error) {
    problems.push((error as Error).message);
  }
  return { problems, entries };
}

/** Step ids of a playbook file, read with a YAML parser, not with leakctl. */
function stepIds(file: string): string[] {
  const doc = parse(readFileSync(file, 'utf8')) as { phases: { steps: { id: string }[] }[] };
  return doc.phases.flatMap((p) => p.steps.map((s) => s.id));
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const mode = (path: string): number => statSync(path).mode & 0o777;
const answeredCount = (entries: Entry[], step: string): number =>
  entries.filter((e) => e.type === 'step.answered' && e.data.step === step).length;

/** The environment a user without colour or leakctl settings would have. */
function quietEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
  for (const name of ['FORCE_COLOR', 'LEAKCTL_DIR', 'LEAKCTL_NOW']) delete env[name];
  return env;
}

describe.each(['platform-leak', 'member-leak'])('a scripted start of the bundled %s playbook with its drill answers', (id) => {
  const dir = join(tmp, id, 'incidents');
  const incident = join(dir, 'drill-1');
  const drill = join(ROOT, 'playbooks', 'drills', `${id}.yaml`);
  const probe = join(tmp, id, 'probe');
  let result: ReturnType<typeof spawnSync>;
  let entries: Entry[];
  let problems: string[];

  beforeAll(() => {
    rmSync(join(tmp, id), { recursive: true, force: true });
    // Under `umask 000` whatever leakctl creates must still be owner-only; the shell's probe
    // file (0666) proves the umask really was 000.
    const script = 'umask 000; : > "$0"; exec "$@"';
    mkdirSync(join(tmp, id));
    result = spawnSync('sh', ['-c', script, probe, process.execPath, BIN, 'start', id, '--answers', drill, '--id', 'drill-1', '--dir', dir, '--config', config], {
      cwd: ROOT,
      env: quietEnv(),
      input: '',
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (existsSync(join(incident, 'evidence.jsonl'))) ({ problems, entries } = checkLog(join(incident, 'evidence.jsonl')));
  });

  it('exits 0 and says where the evidence log is', () => {
    expect(result.stderr).toContain('all steps done');
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(join(incident, 'evidence.jsonl'));
  });

  it('writes a log that an independent SPEC section 4 checker accepts', () => {
    expect(problems).toEqual([]);
    expect(entries[0]?.type).toBe('incident.opened');
    expect(entries[0]?.actor).toBe('drill-bot');
  });

  it('has every step of the playbook answered or skipped, each answered once', () => {
    const playbookFile = join(ROOT, 'playbooks', `${id}.yaml`);
    for (const step of stepIds(playbookFile)) {
      const done = entries.filter((e) => (e.type === 'step.answered' || e.type === 'step.skipped') && e.data.step === step);
      expect(done.length, `step ${step}`).toBeGreaterThan(0);
      expect(answeredCount(entries, step), `step ${step}`).toBeLessThanOrEqual(1);
    }
    const scripted = Object.keys((parse(readFileSync(drill, 'utf8')) as { answers: object }).answers);
    for (const e of entries.filter((x) => x.type === 'step.answered')) {
      expect(scripted).toContain(e.data.step);
      expect(e.data.source).toBe('answers');
    }
  });

  it('copies each attachment intact, with the sha256 and size the log records', () => {
    const drillAnswers = (parse(readFileSync(drill, 'utf8')) as { answers: Record<string, unknown> }).answers;
    const kept = new Set<string>();
    let files = 0;
    for (const e of entries.filter((x) => x.type === 'step.answered' && Array.isArray(x.data.value))) {
      const value = e.data.value as { path?: string; sha256?: string; bytes?: number }[];
      if (!value.every((f) => typeof f === 'object' && f !== null && typeof f.sha256 === 'string')) continue;
      const given = drillAnswers[String(e.data.step)] as string[];
      value.forEach((f, i) => {
        const original = readFileSync(resolve(dirname(drill), given[i]!));
        const copy = readFileSync(join(incident, f.path!));
        expect(copy.equals(original), f.path).toBe(true);
        expect(f.sha256).toBe(sha256(original));
        expect(f.bytes).toBe(original.length);
        expect(f.path).toMatch(/^attachments\//);
        kept.add(f.path!.replace(/^attachments\//, ''));
        files += 1;
      });
    }
    expect(files).toBeGreaterThan(0);
    expect(readdirSync(join(incident, 'attachments')).sort()).toEqual([...kept].sort());
  });

  it('creates directories 0700 and files 0600 even under umask 000', () => {
    expect(mode(probe)).toBe(0o666);
    expect(mode(dir)).toBe(0o700);
    expect(mode(incident)).toBe(0o700);
    expect(mode(join(incident, 'attachments'))).toBe(0o700);
    expect(mode(join(incident, 'drafts'))).toBe(0o700);
    expect(mode(join(incident, 'evidence.jsonl'))).toBe(0o600);
    const attachments = readdirSync(join(incident, 'attachments'));
    expect(attachments.length).toBeGreaterThan(0);
    for (const name of attachments) expect(mode(join(incident, 'attachments', name)), name).toBe(0o600);
    const drafts = readdirSync(join(incident, 'drafts'));
    expect(drafts.length).toBeGreaterThan(0);
    for (const name of drafts) expect(mode(join(incident, 'drafts', name)), name).toBe(0o600);
  });
});

describe('refusals before anything is written', () => {
  it('exits 2 at once without a terminal and without --answers, saying to pass --answers FILE', () => {
    const dir = join(tmp, 'no-tty');
    const r = spawnSync(process.execPath, [BIN, 'start', breach, '--id', 'n1', '--dir', dir], {
      cwd: ROOT,
      env: quietEnv(),
      input: '',
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--answers FILE');
    expect(existsSync(join(dir, 'n1'))).toBe(false);
  });

  it('exits 2 for resume without a terminal and without --answers', () => {
    const dir = join(tmp, 'no-tty-resume');
    expect(leakctl(['start', breach, '--answers', join(fixtures, 'part1.yaml'), '--id', 'r1', '--dir', dir]).code).toBe(2);
    const r = spawnSync(process.execPath, [BIN, 'resume', 'r1', '--dir', dir], {
      cwd: ROOT,
      env: quietEnv(),
      input: '',
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--answers FILE');
  });

  it('refuses an incident id that would leave the incidents directory', () => {
    const dir = join(tmp, 'ids', 'incidents');
    const r = leakctl(['start', breach, '--answers', join(fixtures, 'complete.yaml'), '--id', '../x', '--dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid incident id "../x"');
    expect(existsSync(join(tmp, 'ids', 'x'))).toBe(false);
  });

  it('names an answer for a step the playbook does not have, and writes nothing', () => {
    const dir = join(tmp, 'unknown-step');
    const file = join(fixtures, 'unknown-step.yaml');
    const r = leakctl(['start', breach, '--answers', file, '--id', 'u1', '--dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:7:16 answer for step "exposed_dta", which the playbook does not have`);
    expect(existsSync(join(dir, 'u1'))).toBe(false);
  });
});

describe('a scripted run missing a required answer', () => {
  const dir = join(tmp, 'missing');
  const log = join(dir, 'p1', 'evidence.jsonl');
  let first: ReturnType<typeof leakctl>;
  let before: Entry[];

  beforeAll(() => {
    first = leakctl(['start', breach, '--answers', join(fixtures, 'part1.yaml'), '--id', 'p1', '--dir', dir]);
    before = checkLog(log).entries;
  });

  it('exits 2 naming the step and telling how to continue', () => {
    expect(first.code).toBe(2);
    expect(first.stderr).toContain('step "members_affected"');
    expect(first.stderr).toContain('leakctl resume p1 --answers');
  });

  it('has logged everything answered before it', () => {
    expect(checkLog(log).problems).toEqual([]);
    expect(before.filter((e) => e.type === 'step.answered').map((e) => [e.data.step, e.data.value])).toEqual([
      ['confirmed', true],
      ['discovered_at', '2026-03-02T08:30:00Z'],
      ['exposed_data', ['names', 'payment']],
      ['processor_told', false],
    ]);
  });

  it('is completed by resume --answers without re-recording earlier answers', () => {
    const r = leakctl(['resume', 'p1', '--answers', join(fixtures, 'more.yaml'), '--dir', dir]);
    expect(r.stderr).toContain('all steps done');
    expect(r.code).toBe(0);
    const { problems, entries } = checkLog(log);
    expect(problems).toEqual([]);
    // What was logged before is still there, byte for byte.
    expect(entries.slice(0, before.length)).toEqual(before);
    for (const step of stepIds(breach)) expect(answeredCount(entries, step), step).toBeLessThanOrEqual(1);
    for (const step of ['confirmed', 'discovered_at', 'exposed_data', 'processor_told', 'members_affected', 'evidence', 'authority_notified_at']) {
      expect(answeredCount(entries, step), step).toBe(1);
    }
    const value = (step: string) => entries.find((e) => e.type === 'step.answered' && e.data.step === step)?.data.value;
    expect(value('confirmed')).toBe(true);
    expect(value('exposed_data')).toEqual(['names', 'payment']);
    expect(value('members_affected')).toBe(40);
    expect(entries.some((e) => e.type === 'run.resumed')).toBe(true);
    // Time does not run backwards across the resume.
    const times = entries.map((e) => e.at);
    expect(times).toEqual([...times].sort());
  });
});
