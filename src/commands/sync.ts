/**
 * `leakctl sync [INCIDENT]` (issue 17, item 2): git as the transport. The incidents directory is
 * in a git repository the team shares (any git server, a bare repository on a file share); sync
 * verifies what is about to be sent, commits it, pulls what the others sent, verifies every
 * incident again, and pushes. Nothing is ever resolved behind anyone's back: a merge that
 * conflicts is undone (the local commit stays) and the files are named, exit 3.
 *
 * Each responder writes a chain of their own (chains/<writer>.jsonl beside the opener's
 * evidence.jsonl), so a merge never meets two writers in one file; only a file changed by hand
 * conflicts. An incident is verified and added under its lock, so an entry written meanwhile is
 * either verified and sent or left for the next sync, never sent unverified.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings } from '../config/settings.js';
import { verifyIncident } from '../evidence/verify.js';
import { responderName } from '../incident/actor.js';
import { holdingLocks } from '../incident/incident.js';
import { checkIncidentId, incidentIds } from '../incident/locate.js';
import type { CommonOptions } from '../options.js';
import { EXIT, InvalidInput, LeakctlError } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

interface Git {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Bounded: git waiting on a password prompt or a dead server is told, not waited on for ever. */
const GIT_TIMEOUT_MS = 120_000;

