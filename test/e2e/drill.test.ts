import { copyFileSync, cpSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { leakctl, ROOT } from '../helpers/exec.js';

const fixtures = join(ROOT, 'test', 'e2e', 'fixtures', 'drill');
const playbook = join(fixtures, 'drill-72h.yaml');
const onTime = readFileSync(join(fixtures, 'on-time.yaml'), 'utf8');

interface Junit {
  testsuites: {
    tests: string;
    failures: string;
    testsuite: { name: string; testcase: { classname: string; name: string; failure?: { message: string } }[] };
  };
}

interface DrillJson {
  result: 'pass' | 'fail';
  failures: string[];
  deadlines: { id: string; status: string; due: string; met_at: string | null; late_by_ms: number; passed: boolean }[];
  steps: { id: string; status: string; passed: boolean }[];
}

/** Run a drill of the fixture playbook with answers text, in a fresh directory. */
function drill(answers: string, extra: string[] = [], config?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'leakctl-drill-'));
  writeFileSync(join(dir, 'answers.yaml'), answers);
  if (config) writeFileSync(join(dir, 'leakctl.config.yaml'), config);
  const text = leakctl(['drill', playbook, '--answers', 'answers.yaml', '--junit', 'junit.xml', '--id', 'd1', ...extra], { cwd: dir });
  const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' }).parse(
    readFileSync(join(dir, 'junit.xml'), 'utf8'),
  ) as Junit;
  const json = JSON.parse(leakctl(['drill', playbook, '--answers', 'answers.yaml', '--id', 'd2', '--json'], { cwd: dir }).stdout) as DrillJson;
  return { dir, text, junit, json };
}

const failuresIn = (junit: Junit) => junit.testsuites.testsuite.testcase.filter((c) => c.failure);

