/**
 * `leakctl sync` over git (issue 17, item 2), checked with git itself: a bare repository and two
 * clones in a temporary directory. What one responder writes reaches the other and verifies
 * there; two copies writing one chain before a sync (two copies on one machine with no
 * responder of their own in a config) conflict, and sync undoes the merge, names the file and
 * keeps both sides' entries (exit 3); copies with a responder each are test/e2e/team.test.ts; a log rewritten is never
 * sent (exit 3). Locks and writes in progress are never committed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/exec.js';

const noGit = spawnSync('git', ['--version']).status === 0 ? null : 'git is not installed';
const tmp = mkdtempSync(join(tmpdir(), 'leakctl-sync-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// git as on a fresh machine: no global or system configuration, so no name and no email (this
// worker's environment is the one leakctl's git sees).
process.env.GIT_CONFIG_GLOBAL = join(tmp, 'no-gitconfig');
process.env.GIT_CONFIG_NOSYSTEM = '1';

const env = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org', HOME: tmp, GIT_CONFIG_NOSYSTEM: '1' };
function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A bare repository and `names` clones of it, each with an incidents directory, the first having pushed it. */
function team(name: string, names: string[]): Record<string, string> {
  const bare = join(tmp, name, 'shared.git');
  mkdirSync(bare, { recursive: true });
  git(bare, 'init', '-q', '--bare', '-b', 'main');
  const seed = join(tmp, name, 'seed');
  git(join(tmp, name), 'clone', '-q', bare, 'seed');
  writeFileSync(join(seed, 'README'), 'incidents\n');
  git(seed, 'add', 'README');
  git(seed, 'commit', '-q', '-m', 'start');
  git(seed, 'push', '-q', 'origin', 'HEAD:main');
  const clones: Record<string, string> = {};
  for (const who of names) {
    git(join(tmp, name), 'clone', '-q', bare, who);
    mkdirSync(join(tmp, name, who, 'incidents'), { recursive: true });
    clones[who] = join(tmp, name, who);
  }
  return clones;
}

const leakctl = (cwd: string, ...args: string[]) => inProcess(['--dir', join(cwd, 'incidents'), ...args], { cwd, env });
/** Opens incident x in `cwd` with its first answer; the run stops at the next step (exit 2), the incident begun. */
async function open(cwd: string): Promise<void> {
  writeFileSync(join(cwd, 'a.yaml'), 'schema: leakctl/answers@1\nresponder: dana\nnow: 2026-03-02T09:00:00Z\nanswers:\n  discovered_at: 2026-03-02T08:00:00Z\n');
  await leakctl(cwd, 'start', join(ROOT, 'playbooks', 'member-leak.yaml'), '--id', 'x', '--answers', join(cwd, 'a.yaml'));
  expect(existsSync(join(cwd, 'incidents', 'x', 'evidence.jsonl'))).toBe(true);
}