function gitIn(cwd: string): (args: readonly string[]) => Git {
  // No prompt on a terminal leakctl does not own: credentials come from git's own helpers and
  // ssh's agent (BatchMode: no passphrase or host-key question), unless the user chose an ssh command.
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes' };
  return (args) => {
    const r = spawnSync('git', args, { cwd, encoding: 'utf8', timeout: GIT_TIMEOUT_MS, env });
    const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') throw new InvalidInput('git is not installed, and leakctl sync works through it: install git, then sync again');
    if (code === 'ETIMEDOUT') throw new LeakctlError(`git ${args[0]} gave no answer within ${GIT_TIMEOUT_MS / 1000} s (a remote that cannot be reached, or one asking for a password?); nothing was lost: sync again`, EXIT.failure);
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
}

/** git's own words, one line each, for a message. */
const said = (r: Git): string => printable(`${r.stderr}${r.stdout}`.trim().split('\n').slice(-3).join(' / '));

export async function run(options: CommonOptions, id: string | undefined, opts: { responder?: string }): Promise<number> {
  const out = await Output.create(options);
  const settings = loadSettings(options);
  const dir = options.incidentsDir;
  if (id !== undefined) checkIncidentId(id);
  if (!existsSync(dir)) throw new InvalidInput(`there is no incidents directory ${printable(dir)} to sync; --dir (or LEAKCTL_DIR) names it`);
  const git = gitIn(dir);
  const top = git(['rev-parse', '--show-toplevel']);
  if (top.status !== 0) {
    throw new InvalidInput(`${printable(dir)} is not in a git repository, and sync shares incidents through git: run git init there (or clone the team's repository), git remote add origin URL, then leakctl sync`);
  }
  const remotes = git(['remote']).stdout.split('\n').filter(Boolean);
  if (remotes.length === 0) throw new InvalidInput(`the repository of ${printable(dir)} has no remote to sync with: git remote add origin URL (a git server, or a bare repository on a share), then leakctl sync`);
  const branch = git(['symbolic-ref', '-q', '--short', 'HEAD']);
  if (branch.status !== 0) throw new InvalidInput(`the repository of ${printable(dir)} is not on a branch (a detached HEAD): git switch BRANCH (the team's, e.g. main), then leakctl sync`);
  // An identity for the commits sync makes (its own, and a pull's merge) when git has none: the responder, as the log names them.
  const who = responderName(opts.responder, undefined, settings.config.responder, options.cwd);
  const identity = git(['config', 'user.email']).status === 0 ? [] : ['-c', `user.name=${who}`, '-c', 'user.email=leakctl@localhost'];

  const ids = id !== undefined ? [id] : incidentIds(dir);
  const verified = async (each: string, when: string): Promise<void> => {
    const report = await verifyIncident(join(dir, each), { incident: each });
    if (!report.ok) {
      throw new LeakctlError(`incident ${each} does not verify ${when}: ${printable(report.problems[0]?.message ?? '')}\nleakctl verify ${each} shows every problem.`, EXIT.checkFailed);
    }
  };
  const checkAll = async (which: readonly string[], when: string): Promise<void> => {
    for (const each of which) await verified(each, when);
  };

  // The branch's remote, else origin (or the only one). A branch the remote already has is
  // tracked before anything is committed: the first sync of a fresh `git init` takes the team's
  // history first (git refuses to overwrite a file here that is not yet committed), so that what
  // is committed next builds on it rather than beside it.
  const name = branch.stdout.trim();
  const configured = git(['config', `branch.${name}.remote`]).stdout.trim();
  const remote = configured !== '' ? configured : remotes.includes('origin') ? 'origin' : remotes[0]!;
  let upstream = git(['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{u}']);
  if (upstream.status !== 0) {
    const fetched = git(['fetch', '-q', remote]);
    if (fetched.status !== 0) throw new LeakctlError(`git fetch from ${printable(remote)} failed: ${said(fetched)}. Nothing was committed; sync again.`, EXIT.failure);
    if (git(['rev-parse', '-q', '--verify', `refs/remotes/${remote}/${name}`]).status === 0) {
      if (git(['rev-parse', '-q', '--verify', 'HEAD']).status !== 0) {
        const taken = git([...identity, 'pull', '-q', '--no-rebase', remote, name]);
        if (taken.status !== 0) throw new LeakctlError(`git pull from ${printable(remote)} failed: ${said(taken)}. Nothing was committed; move the files it names aside, then sync again.`, EXIT.failure);
      }
      git(['branch', '-q', `--set-upstream-to=${remote}/${name}`]);
      upstream = git(['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{u}']);
    }
  }

  // What is sent: the verified incidents' files, whatever a .gitignore says (evidence is never
  // left behind silently), and never a lock or a write in progress (a name, or a directory,
  // starting with a dot). git runs in the incidents directory: paths are relative to it.
  // What the others sent is fetched first (the network, with no incident locked); then, holding
  // every incident's lock, so that nothing is appended meanwhile: what is here is verified, added
  // and committed, exactly as verified; what came is merged and verified too, and taken back out
  // (the merge undone) if it does not verify, before any session here can build on it.
  if (upstream.status === 0) {
    const fetched = git(['fetch', '-q', remote]);
    if (fetched.status !== 0) throw new LeakctlError(`git fetch from ${printable(remote)} failed: ${said(fetched)}. Nothing was committed; sync again.`, EXIT.failure);
  }
  let sent = 0;
  let received: string[] = [];
  await holdingLocks(dir, ids, (text) => out.message(text), async () => {
    for (const each of ids) {
      await verified(each, 'here, so nothing was committed or sent');
      const add = git(['add', '-A', '-f', '--', each, ':(exclude,glob)**/.*', ':(exclude,glob)**/.*/**']);
      if (add.status !== 0) throw new LeakctlError(`git add failed: ${said(add)}`, EXIT.failure);
    }
    const staged = ids.length > 0 ? git(['diff', '--cached', '--name-only', '--', ...ids]).stdout.split('\n').filter(Boolean) : [];
    if (staged.length > 0) {
      const commit = git([...identity, 'commit', '-q', '-m', `leakctl sync: ${id ?? `${ids.length} incident(s)`} by ${who}`, '--', ...ids]);
      if (commit.status !== 0) throw new LeakctlError(`git commit failed: ${said(commit)}`, EXIT.failure);
      sent = staged.length;
    }
    if (upstream.status !== 0) return;
    const before = git(['rev-parse', 'HEAD']).stdout.trim();
    const merge = git([...identity, 'merge', '--no-edit', '-q', '@{u}']);
    if (merge.status !== 0) {
      const conflicted = git(['diff', '--name-only', '--diff-filter=U']).stdout.split('\n').filter(Boolean);
      if (conflicted.length > 0) {
        git(['merge', '--abort']);
        throw new LeakctlError(
          `what the others sent conflicts with what is here, in ${conflicted.map(printable).join(', ')}: the merge was undone, and your entries stay committed here. ` +
            'Two copies wrote the same file: a file edited by hand, an incident from before chains (leakctl 0.1) written in two copies, or two copies with one responder name (give each copy its own responder: in leakctl.config.yaml). Agree who keeps which, then sync again. leakctl verify names what does not verify.',
          EXIT.checkFailed,
        );
      }
      throw new LeakctlError(`git merge of what ${printable(upstream.stdout.trim())} sent failed: ${said(merge)}. Nothing was lost: your entries are committed here; sync again.`, EXIT.failure);
    }
    received = git(['diff', '--name-only', before, 'HEAD']).stdout.split('\n').filter(Boolean);
    try {
      await checkAll(id !== undefined ? [id] : incidentIds(dir), 'as it came from the remote, so the pull was undone and nothing was sent');
    } catch (error) {
      git(['reset', '-q', '--keep', before]);
      throw error;
    }
  });
  if (git(['rev-parse', '-q', '--verify', 'HEAD']).status !== 0) {
    // A fresh repository, with no incident here and none on the remote: nothing to send yet.
    out.message(`Nothing to sync yet: no incident here, and none on ${printable(remote)}.`);
    return 0;
  }
  const push = upstream.status === 0 ? git(['push', '-q']) : git(['push', '-q', '-u', remote, 'HEAD']);
  if (push.status !== 0) throw new LeakctlError(`git push to ${printable(remote)} failed: ${said(push)}. Your entries are committed here; sync again to send them.`, EXIT.failure);

  const count = id !== undefined ? 1 : incidentIds(dir).length;
  if (options.json) out.json({ incidents: count, sent_files: sent, received_files: received.length, remote });
  else {
    out.message(`Synced with ${printable(remote)}: ${sent} file(s) sent, ${received.length} received; ${count} incident(s) verify.`);
  }
  return 0;
}
