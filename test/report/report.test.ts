/**
 * `leakctl report` and `leakctl register` (issue 15), as their readers get them: the report's
 * three forms saying the same, a late clock marked LATE and a running one against the line of the
 * report's time, decisions with who, when and why, the custody of a file, sensitive answers left
 * out unless asked for, a log that does not verify refused with nothing written; the register read
 * back by Python's csv module as a spreadsheet import would, drills left out unless asked for.
 * (The HTML in a real browser: test/browser, `npm run test:browser`.)
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/cli.js';

const noPython = spawnSync('python3', ['--version']).error ? 'python3 is not installed (.ci/run installs it)' : null;
const tmp = mkdtempSync(join(tmpdir(), 'leakctl-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PLAYBOOK = `schema: leakctl/playbook@2
id: rep
title: Report test
cause: member
summary: A leak with two clocks.
phases:
  - id: assess
    title: Assess
    steps:
      - { id: aware_at, kind: datetime, prompt: When did you become aware? }
      - { id: what_happened, kind: longtext, prompt: What happened? }
      - { id: people, kind: number, prompt: How many people? }
      - { id: data, kind: multi, prompt: Which data?, choices: [{ value: macro, label: "=cmd|' /C calc'!A0" }, { value: emails, label: Email addresses }] }
      - { id: risk, kind: select, prompt: How risky?, choices: [{ value: high, label: A high risk }, { value: unlikely, label: Unlikely to be a risk }] }
      - { id: leaker_name, kind: text, prompt: Who leaked it?, sensitive: true }
      - { id: contact, kind: text, prompt: Who should the authority call?, sensitive: true }
      - { id: evidence, kind: attachment, prompt: Screenshots?, required: false }
      - { id: leaker_profile, kind: attachment, prompt: The leaker's profile?, sensitive: true, required: false }
  - id: tell
    title: Tell
    steps:
      - { id: authority_at, kind: datetime, prompt: When was the authority told?, duty: true }
      - { id: delay_reason, kind: longtext, prompt: Why late?, required: false }
      - { id: members_at, kind: datetime, prompt: When were the members told?, duty: true }
      - { id: press_line, kind: text, prompt: A line for the press?, required: false }
      - { id: extra_note, kind: text, prompt: Anything else?, required: false }
record:
  discovered: aware_at
  nature: what_happened
  categories: data
  people: people
  contact_point: contact
  reasons: delay_reason
  risk: risk
  authority_told: authority_at
  people_told: members_at
notices:
  - template: rep-record
deadlines:
  - { id: authority, title: Notify the authority, from: aware_at, within: PT72H, met_by: authority_at }
  - { id: members, title: Tell the members, from: aware_at, within: P30D, met_by: members_at }
`;

let made = 0;
/** A real incident: aware on 2 March, the authority told late on 6 March, the members not yet, a step declined, a note. */
async function incident(): Promise<{ dir: string; cwd: string }> {
  const cwd = join(tmp, `case-${++made}`);
  const dir = join(cwd, 'incidents');
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'rep.yaml'), PLAYBOOK);
  writeFileSync(join(cwd, 'shot.png.txt'), 'the leaked screenshot\n');
  writeFileSync(join(cwd, 'mallory-profile.txt'), 'a profile\n');
  writeFileSync(join(cwd, '<img src=x onerror=alert(1)>.txt'), 'a file with a hostile name\n');
  mkdirSync(join(cwd, 'templates'), { recursive: true });
  // A record template that names the sensitive answer: the report shows it as [sensitive].
  writeFileSync(join(cwd, 'templates', 'rep-record.liquid'), '---\nid: rep-record\ntitle: Our record\naudience: the register\nreader: record\nsubject: Record {{ incident.id }}\nformats: [txt]\n---\nOur record\n\nLeaked by {{ answers.leaker_name }}.\n');
  writeFileSync(
    join(cwd, 'answers.yaml'),
    [
      'schema: leakctl/answers@1',
      'responder: Dana Obi',
      'now: 2026-03-06T12:30:00Z',
      'answers:',
      // Typed with an offset: the register gives it in UTC.
      '  aware_at: 2026-03-02T10:00:00+01:00',
      '  what_happened: "A moderator copied the private channel to a public forum. <script>alert(1)</script>"',
      '  people: 1240',
      '  data: [macro, emails]',
      '  risk: high',
      '  leaker_name: Mallory Example',
      '  contact: Mallory Example, +1 555 0100',
      '  evidence: [shot.png.txt]',
      '  leaker_profile: [mallory-profile.txt]',
      '  authority_at: 2026-03-06T12:00:00Z',
      '  delay_reason: The provider sent its logs on 5 March.',
      '  members_at: { defer: the provider has not sent the list of members yet }',
      '  press_line: { decline: counsel advised no press statement }',
      '',
    ].join('\n'),
  );
  const started = await inProcess(['--dir', dir, '--templates', join(cwd, 'templates'), 'start', join(cwd, 'rep.yaml'), '--answers', join(cwd, 'answers.yaml'), '--id', 'r'], { cwd });
  expect(started.code, started.stderr).toBe(0);
  const note = await inProcess(['--dir', dir, '--templates', join(cwd, 'templates'), '--now', '2026-03-06T13:00:00Z', 'note', 'r', '--responder', 'Lee Chen', '--', 'The host took the copy down.'], { cwd });
  expect(note.code, note.stderr).toBe(0);
  const attached = await inProcess(['--dir', dir, '--templates', join(cwd, 'templates'), '--now', '2026-03-06T13:10:00Z', 'attach', 'r', '<img src=x onerror=alert(1)>.txt', '--responder', '<b>Eve</b>'], { cwd });
  expect(attached.code, attached.stderr).toBe(0);
  return { dir, cwd };
}

