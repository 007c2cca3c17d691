/**
 * Shell completion (issue 10), checked with the shell that reads it: bash sources the script
 * `leakctl completion bash` prints and completes words as it would at a prompt; zsh and fish, when
 * installed, at least parse theirs. The candidates come from leakctl itself.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/cli.js';
import { BIN } from '../helpers/exec.js';

const tmp = mkdtempSync(join(tmpdir(), 'leakctl-completion-'));
const bin = join(tmp, 'bin');
const incidents = join(tmp, 'incidents');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(async () => {
  // `leakctl` on the PATH, as npm link would put it.
  mkdirSync(bin);
  writeFileSync(join(bin, 'leakctl'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'leakctl'), 0o755);
  const answers = join(tmp, 'answers.yaml');
  writeFileSync(answers, 'schema: leakctl/answers@1\nresponder: dana\nnow: 2026-03-02T09:00:00Z\nanswers:\n  confirmed: true\n  discovered_at: 2026-03-02T08:30:00Z\n  exposed_data: [names]\n');
  const breach = join(import.meta.dirname, 'fixtures', 'incident', 'breach.yaml');
  await inProcess(['start', breach, '--answers', answers, '--id', 'forum-1', '--dir', incidents]);
}, 60_000);

/** What bash offers after typing `line` and pressing Tab. */
function bashCompletes(line: string): string[] {
  const words = line.split(' ');
  const script = `source <(leakctl completion bash)\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})\nCOMP_CWORD=${words.length - 1}\n_leakctl\nprintf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, LEAKCTL_DIR: incidents } });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

describe('completion in bash', () => {
  it('completes commands, incident ids, the open steps first, options, and template ids', () => {
    expect(bashCompletes('leakctl de')).toEqual(['defer', 'decline']);
    expect(bashCompletes('leakctl do ')).toEqual(['forum-1']);
    expect(bashCompletes('leakctl do forum-1 ')[0]).toBe('members_affected');
    expect(bashCompletes('leakctl defer forum-1 auth')).toEqual(['authority_notified_at']);
    expect(bashCompletes('leakctl decline forum-1 --re')).toEqual(['--reason', '--responder']);
    expect(bashCompletes('leakctl start ')).toEqual(expect.arrayContaining(['platform-leak', 'member-leak']));
    expect(bashCompletes('leakctl completion ')).toEqual(['bash', 'zsh', 'fish']);
    // Every bundled template whose id starts so, and nothing else.
    const bundled = readdirSync(join(import.meta.dirname, '..', '..', 'templates')).map((f) => f.replace(/\.liquid$/, '')).filter((id) => id.startsWith('member-notice-'));
    expect(bundled.length).toBeGreaterThan(1);
    expect(bashCompletes('leakctl render forum-1 --template member-notice-')).toEqual(bundled.sort());
  });

  it('leaves out a candidate that would put terminal codes on the screen (an id from a file name)', () => {
    const odd = join(tmp, 'odd-playbooks');
    mkdirSync(odd, { recursive: true });
    writeFileSync(join(odd, 'evil\u001b]0;pwned\u0007.yaml'), 'schema: leakctl/playbook@1\n');
    const offered = bashCompletes(`leakctl --playbooks ${odd} start `);
    expect(offered).toEqual(expect.arrayContaining(['platform-leak']));
    expect(offered.join('\n')).not.toContain('\u001b');
  });

  it('follows --dir typed before it, and offers nothing where nothing fits', () => {
    expect(bashCompletes(`leakctl --dir ${join(tmp, 'elsewhere')} status `)).toEqual([]);
    expect(bashCompletes('leakctl do forum-1 zzz')).toEqual([]);
  });
});

const noFish = spawnSync('fish', ['--version']).error ? 'fish is not installed' : null;
describe.skipIf(noFish !== null)(`completion in fish${noFish ? ` (skipped: ${noFish})` : ''}`, () => {
  it('completes as fish would at a prompt (complete -C)', async () => {
    const file = join(tmp, 'leakctl.fish');
    writeFileSync(file, (await inProcess(['completion', 'fish'])).stdout);
    const r = spawnSync('fish', ['-c', `source ${file}; complete -C "leakctl de"; complete -C "leakctl defer forum-1 auth"`], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, LEAKCTL_DIR: incidents },
    });
    expect(r.status, r.stderr).toBe(0);
    // Files are offered beside them (an argument may be a file): leakctl's own candidates are there.
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(expect.arrayContaining(['decline', 'defer', 'authority_notified_at']));
  });
});

for (const shell of ['zsh', 'fish'] as const) {
  const missing = spawnSync(shell, ['--version']).error ? `${shell} is not installed` : null;
  describe.skipIf(missing !== null)(`completion in ${shell}${missing ? ` (skipped: ${missing})` : ''}`, () => {
    it('is a script the shell parses', async () => {
      const script = (await inProcess(['completion', shell])).stdout;
      const file = join(tmp, `leakctl.${shell}`);
      writeFileSync(file, script);
      const r = spawnSync(shell, ['-n', file], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
    });
  });
}
