/**
 * A small sealed incident for the tests of issue 16: an Ed25519 key made with ssh-keygen, an
 * allowed_signers listing it, a config naming both, a two-step playbook answered, and `leakctl
 * seal`. Also what anyone holding a log can do to it: rewrite it with every hash recomputed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { inProcess } from './cli.js';

export const noSshKeygen = spawnSync('ssh-keygen', ['-?']).error ? 'ssh-keygen is not installed (Debian: openssh-client)' : null;

export const PLAYBOOK = `schema: leakctl/playbook@1
id: sealed
title: Sealed
cause: other
summary: A short incident.
phases:
  - id: p
    title: P
    steps:
      - { id: aware_at, kind: datetime, prompt: When? }
      - { id: what, kind: text, prompt: What happened? }
`;

/** An Ed25519 key pair `dir/name` (comment name@example.org); returns the public key line. */
export function sshKey(dir: string, name: string): string {
  const file = join(dir, name);
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@example.org`, '-f', file], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

export interface SealedCase {
  readonly cwd: string;
  readonly dir: string;
  readonly log: string;
  readonly sealStderr: string;
}

/**
 * Incident `s` in `cwd`/incidents, answered and sealed by dana@example.org. `config` adds lines to
 * leakctl.config.yaml; `what` is the answer to the text step.
 */
export async function sealedIncident(cwd: string, opts: { config?: string; what?: string } = {}): Promise<SealedCase> {
  mkdirSync(cwd, { recursive: true });
  const dana = sshKey(cwd, 'dana');
  writeFileSync(join(cwd, 'allowed_signers'), `dana@example.org namespaces="leakctl-checkpoint" ${dana}\n`);
  writeFileSync(join(cwd, 'leakctl.config.yaml'), `schema: leakctl/config@1\nsigning_key: dana\nallowed_signers: allowed_signers\n${opts.config ?? ''}`);
  writeFileSync(join(cwd, 'sealed.yaml'), PLAYBOOK);
  writeFileSync(join(cwd, 'answers.yaml'), `schema: leakctl/answers@1\nresponder: Dana Obi\nnow: 2026-03-02T10:00:00Z\nanswers:\n  aware_at: 2026-03-02T09:00:00Z\n  what: ${JSON.stringify(opts.what ?? 'A moderator copied the channel.')}\n`);
  const dir = join(cwd, 'incidents');
  const started = await inProcess(['--dir', dir, 'start', 'sealed.yaml', '--answers', 'answers.yaml', '--id', 's'], { cwd });
  expect(started.code, started.stderr).toBe(0);
  const sealed = await inProcess(['--dir', dir, '--now', '2026-03-02T11:00:00Z', 'seal', 's'], { cwd });
  expect(sealed.code, sealed.stderr).toBe(0);
  return { cwd, dir, log: join(dir, 's', 'evidence.jsonl'), sealStderr: sealed.stderr };
}

/** The log with the answer to `what` changed and every hash after it recomputed: a chain that is consistent again. */
export function rewriteWholeChain(log: string, answer = 'Nothing happened.'): void {
  let prev: string | null = null;
  const rewritten = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const e = JSON.parse(line) as { seq: number; at: string; type: string; actor: string; data: Record<string, unknown>; prev: string | null; hash: string };
      if (e.data.step === 'what') e.data.value = answer;
      const body = { seq: e.seq, at: e.at, type: e.type, actor: e.actor, data: e.data, prev };
      const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      prev = hash;
      return JSON.stringify({ ...body, hash });
    });
  writeFileSync(log, `${rewritten.join('\n')}\n`);
}