describe.skipIf(noGit !== null)(`leakctl sync${noGit ? ` (skipped: ${noGit})` : ''}`, () => {
  it("brings each responder's incidents to the other, verified on arrival; never a lock or a write in progress", async () => {
    const { ana, bo } = team('two', ['ana', 'bo']);
    await open(ana!);
    writeFileSync(join(ana!, 'incidents', 'x', '.evidence.jsonl.tmp-1'), 'a write in progress');
    const first = await leakctl(ana!, 'sync', '--responder', 'ana');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^Synced with origin: \d+ file\(s\) sent, 0 received; 1 incident\(s\) verify\.$/m);
    expect(git(ana!, 'log', '-1', '--format=%s')).toBe('leakctl sync: 1 incident(s) by ana\n');
    expect(git(ana!, 'ls-files')).not.toContain('.evidence.jsonl.tmp');

    const got = await leakctl(bo!, 'sync', '--responder', 'bo');
    expect(got.code, got.stderr).toBe(0);
    expect(readFileSync(join(bo!, 'incidents', 'x', 'evidence.jsonl'), 'utf8')).toBe(readFileSync(join(ana!, 'incidents', 'x', 'evidence.jsonl'), 'utf8'));
    expect((await leakctl(bo!, 'verify', 'x')).code).toBe(0);
    // bo works on x (one at a time), syncs; ana gets it.
    expect((await leakctl(bo!, 'note', 'x', 'the provider answered', '--responder', 'bo')).code).toBe(0);
    expect((await leakctl(bo!, 'sync', 'x', '--responder', 'bo')).code).toBe(0);
    const back = await leakctl(ana!, 'sync');
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toMatch(/0 file\(s\) sent, 1 received/);
    expect((await leakctl(ana!, 'log', 'x')).stdout).toContain('the provider answered');
  });

  it('stops on two copies that wrote one chain before a sync: the merge undone, the file named, both sides kept', async () => {
    const { ana, bo } = team('clash', ['ana', 'bo']);
    await open(ana!);
    expect((await leakctl(ana!, 'sync')).code).toBe(0);
    expect((await leakctl(bo!, 'sync')).code).toBe(0);
    expect((await leakctl(ana!, 'note', 'x', 'from ana', '--responder', 'ana')).code).toBe(0);
    expect((await leakctl(bo!, 'note', 'x', 'from bo', '--responder', 'bo')).code).toBe(0);
    expect((await leakctl(ana!, 'sync')).code).toBe(0);
    const clash = await leakctl(bo!, 'sync');
    expect(clash.code).toBe(3);
    expect(clash.stderr).toContain('conflicts with what is here, in incidents/x/evidence.jsonl: the merge was undone');
    expect(clash.stderr).toContain('give each copy its own responder: in leakctl.config.yaml');
    // bo's entry is committed and his log verifies; the working tree is his, whole.
    expect(readFileSync(join(bo!, 'incidents', 'x', 'evidence.jsonl'), 'utf8')).toContain('from bo');
    expect(git(bo!, 'status', '--porcelain')).toBe('');
    expect((await leakctl(bo!, 'verify', 'x')).code).toBe(0);
  });

  it('a new clone, a fresh git init with a remote, a .gitignore and a detached HEAD: each handled as a responder would expect', async () => {
    const { ana } = team('edges', ['ana']);
    await open(ana!);
    // Evidence is never left behind for a .gitignore: the attachment goes with the log.
    writeFileSync(join(ana!, '.gitignore'), '*.png\n');
    writeFileSync(join(ana!, 'shot.png'), 'a screenshot');
    expect((await leakctl(ana!, 'attach', 'x', 'shot.png', '--responder', 'ana')).code).toBe(0);
    expect((await leakctl(ana!, 'sync')).code).toBe(0);
    expect(git(ana!, 'ls-files', 'incidents/x/attachments')).toMatch(/shot\.png/);
    // A second responder who begins with git init and git remote add (no upstream yet): sync
    // pulls before it pushes, and the incident arrives whole.
    const cy = join(tmp, 'edges', 'cy');
    mkdirSync(join(cy, 'incidents'), { recursive: true });
    git(cy, 'init', '-q', '-b', 'main');
    git(cy, 'remote', 'add', 'origin', join(tmp, 'edges', 'shared.git'));
    const first = await leakctl(cy, 'sync', '--responder', 'cy');
    expect(first.code, first.stderr).toBe(0);
    expect((await leakctl(cy, 'verify', 'x')).code).toBe(0);
    // Not on a branch: said, and nothing committed.
    git(ana!, 'checkout', '-q', '--detach');
    expect((await leakctl(ana!, 'note', 'x', 'detached', '--responder', 'ana')).code).toBe(0);
    const detached = await leakctl(ana!, 'sync');
    expect(detached.code).toBe(2);
    expect(detached.stderr).toContain('is not on a branch (a detached HEAD): git switch BRANCH');
  });

  it('sends nothing that does not verify, and says how to begin where there is no repository or remote', async () => {
    const { ana } = team('bad', ['ana']);
    await open(ana!);
    const log = join(ana!, 'incidents', 'x', 'evidence.jsonl');
    writeFileSync(log, readFileSync(log, 'utf8').replace('member-leak', 'member-leek'));
    const bad = await leakctl(ana!, 'sync');
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('incident x does not verify here, so nothing was committed or sent');
    expect(git(ana!, 'log', '--format=%s')).toBe('start\n');

    const alone = join(tmp, 'alone');
    mkdirSync(join(alone, 'incidents'), { recursive: true });
    const none = await leakctl(alone, 'sync');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('is not in a git repository');
    git(alone, 'init', '-q');
    const noRemote = await leakctl(alone, 'sync');
    expect(noRemote.code).toBe(2);
    expect(noRemote.stderr).toContain('has no remote to sync with: git remote add origin URL');
  });
});
