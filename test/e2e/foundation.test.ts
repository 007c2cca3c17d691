import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leakctl, ROOT } from '../helpers/exec.js';

const broken = join(ROOT, 'test', 'playbook', 'fixtures', 'broken');
const fixtureTemplates = join(ROOT, 'test', 'fixtures', 'templates');
const valid = join(ROOT, 'test', 'playbook', 'fixtures', 'valid.yaml');

describe('leakctl --help and --version', () => {
  it('prints the version from package.json', async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;
    const r = leakctl(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('lists every command of the contract', () => {
    const r = leakctl(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['start', 'resume', 'status', 'log', 'verify', 'note', 'attach', 'amend', 'next', 'do', 'defer', 'decline', 'render', 'close', 'drill', 'list', 'show', 'validate', 'schema', 'completion']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
  });

  // Guard: into a pipe, descriptions ran past 100 columns, and a terminal broke them mid-word.
  it('wraps help at word boundaries to 80 columns when it is not a terminal', () => {
    for (const args of [['--help'], ['defer', '--help']]) {
      const r = leakctl(args);
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines.filter((l) => l.length > 80), args.join(' ')).toEqual([]);
    }
    expect(leakctl(['--help']).stdout).toMatch(/^ {2}--playbooks <dir> +extra playbook directory, searched\n {20,}before the bundled one \(repeatable\)$/m);
  });

  it('shows the global options in a command\'s help', () => {
    const r = leakctl(['show', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--playbooks <dir>');
    expect(r.stdout).toContain('--now <iso>');
  });

  it('refuses an unknown command or option with exit 2', () => {
    expect(leakctl(['explode']).code).toBe(2);
    const r = leakctl(['list', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--frobnicate'");
  });

  it('says which command is unknown, and `help COMMAND` shows its help', () => {
    const r = leakctl(['bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'bogus'");
    const help = leakctl(['help', 'status']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: leakctl status');
  });

  it('refuses a --now on a day that does not exist, rather than rolling it over', () => {
    const r = leakctl(['list', '--now', '2026-02-31T09:00:00Z']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--now "2026-02-31T09:00:00Z" is not an RFC 3339 timestamp');
  });

  it('refuses a --now that is not RFC 3339 with exit 2', () => {
    const r = leakctl(['list', '--now', 'yesterday']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--now "yesterday" is not an RFC 3339 timestamp');
  });
});

describe('leakctl validate', () => {
  it('says OK, one line per valid file, exit 0', () => {
    const r = leakctl(['--templates', fixtureTemplates, 'validate', valid]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([`OK  ${valid}  (playbook valid)`]);
  });

  it('reports every problem of every file as FILE:LINE:COL, exit 2, no stack trace', () => {
    const files = ['deadlines.yaml', 'duplicate-key.yaml'].map((f) => join(broken, f));
    const r = leakctl(['--templates', fixtureTemplates, 'validate', ...files]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toContain(`${files[0]}:20:13 "within" "72 hours" is not an ISO 8601 duration; write e.g. PT72H (72 hours), P30D (30 days) or { business_days: 4 }`);
    expect(lines).toContain(`${files[1]}:13:9 duplicate key "kind" (first at line 11); keep one`);
    expect(lines.filter((l) => l.startsWith(files[0] ?? '')).length).toBe(5);
    expect(lines.at(-1)).toBe('2 of 2 file(s) invalid');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('tells the file kinds apart by their schema: tag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakctl-validate-'));
    writeFileSync(join(dir, 'answers.yaml'), 'schema: leakctl/answers@1\nanswers:\n  a: true\n  b: { value: 2026-03-02T09:00:00Z, after: PT2H }\n');
    writeFileSync(join(dir, 'config.yaml'), 'schema: leakctl/config@1\norg:\n  name: Example Co\n  contact_email: privacy@example.org\ntimezone: Europe/Berlin\n');
    writeFileSync(join(dir, 'mystery.yaml'), 'schema: leakctl/unknown@9\n');
    writeFileSync(join(dir, 'bad-answers.yaml'), 'schema: leakctl/answers@1\nnow: tomorrow\nanswers:\n  a: { value: 1, after: 3 days }\n');
    writeFileSync(join(dir, 'bad-config.yaml'), 'schema: leakctl/config@1\ntimezone: Mars/Olympus\norg:\n  contact_email: not-an-address\n');
    const r = leakctl(['validate', 'answers.yaml', 'config.yaml', 'mystery.yaml', 'bad-answers.yaml', 'bad-config.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('OK  answers.yaml  (answers)');
    expect(r.stdout).toContain('OK  config.yaml  (config)');
    expect(r.stderr).toContain('mystery.yaml:1:9 unknown schema tag "leakctl/unknown@9"; expected one of leakctl/playbook@1, leakctl/playbook@2, leakctl/answers@1, leakctl/config@1, leakctl/calendar@1');
    expect(r.stderr).toContain('bad-answers.yaml:2:6 "now" "tomorrow" is not a valid date-time');
    expect(r.stderr).toContain('bad-answers.yaml:4:25 "after" "3 days" is not an ISO 8601 duration; write e.g. PT70H or P2D');
    expect(r.stderr).toContain('bad-config.yaml:2:11 unknown time zone "Mars/Olympus"; use an IANA name such as Europe/Berlin or UTC');
    expect(r.stderr).toContain('bad-config.yaml:4:18 "contact_email" "not-an-address" is not a valid email');
  });

  it('checks a template\'s front matter and its Liquid syntax, at the line in the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakctl-validate-'));
    writeFileSync(join(dir, 'good.liquid'), '---\nid: good\ntitle: Good\naudience: members\nsubject: Hello\n---\nHi {{ org.name }}\n');
    writeFileSync(join(dir, 'unclosed.liquid'), '---\nid: unclosed\ntitle: T\naudience: members\nsubject: S\n---\nline 7\n{% if answers.x %}\nnever closed\n');
    writeFileSync(join(dir, 'nofront.liquid'), 'Hello\n');
    writeFileSync(join(dir, 'badfront.liquid'), '---\nid: other\ntitle: T\nsubject: S\nformats: [pdf]\n---\nx\n');
    const r = leakctl(['validate', 'good.liquid', 'unclosed.liquid', 'nofront.liquid', 'badfront.liquid'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('OK  good.liquid  (template good)');
    expect(r.stderr).toContain('unclosed.liquid:8:1 template unclosed: tag {% if answers.x %} not closed');
    expect(r.stderr).not.toMatch(/line:\d+, col:/);
    expect(r.stderr).toContain('nofront.liquid:1:1 missing front matter');
    expect(r.stderr).toContain('badfront.liquid:2:1 missing required field "audience"');
    expect(r.stderr).toContain('badfront.liquid:5:11 item 1 of "formats" is "pdf"; expected one of: txt, md, eml');
    expect(r.stderr).toContain('badfront.liquid:2:5 id "other" does not match the file name badfront.liquid');
  });

  it('checks the subject too, and filters with the renderer\'s engine, reporting both at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakctl-validate-'));
    writeFileSync(join(dir, 'bad.liquid'), '---\nid: bad\ntitle: Bad\naudience: members\nsubject: "About {{ org.community | upcase "\n---\nHi {{ org.name | humanlist }}\n');
    const r = leakctl(['validate', 'bad.liquid'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'bad.liquid:5:17 template bad: output "{{ org.community | upcase " not closed',
      'bad.liquid:7:4 template bad: undefined filter: humanlist',
      '1 of 1 file(s) invalid',
    ]);
  });

  it('names a file that does not exist', () => {
    const r = leakctl(['validate', 'nowhere.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nowhere.yaml: no such file');
  });
});

describe('leakctl list and show with user directories', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leakctl-list-'));
  mkdirSync(join(dir, 'pb'));
  mkdirSync(join(dir, 'tpl'));
  writeFileSync(join(dir, 'pb', 'valid.yaml'), readFileSync(valid, 'utf8'));
  writeFileSync(join(dir, 'tpl', 'member-notice.liquid'), '---\nid: member-notice\ntitle: Custom member notice\naudience: members\nsubject: S\n---\nx\n');

  it('list --json gives playbooks and templates with the user directory in front', () => {
    const r = leakctl(['list', '--json', '--playbooks', 'pb', '--templates', 'tpl'], { cwd: dir });
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as { playbooks: { id: string; title: string; cause: string; file: string }[]; templates: { id: string; title: string; file: string }[] };
    expect(listed.playbooks[0]).toEqual({ id: 'valid', title: 'Platform-caused leak', cause: 'platform', file: join(dir, 'pb', 'valid.yaml') });
    const memberNotice = listed.templates.find((t) => t.id === 'member-notice');
    expect(memberNotice?.title).toBe('Custom member notice');
    expect(memberNotice?.file).toBe(join(dir, 'tpl', 'member-notice.liquid'));
  });

  it('show prints the outline with conditions and deadlines in words', () => {
    const r = leakctl(['show', 'valid', '--playbooks', 'pb', '--templates', 'tpl'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Phase 1/1: Confirm and contain');
    expect(r.stdout).toContain('      only when exposed_data includes "payment"');
    expect(r.stdout).toContain('      72 hours from discovered_at; met by authority_notified_at');
    expect(r.stdout).toContain('      4 business days from the incident opening; met by authority_notified_at');
    expect(r.stdout).toContain('  member-notice  when members_affected is more than 0');
  });

  it('show prints the bundled playbooks\' cause, scope, blame and control, which start asks with', () => {
    const r = leakctl(['show', 'platform-leak']);
    expect(r.code).toBe(0);
    for (const aspect of ['cause:', 'scope:', 'blame:', 'control:']) expect(r.stdout).toMatch(new RegExp(`^  ${aspect}\\s+\\S`, 'm'));
    expect(r.stdout).toContain('Members look to you, because you chose the platform.');
  });

  it('show --json gives the typed playbook', () => {
    const r = leakctl(['show', 'valid', '--json', '--playbooks', 'pb', '--templates', 'tpl'], { cwd: dir });
    expect(r.code).toBe(0);
    const playbook = JSON.parse(r.stdout) as { id: string; phases: { steps: { required: boolean }[] }[] };
    expect(playbook.id).toBe('valid');
    expect(playbook.phases[0]?.steps.every((s) => typeof s.required === 'boolean')).toBe(true);
  });

  it('an unknown playbook id is exit 2 naming the ones available', () => {
    const r = leakctl(['show', 'nope', '--playbooks', 'pb'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown playbook "nope"; available: .*valid/);
  });

  it('a config file adds its directories and is validated with positions', () => {
    writeFileSync(join(dir, 'leakctl.config.yaml'), 'schema: leakctl/config@1\nplaybooks: [pb]\ntemplates: [tpl, missing]\n');
    const r = leakctl(['show', 'valid'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`${join(dir, 'leakctl.config.yaml')}:3:18 directory ${join(dir, 'missing')} does not exist`);
    writeFileSync(join(dir, 'leakctl.config.yaml'), 'schema: leakctl/config@1\nplaybooks: [pb]\ntemplates: [tpl]\n');
    expect(leakctl(['show', 'valid'], { cwd: dir }).code).toBe(0);
  });
});

describe('leakctl schema', () => {
  it('prints each JSON Schema', () => {
    for (const kind of ['playbook', 'answers', 'config']) {
      const r = leakctl(['schema', kind]);
      expect(r.code).toBe(0);
      const schema = JSON.parse(r.stdout) as { title: string; properties: { schema: { const?: string; enum?: string[] } } };
      // A playbook may be @1 or @2; the others have one version.
      expect(schema.properties.schema.const ?? schema.properties.schema.enum).toEqual(kind === 'playbook' ? ['leakctl/playbook@1', 'leakctl/playbook@2'] : `leakctl/${kind}@1`);
    }
  });

  it('refuses an unknown kind with exit 2', () => {
    const r = leakctl(['schema', 'poem']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Allowed choices are playbook, answers, config, template");
  });
});
