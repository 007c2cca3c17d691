/**
 * The regime pack (issue 14): one validated file per regime, listed by `leakctl regimes` with its
 * citation and confidence; a playbook's `regimes:` block offers the pack's places, counts their
 * residents, runs their clocks (thresholds, unconfirmed ones with a warning) and renders a
 * place's own notice; a regime file added in the config's directory is one more place and clock.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/exec.js';

const tmp = mkdtempSync(join(tmpdir(), 'leakctl-regimes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const bundled = readdirSync(join(ROOT, 'regimes')).filter((f) => f.endsWith('.yaml'));

function write(name: string, text: string): string {
  const path = join(tmp, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const PLAYBOOK = `schema: leakctl/playbook@2
id: places
title: Places
cause: other
summary: Where the people live decides the clocks.
phases:
  - id: first
    title: First
    steps:
      - { id: aware_at, kind: datetime, prompt: When did you become aware? }
      - id: where
        kind: multi
        prompt: Where do they live?
        choices:
          - { value: eu, label: EU }
          - { value: other, label: Elsewhere }
      - { id: covered, kind: confirm, prompt: Covered data?, required: false }
  - id: legal
    title: Legal
    steps:
      - { id: told_at, kind: datetime, duty: true, prompt: When were the people told? }
regimes:
  places: where
  aware: aware_at
  told: told_at
  phase: legal
  when: { US: { not: { step: covered, equals: false } } }
notices:
  - template: status-update
`;

async function drill(answers: string, config?: string) {
  const dir = mkdtempSync(join(tmp, 'incidents-'));
  const playbook = write('places.yaml', PLAYBOOK);
  const file = write(`answers-${Math.random().toString(36).slice(2)}.yaml`, `schema: leakctl/answers@1\nresponder: tester\nnow: 2026-03-02T10:00:00Z\nanswers:\n${answers}`);
  const run = await inProcess(['--dir', dir, ...(config ? ['--config', config] : []), 'drill', playbook, '--answers', file, '--id', 'x']);
  const status = await inProcess(['--dir', dir, ...(config ? ['--config', config] : []), '--now', '2026-03-03T10:00:00Z', 'status', 'x', '--json']);
  const text = await inProcess(['--dir', dir, ...(config ? ['--config', config] : []), '--now', '2026-03-03T10:00:00Z', 'status', 'x']);
  const clocks = (JSON.parse(status.stdout) as { deadlines: { id: string; status: string; due: string | null; confidence: string; caution?: string; source?: string }[] }).deadlines;
  return { run, clocks, text: text.stdout, dir };
}

describe('the bundled regime pack', () => {
  it('validates every file, and lists each regime with its citation, review date and confidence', async () => {
    expect(bundled.length).toBeGreaterThanOrEqual(30);
    const check = await inProcess(['validate', ...bundled.map((f) => join(ROOT, 'regimes', f))]);
    expect(check.code, check.stderr).toBe(0);
    const list = await inProcess(['regimes', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const regimes = (JSON.parse(list.stdout) as { regimes: { id: string; citation: string; reviewed: string; confidence: string; clocks: { confidence: string }[] }[] }).regimes;
    expect(regimes.map((r) => `${r.id}.yaml`).sort()).toEqual(bundled.sort());
    for (const r of regimes) {
      expect(r.citation.length, r.id).toBeGreaterThan(3);
      expect(r.reviewed, r.id).toMatch(/^\d{4}-\d\d-\d\d$/);
      expect(['confirmed', 'partial', 'unconfirmed'], r.id).toContain(r.confidence);
    }
    // The US states of the legal review, each a place with the deadlines the review found.
    const texas = regimes.find((r) => r.id === 'us_tx_521_053') as unknown as { clocks: { id: string; within: string; threshold?: { gte: number } }[] };
    expect(texas.clocks.map((c) => [c.id, c.within, c.threshold?.gte])).toEqual([['residents', 'P60D', undefined], ['attorney_general', 'P30D', 250]]);
  });

  it('flags unconfirmed regimes and clocks on their lines, and a proposal as not law', async () => {
    const r = await inProcess(['regimes', 'jp_appi_art26', 'us_me', 'eu_digital_omnibus_gdpr', 'US-TX']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('jp_appi_art26'))).toContain('⚠ UNCONFIRMED');
    expect(lines.find((l) => l.includes('Notify Maine residents'))).toMatch(/30 days from awareness ⚠ UNCONFIRMED: .*secondary sources/);
    expect(lines.find((l) => l.startsWith('eu_digital_omnibus_gdpr'))).toContain('PROPOSED, NOT LAW');
    expect(lines.find((l) => l.includes('Notify the Texas Attorney General'))).toBe('  Notify the Texas Attorney General (250 or more residents): 30 days from awareness');
    expect(lines.some((l) => l.includes('Tex. Bus. & Com. Code 521.053'))).toBe(true);
    const unknown = await inProcess(['regimes', 'us_zz']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no regime "us_zz" in the regime pack');
  });

  it('refuses a regime file at its line: a proposal with a clock, a clock named twice, a threshold without a place', async () => {
    const path = write(
      'regimes-bad/bad_one.yaml',
      `schema: leakctl/regime@1
id: bad_one
name: Bad
jurisdiction: XX
status: proposed
confidence: partial
reviewed: 2026-12-03
citation: Nothing
trigger: Nothing
clocks:
  - { id: a, title: A, notify: authority, within: P3D, from: aware, threshold: { gt: 5 } }
  - { id: a, title: B, notify: authority, within: P3D, from: other }
sources: [none]
`,
    );
    const r = await inProcess(['validate', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}:11:3 a proposed regime is not law and starts no clock`);
    expect(r.stderr).toMatch(/:12:\d+ clock "a" is named twice/);
    expect(r.stderr).toMatch(/:12:\d+ a clock from "other" says what starts it/);
    expect(r.stderr).toMatch(/:11:\d+ a threshold counts the residents of the regime's place/);
  });
});

describe('a regime file that would break a run is refused at its line', () => {
  it('an unknown time zone and a calendar on a clock counted in days; an empty pack is said as such', async () => {
    const path = write(
      'regimes-zone/zone_bad.yaml',
      `schema: leakctl/regime@1
id: zone_bad
name: Bad zone
jurisdiction: US-ZZ
place: { id: us_zz, label: "United States: Zed", name: Zed, people: Zed residents }
confidence: confirmed
reviewed: 2026-12-03
citation: Zed Code 1
trigger: a breach
clocks:
  - { id: residents, title: Notify Zed residents, notify: residents, within: P30D, from: aware, time_zone: Mars/Olympus, calendar: us-federal }
sources: [test]
`,
    );
    const r = await inProcess(['validate', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/zone_bad\.yaml:11:\d+ unknown time zone "Mars\/Olympus"; use an IANA name/);
    expect(r.stderr).toMatch(/zone_bad\.yaml:11:\d+ "calendar" names the holidays a business-day clock skips/);
    // A pack with no regime at all (a broken install) is said as such, not blamed on a playbook.
    const { loadRegimePack } = await import('../../src/regimes/pack.js');
    mkdirSync(join(tmp, 'regimes-empty'), { recursive: true });
    expect(() => loadRegimePack([join(tmp, 'regimes-empty')])).toThrow(/the regime pack is empty: no regime files \(\.yaml\) in .*regimes-empty; reinstall leakctl/);
  });
});

describe('a playbook with a regimes block', () => {
  it('offers each place, asks its residents after the question, and runs its clocks from awareness', async () => {
    const show = await inProcess(['show', write('places.yaml', PLAYBOOK)]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/where · multi: eu, au, br, ca, .*us_ca, .*us_tx, .*us_wa, other/);
    expect(show.stdout.indexOf('us_tx_residents')).toBeGreaterThan(show.stdout.indexOf('where · multi'));
    expect(show.stdout.indexOf('us_tx_residents')).toBeLessThan(show.stdout.indexOf('covered'));

    const { run, clocks, text } = await drill('  aware_at: 2026-03-02T08:30:00Z\n  where: [us_tx, us_wa, us_me]\n  us_tx_residents: 90\n');
    expect(run.code, run.stderr).toBe(3);
    const byId = new Map(clocks.map((c) => [c.id, c]));
    // Texas residents: 60 calendar days in Texas's zone (02:30 CST then, 02:30 CDT on the day);
    // the Attorney General only from 250 residents (90 given).
    expect(byId.get('us_tx_residents')?.due).toBe('2026-05-01T07:30:00.000Z');
    expect(byId.has('us_tx_attorney_general')).toBe(false);
    const more = await drill('  aware_at: 2026-03-02T08:30:00Z\n  where: [us_tx]\n  us_tx_residents: 250\n');
    expect(more.clocks.find((c) => c.id === 'us_tx_attorney_general')).toMatchObject({ status: 'running', due: '2026-04-01T07:30:00.000Z' });
    // Washington: 30 days, in Washington's zone; its Attorney General over 500, and no count given: due until it is.
    expect(byId.get('us_wa_residents')?.due).toBe('2026-04-01T07:30:00.000Z');
    expect(byId.get('us_wa_attorney_general')?.status).toBe('running');
    // Maine's 30 days are unconfirmed: the clock runs with a warning, in JSON and on screen.
    expect(byId.get('us_me_residents')).toMatchObject({ status: 'running', confidence: 'unconfirmed' });
    expect(text).toMatch(/Notify Maine residents: .* ⚠ UNCONFIRMED: the 30-day wording was found in secondary sources only; check with counsel/);
    expect(byId.get('us_tx_residents')?.source).toContain('521.053');
  });

  it("turns a country's clocks off once its condition rules them out, and leaves other countries' running", async () => {
    const { clocks, text } = await drill('  aware_at: 2026-03-02T08:30:00Z\n  where: [us_tx, br, in]\n  covered: false\n');
    const ids = clocks.filter((c) => c.status !== 'not_applicable').map((c) => c.id);
    expect(ids.filter((id) => id.startsWith('us_'))).toEqual([]);
    // Brazil: 3 working days (Monday 2 March 08:30 UTC → Thursday 5 March), with what to check.
    expect(clocks.find((c) => c.id === 'br_anpd')).toMatchObject({ due: '2026-03-05T08:30:00.000Z', caution: expect.stringContaining('no holiday calendar for Brazil') });
    expect(text).toMatch(/Notify the ANPD and data subjects: .*\(check: working days: no holiday calendar for Brazil/);
    // India: CERT-In's 6 hours run; the DPDP Rules, not yet in force, start no clock.
    expect(ids).toContain('in_cert_in');
    expect(ids.filter((id) => id.startsWith('in_board'))).toEqual([]);
  });

  it("renders a place's own notice for its residents (Massachusetts: no description of the breach, no number)", async () => {
    const dir = mkdtempSync(join(tmp, 'ma-'));
    const r = await inProcess(['--dir', dir, 'drill', 'platform-leak', '--answers', join(ROOT, 'playbooks', 'drills', 'platform-leak.yaml'), '--id', 'ma']);
    expect(r.code, r.stderr).toBe(0);
    const ma = readFileSync(join(dir, 'ma', 'drafts', 'member-notice-massachusetts.txt'), 'utf8');
    const general = readFileSync(join(dir, 'ma', 'drafts', 'member-notice-platform.txt'), 'utf8');
    const answers = readFileSync(join(ROOT, 'playbooks', 'drills', 'platform-leak.yaml'), 'utf8');
    const whatHappened = /members_what_happened: >-\n((?: {4}.*\n)+)/.exec(answers)![1]!.replace(/\s+/g, ' ').trim();
    expect(general.replace(/\s+/g, ' ')).toContain(whatHappened.slice(0, 60));
    expect(ma.replace(/\s+/g, ' ')).not.toContain(whatHappened.slice(0, 60));
    expect(ma).not.toMatch(/What Happened|\b12\b|residents affected|\d+ (members|people)/);
    expect(ma).toContain('police report');
    expect(ma).toMatch(/security freeze[\s\S]*free/);
  });

  it('takes a regime added in the config directory as one more place and clock, with no change to the playbook', async () => {
    write(
      'own-regimes/xx_test_law.yaml',
      `schema: leakctl/regime@1
id: xx_test_law
name: Testland breach law
jurisdiction: US-XX
place: { id: us_xx, label: "United States: Testland", name: Testland, people: Testland residents }
confidence: confirmed
reviewed: 2026-12-03
citation: Testland Code 1
trigger: a breach
clocks:
  - { id: commissioner, title: Notify the Testland Commissioner, notify: authority, authority: Testland Commissioner, within: P5D, from: aware, threshold: { gte: 10 } }
sources: [test]
`,
    );
    const config = write('own-regimes.config.yaml', 'schema: leakctl/config@1\nregimes: [own-regimes]\n');
    const { run, clocks, dir } = await drill('  aware_at: 2026-03-02T08:30:00Z\n  where: [us_xx]\n  us_xx_residents: 12\n', config);
    expect(run.stdout + run.stderr).toMatch(/required step us_xx_commissioner_at \(When did you notify the Testland Commissioner\?\) was not answered/);
    expect(clocks.find((c) => c.id === 'us_xx_commissioner')).toMatchObject({ status: 'running', due: '2026-03-07T08:30:00.000Z' });
    // Opened without that directory (another config, an upgrade): the pack has changed, and says so.
    const later = await inProcess(['--dir', dir, '--now', '2026-03-03T10:00:00Z', 'status', 'x']);
    expect(later.stderr).toMatch(/warning: the regime pack has changed since incident x was opened \(sha256 [0-9a-f]{12}… then, [0-9a-f]{12}… now\)/);
    expect(later.stdout).not.toContain('Testland');
  });

  it("refuses a block pointing into a module and a deadline id the pack would add; lets the playbook's conditions name the steps the pack adds", async () => {
    const moduled = write(
      'moduled.yaml',
      PLAYBOOK.replace('regimes:\n  places: where', 'modules:\n  - id: extra\n    title: Extra\n    when: { step: covered, equals: true }\n    phases:\n      - id: extra_phase\n        title: Extra\n        steps:\n          - id: extra_where\n            kind: multi\n            prompt: Where?\n            choices: [{ value: eu, label: EU }]\nregimes:\n  places: extra_where').replace('  phase: legal', '  phase: extra_phase'),
    );
    const m = await inProcess(['validate', moduled]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('regimes.places names step "extra_where" of a module; name a step of the playbook\'s own phases');
    expect(m.stderr).toContain('regimes.phase names unknown phase "extra_phase" (a phase of the playbook\'s own, not of a module)');
    const clash = write('clash.yaml', `${PLAYBOOK}deadlines:\n  - { id: us_tx_residents, title: Ours, from: aware_at, within: P5D, met_by: told_at }\n`);
    const c = await inProcess(['validate', clash]);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('deadline id "us_tx_residents" is one the regime pack adds for us_tx; rename the playbook\'s deadline');
    const naming = write('naming.yaml', PLAYBOOK.replace('notices:\n  - template: status-update\n', 'notices:\n  - template: status-update\n    when: { all: [{ step: us_tx_residents, gte: 1000 }, { step: us_tx_attorney_general_at, answered: true }] }\n'));
    const n = await inProcess(['validate', naming]);
    expect(n.code, n.stderr).toBe(0);
    // includes_prefix: any US place of the pack; a prefix no choice starts with is refused.
    const prefix = (p: string) => write(`prefix-${p}.yaml`, PLAYBOOK.replace('notices:\n  - template: status-update\n', `notices:\n  - template: status-update\n    when: { step: where, includes_prefix: ${p} }\n`));
    expect((await inProcess(['validate', prefix('us_')])).code).toBe(0);
    const typo = await inProcess(['validate', prefix('us-')]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('no choice of step "where" starts with "us-"; its choices are: eu, other, au,');
  });

  it('regimes finds regimes by country, jurisdiction or place', async () => {
    const byCountry = await inProcess(['regimes', 'CA', '--json']);
    expect((JSON.parse(byCountry.stdout) as { regimes: { id: string }[] }).regimes.map((r) => r.id)).toEqual(['ca_ab_pipa', 'ca_pipeda', 'ca_qc_law25']);
    const eu = await inProcess(['regimes', 'EU', '--json']);
    expect((JSON.parse(eu.stdout) as { regimes: { id: string }[] }).regimes.map((r) => r.id)).toContain('eu_gdpr_art33');
  });

  it('refuses a deadline naming an unknown regime or clock, and a regimes block in @1, at their lines', async () => {
    const path = write(
      'refs.yaml',
      `${PLAYBOOK}deadlines:
  - { id: a, title: A, from: aware_at, met_by: told_at, regime: nowhere, clock: x }
  - { id: b, title: B, from: aware_at, met_by: told_at, regime: us_tx_521_053, clock: governor }
`,
    );
    const r = await inProcess(['validate', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/:\d+:\d+ unknown regime "nowhere"; `leakctl regimes` lists the regime pack/);
    expect(r.stderr).toContain('regime us_tx_521_053 has no clock "governor"; its clocks: residents, attorney_general');
    const old = write('old.yaml', PLAYBOOK.replace('playbook@2', 'playbook@1').replace('duty: true, ', ''));
    const o = await inProcess(['validate', old]);
    expect(o.code).toBe(2);
    expect(o.stderr).toContain('"regimes" is a leakctl/playbook@2 field');
  });
});