describe('leakctl report', () => {
  it('HTML: a late clock marked LATE, a running one against the line of the report, decisions with who, when and why, the custody of the screenshot, no sensitive answer', async () => {
    const { dir, cwd } = await incident();
    const r = await inProcess(['--dir', dir, '--templates', join(cwd, 'templates'), '--now', '2026-03-10T09:00:00Z', 'report', 'r'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const html = r.stdout;
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src="http|href="http/i);
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    // Authority: due 5 March 09:00, told 6 March 12:00 — late. Members: 30 days, still running.
    expect(svg).toContain('>LATE</text>');
    expect(svg).toContain('>running</text>');
    expect(svg).toContain('now (report written)');
    expect(html).toMatch(/<td class="late">met LATE by 1d 3h<\/td>/);
    // The declined step with its reason and who; the choice by its label.
    expect(html).toMatch(/declined<\/td><td>Dana Obi<br><span class="when">Fri 6 Mar 2026 12:30 UTC<\/span><\/td><td class="text">counsel advised no press statement/);
    expect(html).toContain('the provider has not sent the list of members yet');
    expect(html).toContain('The host took the copy down.');
    expect(html).toContain('A high risk');
    expect(html).toContain('Email addresses');
    // Custody of the file attached at a step: its name, hash and size.
    expect(html).toMatch(/shot\.png\.txt<\/td><td><span class="when">not stated<\/span><\/td><td><code>attachments\/[0-9a-f]{12}-shot\.png\.txt<\/code><\/td><td class="hash">[0-9a-f]{64}<\/td><td class="when">22 bytes/);
    expect(html).toContain('1,240');
    // What was typed as markup is shown as text: an answer, a file name, a responder's name.
    expect(html).not.toMatch(/<script>|<img|<b>Eve/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.txt');
    expect(html).toContain('&lt;b&gt;Eve&lt;/b&gt;');
    // No sensitive answer by any path: the timeline, the Art. 33(3) table, the record drawn from a
    // template that names it, the custody of a file answering a sensitive step.
    expect(html).not.toMatch(/Mallory|mallory/);
    expect(html).toContain('leaker_name = [sensitive]');
    expect(html).toContain('Leaked by [sensitive].');
    expect(html).toMatch(/\(b\): the contact point where more can be learned<\/th><td class="text">\[sensitive\]/);
    expect(html).toMatch(/<tr><td>\[sensitive\]<\/td><td><span class="when">not stated<\/span><\/td><td><code>\[sensitive\]<\/code><\/td><td class="hash">[0-9a-f]{64}/);
    const full = await inProcess(['--dir', dir, '--templates', join(cwd, 'templates'), '--now', '2026-03-10T09:00:00Z', 'report', 'r', '--include-sensitive'], { cwd });
    expect(full.stdout).toContain('leaker_name = Mallory Example');
    expect(full.stdout).toContain('Leaked by Mallory Example.');
    expect(full.stdout).toContain('mallory-profile.txt');
    expect(full.stdout).toContain('Includes the answers to steps marked sensitive');
  });

  it('Markdown and JSON say what the HTML says: the same clocks, decisions, facts and custody; JSON has one timeline row per entry', async () => {
    const { dir, cwd } = await incident();
    const form = async (format: string): Promise<string> => {
      const r = await inProcess(['--dir', dir, '--templates', join(cwd, 'templates'), '--now', '2026-03-10T09:00:00Z', 'report', 'r', '--format', format], { cwd });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    const [html, md, json] = [await form('html'), await form('md'), await form('json')];
    const report = JSON.parse(json) as Record<string, any>;
    expect(md).toMatch(/^# Incident report: r\n/);
    expect(md).toContain('| Notify the authority | Mon 2 Mar 2026 09:00 UTC | Thu 5 Mar 2026 09:00 UTC | Fri 6 Mar 2026 12:00 UTC | met LATE by 1d 3h |');
    // Each clock's standing, each decision, each custody hash: in all three.
    for (const c of report.clocks as { title: string; status: string }[]) {
      expect(c.status === 'met_late' || c.status === 'running').toBe(true);
      expect(md).toContain(`| ${c.title} |`);
      expect(html).toContain(`<td>${c.title}</td>`);
    }
    const decisions = report.decisions as { step: string; answer: string; reason: string | null; by: string | null; at: string | null }[];
    const mdDecisions = md.slice(md.indexOf('## Decisions'), md.indexOf('## What the authority')).split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Question') && !l.startsWith('| ---'));
    const htmlDecisions = html.slice(html.indexOf('id="decisions"'), html.indexOf('id="art33"')).match(/<tr><td>/g) ?? [];
    expect(mdDecisions).toHaveLength(decisions.length);
    expect(htmlDecisions).toHaveLength(decisions.length);
    expect(decisions.find((d) => d.step === 'press_line')).toMatchObject({ answer: 'declined', reason: 'counsel advised no press statement' });
    // A step left unanswered is skipped by whoever ran the answers file, at the time it did.
    expect(decisions.find((d) => d.step === 'extra_note')).toMatchObject({ kind: 'skipped', by: 'Dana Obi', at: '2026-03-06T12:30:00.000Z' });
    for (const c of report.custody as { sha256: string }[]) {
      expect(md).toContain(c.sha256);
      expect(html).toContain(c.sha256);
    }
    expect(report.facts.people.answers[0]).toMatchObject({ step: 'people', text: '1,240', by: 'Dana Obi' });
    // A label that is markup in Markdown stays text; so does an answer written as HTML.
    expect(md).toContain("\\=cmd\\|' /C calc'!A0");
    expect(md).toContain('&lt;script>alert(1)&lt;/script>');
    const entries = readFileSync(join(dir, 'r', 'evidence.jsonl'), 'utf8').trim().split('\n').length;
    expect(report.timeline).toHaveLength(entries);
    expect(report.verification).toMatchObject({ ok: true, entries, attachments: 3 });
    for (const text of [md, json]) expect(text).not.toMatch(/Mallory|mallory/);
  });

  it('written to a file with -o (0600); refused inside the incidents directory; a changed attachment is reported (exit 3); a log that does not verify gives exit 3 and no file', async () => {
    const { dir, cwd } = await incident();
    const ok = await inProcess(['--dir', dir, '--templates', join(cwd, 'templates'), 'report', 'r', '-o', 'out/report.html'], { cwd });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain(`Wrote the report of incident r to ${join(cwd, 'out', 'report.html')}`);
    expect(readFileSync(join(cwd, 'out', 'report.html'), 'utf8')).toMatch(/<\/html>\n$/);
    const inside = await inProcess(['--dir', dir, '--templates', join(cwd, 'templates'), 'report', 'r', '-o', join(dir, 'r', 'report.html')], { cwd });
    expect(inside.code).toBe(2);
    expect(inside.stderr).toContain('where the incidents are');
    // The file answering a sensitive step changed: the report is written and says so (exit 3),
    // without naming the file.
    const profile = readdirSync(join(dir, 'r', 'attachments')).find((name) => name.endsWith('mallory-profile.txt'))!;
    chmodSync(join(dir, 'r', 'attachments', profile), 0o600);
    writeFileSync(join(dir, 'r', 'attachments', profile), 'changed\n');
    const changed = await inProcess(['--dir', dir, '--templates', join(cwd, 'templates'), 'report', 'r', '-o', 'changed.html'], { cwd });
    expect(changed.code).toBe(3);
    expect(changed.stderr).toContain('its evidence log does NOT verify');
    const said = readFileSync(join(cwd, 'changed.html'), 'utf8');
    expect(said).toContain('The evidence log does NOT verify: line');
    expect(said).toContain('attachment [sensitive] has changed');
    expect(said).not.toMatch(/mallory/i);
    expect(statSync(join(cwd, 'changed.html')).mode & 0o777).toBe(0o600);
    const log = join(dir, 'r', 'evidence.jsonl');
    writeFileSync(log, readFileSync(log, 'utf8').replace('public forum', 'private forum'));
    const tampered = await inProcess(['--dir', dir, '--templates', join(cwd, 'templates'), 'report', 'r', '-o', 'tampered.html'], { cwd });
    expect(tampered.code).toBe(3);
    expect(tampered.stderr).toContain('leakctl verify r');
    expect(existsSync(join(cwd, 'tampered.html'))).toBe(false);
  });
});

describe('leakctl register', () => {
  it.skipIf(noPython !== null)(`CSV read back by Python's csv module: one row per real incident, told or not and when, formula cells inert, drills only with --drills${noPython ? ` (skipped: ${noPython})` : ''}`, async () => {
    const { dir, cwd } = await incident();
    const drill = await inProcess(['--dir', dir, '--templates', join(cwd, 'templates'), 'start', join(cwd, 'rep.yaml'), '--answers', join(cwd, 'answers.yaml'), '--id', 'practice', '--drill'], { cwd });
    expect(drill.code, drill.stderr).toBe(0);
    const read = (text: string): string[][] => {
      const file = join(cwd, 'register.csv');
      writeFileSync(file, text);
      const py = spawnSync('python3', ['-c', 'import csv, json, sys\nprint(json.dumps(list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8"), strict=True))))', file], { encoding: 'utf8', timeout: 30_000 });
      expect(py.status, py.stderr).toBe(0);
      return JSON.parse(py.stdout) as string[][];
    };
    const r = await inProcess(['--dir', dir, '--templates', join(cwd, 'templates'), 'register'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('1 drill was left out (--drills adds them)');
    const [header, ...rows] = read(r.stdout);
    expect(rows).toHaveLength(1);
    const row = Object.fromEntries(header!.map((h, i) => [h, rows[0]![i]]));
    expect(row).toMatchObject({
      incident: 'r',
      drill: 'no',
      cause: 'member',
      discovered: '2026-03-02T09:00:00.000Z',
      nature: 'A moderator copied the private channel to a public forum. <script>alert(1)</script>',
      people: '1240',
      risk: 'A high risk',
      authority_told: 'yes',
      authority_told_at: '2026-03-06T12:00:00.000Z',
      people_told: 'no',
      people_told_at: '',
      // The delay's reason though the authority was told (late), and why the members are not yet.
      reasons: 'The provider sent its logs on 5 March.; members_at not yet: the provider has not sent the list of members yet',
      status: 'in progress',
    });
    // A cell a spreadsheet would run as a formula starts with a '.
    expect(row.categories).toBe("'=cmd|' /C calc'!A0; Email addresses");
    const all = read((await inProcess(['--dir', dir, '--templates', join(cwd, 'templates'), 'register', '--drills'], { cwd })).stdout);
    expect(all.slice(1).map((row) => [row[0], row[1]])).toEqual([
      ['practice', 'yes'],
      ['r', 'no'],
    ]);
  });

  it('JSON with typed values; a log that does not verify is a row that says so, and exit 3', async () => {
    const { dir, cwd } = await incident();
    const r = await inProcess(['--dir', dir, '--templates', join(cwd, 'templates'), 'register', '--format', 'json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const register = JSON.parse(r.stdout) as { incidents: Record<string, unknown>[]; drills_included: boolean };
    expect(register.drills_included).toBe(false);
    expect(register.incidents[0]).toMatchObject({ incident: 'r', drill: false, people: 1240, authority_told: true, people_told: false });
    const log = join(dir, 'r', 'evidence.jsonl');
    writeFileSync(log, readFileSync(log, 'utf8').replace('public forum', 'private forum'));
    const tampered = await inProcess(['--dir', dir, '--templates', join(cwd, 'templates'), 'register', '--format', 'json'], { cwd });
    expect(tampered.code).toBe(3);
    expect((JSON.parse(tampered.stdout) as { incidents: { incident: string; problem: string }[] }).incidents[0]!.problem).toMatch(/does not verify|line \d+/);
  });
});