describe('leakctl drill', () => {
  it('passes a drill that meets every deadline: exit 0, JUnit and JSON agree', () => {
    const { text, junit, json } = drill(onTime);
    expect(text.stderr).toContain('Drill passed');
    expect(text.code).toBe(0);
    expect(junit.testsuites.failures).toBe('0');
    // Two deadlines and the three required steps, one testcase each.
    expect(junit.testsuites.testsuite.testcase.map((c) => `${c.classname} ${c.name.split(':')[0]}`)).toEqual([
      'deadlines gdpr_authority',
      'deadlines sec_8k',
      'steps discovered_at',
      'steps jurisdictions',
      'steps contained',
      'steps lessons',
      'drafts every notice that applies renders',
    ]);
    expect(json.result).toBe('pass');
    // 72 hours from Friday 09:00 run through the weekend to Monday 09:00.
    expect(json.deadlines.find((d) => d.id === 'gdpr_authority')?.due).toBe('2026-03-09T09:00:00.000Z');
    // 4 business days from Friday skip Saturday and Sunday: Thursday.
    expect(json.deadlines.find((d) => d.id === 'sec_8k')?.due).toBe('2026-03-12T09:00:00.000Z');
  });

  it('fails a drill that notified the authority after 72 simulated hours: exit 3 naming the deadline', () => {
    const late = onTime.replace('value: 2026-03-09T08:00:00Z', 'value: 2026-03-09T10:30:00Z').replace('after: P2DT22H', 'after: P3DT1H');
    const { text, junit, json } = drill(late);
    expect(text.code).toBe(3);
    expect(text.stderr).toContain(
      'deadline gdpr_authority (Notify the supervisory authority (GDPR Art. 33)) was met 1h 30m late: due 2026-03-09T09:00:00.000Z, met 2026-03-09T10:30:00.000Z',
    );
    const failed = failuresIn(junit);
    expect(failed.map((c) => c.name)).toEqual(['gdpr_authority: Notify the supervisory authority (GDPR Art. 33)']);
    expect(failed[0]?.failure?.message).toContain('1h 30m late');
    expect(json.result).toBe('fail');
    expect(json.failures).toEqual([failed[0]?.failure?.message]);
    expect(json.deadlines.find((d) => d.id === 'gdpr_authority')?.late_by_ms).toBe(90 * 60 * 1000);
  });

  it('fails a deadline that was never met once simulated time ran past it', () => {
    const never = onTime.replace(/  authority_notified_at:.*\n.*\n.*P2DT22H\n/, '').replace('after: P3D', 'after: P6D');
    const { text, json } = drill(never);
    expect(text.code).toBe(3);
    expect(text.stderr).toMatch(/deadline gdpr_authority \(.*\) was never met: due 2026-03-09T09:00:00.000Z, and the drill ran \d+d \d+h past it/);
    expect(json.deadlines.find((d) => d.id === 'gdpr_authority')?.status).toBe('overdue');
  });

  it('counts business days over a weekend and skips the holidays the config lists', () => {
    // Filed at 10:00 on Thursday, an hour after the simulated clock reached it.
    const afterThursday = onTime.replace('value: 2026-03-12T08:00:00Z', 'value: 2026-03-12T10:00:00Z').replace('after: P3D', 'after: P3DT1H');
    const withoutHoliday = drill(afterThursday);
    expect(withoutHoliday.text.code).toBe(3);
    expect(withoutHoliday.text.stderr).toContain('deadline sec_8k (File Form 8-K Item 1.05) was met 1h late: due 2026-03-12T09:00:00.000Z');
    // A holiday on Monday the 9th moves the fourth business day to Friday the 13th.
    const withHoliday = drill(afterThursday, [], 'schema: leakctl/config@1\nholidays: [2026-03-09]\n');
    expect(withHoliday.text.code).toBe(0);
    expect(withHoliday.json.deadlines.find((d) => d.id === 'sec_8k')?.due).toBe('2026-03-13T09:00:00.000Z');
  });

  it('fails a drill that leaves a required step unanswered, and still judges the rest', () => {
    // Without contained (and its two hours), the authority is told at 08:00 once the clock reaches it.
    const missing = onTime.replace('  contained: { value: true, after: PT2H }\n', '').replace('after: P2DT22H', 'after: P3D');
    const { text, junit, json } = drill(missing);
    expect(text.code).toBe(3);
    expect(text.stderr).toContain('required step contained (Is the leak contained?) was not answered');
    expect(failuresIn(junit).map((c) => c.name)).toEqual(['contained: Is the leak contained?']);
    expect(json.steps.find((s) => s.id === 'contained')).toMatchObject({ status: 'missing', passed: false });
    // Steps after the gap were still run and judged.
    expect(json.steps.find((s) => s.id === 'lessons')).toMatchObject({ status: 'answered', passed: true });
  });

  it('marks the incident as a drill: status lists it as one, drafts carry the banner', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakctl-drill-'));
    const r = leakctl(['drill', 'platform-leak', '--answers', join(ROOT, 'playbooks', 'drills', 'platform-leak.yaml'), '--id', 'bundled', '--dir', dir]);
    expect(r.code).toBe(0);
    const status = leakctl(['status', '--dir', dir]);
    expect(status.stdout).toMatch(/^bundled \(drill\)\s+platform-leak/m);
    const draft = readFileSync(join(dir, 'bundled', 'drafts', 'member-notice-platform.txt'), 'utf8');
    expect(draft.split('\n')[0]).toBe('*** DRILL: THIS IS AN EXERCISE. DO NOT SEND THIS NOTICE. ***');
    expect(draft).toMatch(/^Subject: \[DRILL - DO NOT SEND\] /m);
  });

  it('judges a notice left with a hole by a missing answer as a miss (exit 3), and still writes the report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakctl-drill-'));
    const bundled = readFileSync(join(ROOT, 'playbooks', 'drills', 'platform-leak.yaml'), 'utf8');
    // members_affected is required, and the regulator notice prints it.
    // Written beside the bundled drill: its attachment paths are relative to the answers file.
    const answers = join(ROOT, 'playbooks', 'drills', 'missing-members.yaml');
    writeFileSync(answers, bundled.replace(/^  members_affected: .*\n/m, ''));
    try {
      const r = leakctl(['drill', 'platform-leak', '--answers', answers, '--junit', 'junit.xml', '--dir', join(dir, 'incidents')], { cwd: dir });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('required step members_affected');
      expect(r.stderr).toMatch(/a notice could not be rendered: .*\.liquid:\d+:\d+ template [a-z-]+: undefined variable: answers\.members_affected/);
      const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
      expect(junit).toContain('<testcase classname="drafts" name="every notice that applies renders">');
      expect(junit).toMatch(/<failure message="a notice could not be rendered/);
    } finally {
      rmSync(answers);
    }
  });

  it('writes --junit into a directory that does not exist yet, creating it (the README CI example)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakctl-drill-'));
    writeFileSync(join(dir, 'answers.yaml'), onTime);
    const r = leakctl(['drill', playbook, '--answers', 'answers.yaml', '--junit', 'reports/deep/report.xml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'reports', 'deep', 'report.xml'), 'utf8')).toMatch(/^<\?xml version="1.0"/);
  });

  it('refuses --junit naming its answers file, a file inside the incidents, or a directory, before anything runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakctl-drill-'));
    writeFileSync(join(dir, 'answers.yaml'), onTime);
    const first = leakctl(['drill', playbook, '--answers', 'answers.yaml', '--id', 'first'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const log = readFileSync(join(dir, 'incidents', 'first', 'evidence.jsonl'));
    for (const [target, said] of [
      ['answers.yaml', '--junit answers.yaml is ' + join(dir, 'answers.yaml') + ', an input of this command'],
      ['incidents/first/evidence.jsonl', `--junit incidents/first/evidence.jsonl is inside ${join(dir, 'incidents')}, where the incidents are`],
      ['incidents', `--junit incidents is inside ${join(dir, 'incidents')}`],
      ['.', '--junit . is a directory; name a regular file'],
    ] as const) {
      const r = leakctl(['drill', playbook, '--answers', 'answers.yaml', '--id', 'second', '--junit', target], { cwd: dir });
      expect(r.code, `${target}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(said);
      expect(existsSync(join(dir, 'incidents', 'second'))).toBe(false);
    }
    expect(readFileSync(join(dir, 'answers.yaml'), 'utf8')).toBe(onTime);
    expect(readFileSync(join(dir, 'incidents', 'first', 'evidence.jsonl'))).toEqual(log);
  });

  it('refuses --junit naming the playbook found by its id, a template it renders, the config, a device, or a path under a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakctl-drill-'));
    mkdirSync(join(dir, 'mine'));
    mkdirSync(join(dir, 'my-templates'));
    copyFileSync(playbook, join(dir, 'mine', 'drill-72h.yaml'));
    copyFileSync(join(ROOT, 'templates', 'member-notice-platform.liquid'), join(dir, 'my-templates', 'member-notice-platform.liquid'));
    writeFileSync(join(dir, 'answers.yaml'), onTime);
    writeFileSync(join(dir, 'leakctl.config.yaml'), 'schema: leakctl/config@1\n');
    writeFileSync(join(dir, 'a-file'), 'x');
    const byId = ['--playbooks', join(dir, 'mine'), 'drill', 'drill-72h', '--answers', 'answers.yaml'];
    const bundled = ['--templates', join(dir, 'my-templates'), 'drill', 'platform-leak', '--answers', join(ROOT, 'playbooks', 'drills', 'platform-leak.yaml')];
    for (const [args, target, said] of [
      [byId, 'mine/drill-72h.yaml', `is ${join(dir, 'mine', 'drill-72h.yaml')}, an input of this command`],
      [bundled, 'my-templates/member-notice-platform.liquid', `is ${join(dir, 'my-templates', 'member-notice-platform.liquid')}, an input of this command`],
      [byId, 'leakctl.config.yaml', `is ${join(dir, 'leakctl.config.yaml')}, an input of this command`],
      [byId, '/dev/null', '--junit /dev/null is a device file; name a regular file'],
      [byId, 'a-file/report.xml', `--junit a-file/report.xml: ${join(dir, 'a-file')} is a file, not a directory`],
    ] as const) {
      const r = leakctl([...args, '--id', 'refused', '--junit', target], { cwd: dir });
      expect(r.code, `${target}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(said);
      expect(existsSync(join(dir, 'incidents', 'refused'))).toBe(false);
    }
    expect(readFileSync(join(dir, 'my-templates', 'member-notice-platform.liquid'))).toEqual(readFileSync(join(ROOT, 'templates', 'member-notice-platform.liquid')));
  });

  it('refuses --junit naming a file the answers attach or a hard link to the answers, and writes through a symbolic link', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakctl-drill-'));
    cpSync(join(ROOT, 'playbooks', 'drills'), join(dir, 'drills'), { recursive: true });
    const answers = join(dir, 'drills', 'platform-leak.yaml');
    linkSync(answers, join(dir, 'answers-link.yaml'));
    const notes = join(dir, 'drills', 'fixtures', 'reproduction-notes.txt');
    const kept = readFileSync(notes);
    const drill = ['drill', 'platform-leak', '--answers', answers, '--id', 'refused'];
    for (const [target, said] of [
      ['drills/fixtures/reproduction-notes.txt', `is ${notes}, an input of this command`],
      ['answers-link.yaml', `is ${answers}, an input of this command`],
    ] as const) {
      const r = leakctl([...drill, '--junit', target], { cwd: dir });
      expect(r.code, `${target}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(said);
      expect(existsSync(join(dir, 'incidents', 'refused'))).toBe(false);
    }
    expect(readFileSync(notes)).toEqual(kept);
    mkdirSync(join(dir, 'reports'));
    symlinkSync(join(dir, 'reports', 'junit.xml'), join(dir, 'latest.xml'));
    const r = leakctl(['drill', 'platform-leak', '--answers', answers, '--junit', 'latest.xml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, 'latest.xml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'reports', 'junit.xml'), 'utf8')).toMatch(/^<\?xml version="1.0"/);
  });

  it('refuses an invalid answer with exit 2, not a drill failure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakctl-drill-'));
    writeFileSync(join(dir, 'answers.yaml'), onTime.replace('jurisdictions: [eu, us]', 'jurisdictions: [mars]'));
    const text = leakctl(['drill', playbook, '--answers', 'answers.yaml', '--junit', 'junit.xml'], { cwd: dir });
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('answers.yaml:6:18 the answer for step "jurisdictions" is invalid: "mars" not offered; choose from: eu, us');
  });
});
