/**
 * `leakctl seal` and the checkpoints `verify` checks (issue 16): a sealed checkpoint that stock
 * OpenSSH accepts; `verify` naming who sealed what; and what a hash chain alone cannot catch,
 * caught: the whole log rewritten with every hash recomputed (the 20-line script of the issue),
 * a checkpoint removed, a signature by a key the organisation does not list.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/exec.js';
import { noSshKeygen, rewriteWholeChain, sealedIncident as sealed_, sshKey, type SealedCase } from '../helpers/sealed.js';

const tmp = mkdtempSync(join(tmpdir(), 'leakctl-seal-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let made = 0;
const key = sshKey;
async function sealedIncident(): Promise<SealedCase> {
  const sealed = await sealed_(join(tmp, `case-${++made}`));
  expect(sealed.sealStderr).toMatch(/Incident s: Sealed the first \d+ entries \(head [0-9a-f]{64}\) in checkpoints\/\S+\.checkpoint, signed with SHA256:\S+ \(dana@example.org\); logged as entry #\d+/);
  return sealed;
}

describe.skipIf(noSshKeygen !== null)(`leakctl seal${noSshKeygen ? ` (skipped: ${noSshKeygen})` : ''}`, () => {
  it('writes a checkpoint that ssh-keygen -Y verify accepts, logs it, and verify says who sealed what', async () => {
    const { cwd, dir } = await sealedIncident();
    const where = join(dir, 's', 'checkpoints');
    const [checkpoint, signature] = readdirSync(where).sort();
    expect(checkpoint).toMatch(/^\d{8}-[0-9a-f]{12}\.checkpoint$/);
    const text = readFileSync(join(where, checkpoint!), 'utf8');
    expect(text.split('\n')[0]).toBe('leakctl/incident/s');
    const stock = spawnSync('ssh-keygen', ['-Y', 'verify', '-f', join(cwd, 'allowed_signers'), '-I', 'dana@example.org', '-n', 'leakctl-checkpoint', '-s', join(where, signature!)], { input: text, encoding: 'utf8' });
    expect(stock.status, stock.stderr).toBe(0);
    const verify = await inProcess(['--dir', dir, 'verify', 's'], { cwd });
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stderr).toContain(`checkpoints/${checkpoint}: sealed the first ${Number(checkpoint!.slice(0, 8))} entries, still the log's; signed by dana@example.org (SHA256:`);
    const log = await inProcess(['--dir', dir, 'log', 's'], { cwd });
    expect(log.stdout).toMatch(/checkpoint\.sealed +sealed the first \d+ entries/);
  });

  it('the report says who sealed how much, and how many entries came after the last seal', async () => {
    const { cwd, dir } = await sealedIncident();
    expect((await inProcess(['--dir', dir, 'note', 's', 'after the seal'], { cwd })).code).toBe(0);
    const md = await inProcess(['--dir', dir, 'report', 's', '--format', 'md'], { cwd });
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toMatch(/Seals:\n\n- checkpoints\/\d{8}-[0-9a-f]{12}\.checkpoint: sealed the first \d+ entries, still the log's; signed by dana@example\.org \(SHA256:\S+\)\./);
    // The seal's own entry and the note: two entries the chain alone vouches for.
    expect(md.stdout).toContain('The 2 entries after the last seal are vouched for by the hash chain alone.');
    const json = JSON.parse((await inProcess(['--dir', dir, 'report', 's', '--format', 'json'], { cwd })).stdout) as { verification: { sealed: string[]; unsealed: number } };
    expect(json.verification.sealed).toHaveLength(1);
    expect(json.verification.unsealed).toBe(2);
    // An allowed_signers file that cannot be read: the report is still written, the seal "not checked".
    writeFileSync(join(cwd, 'leakctl.config.yaml'), 'schema: leakctl/config@1\nallowed_signers: gone\n');
    const unchecked = await inProcess(['--dir', dir, 'report', 's', '--format', 'md'], { cwd });
    expect(unchecked.code, unchecked.stderr).toBe(0);
    expect(unchecked.stdout).toMatch(/\.checkpoint: sealed the first \d+ entries, still the log's; signature not checked: no allowed\\?_signers file/);
    // A seal whose signature was removed: the log does not verify, and the report claims nothing about seals.
    const where = join(dir, 's', 'checkpoints');
    rmSync(join(where, readdirSync(where).find((n) => n.endsWith('.sig'))!));
    const damaged = await inProcess(['--dir', dir, 'report', 's', '--format', 'md'], { cwd });
    expect(damaged.stdout).toContain('The evidence log does NOT verify');
    expect(damaged.stdout).toMatch(/\.sig, its signature, is missing/);
    expect(damaged.stdout).not.toContain('never sealed');
  });

  it('catches the whole log rewritten with every hash recomputed: exit 3 naming the checkpoint', async () => {
    const { cwd, dir, log } = await sealedIncident();
    // What anyone holding the file can do: change an answer and recompute every hash after it.
    rewriteWholeChain(log);
    // The chain alone is consistent again: only the checkpoint knows better.
    const verify = await inProcess(['--dir', dir, 'verify', 's'], { cwd });
    expect(verify.code).toBe(3);
    expect(verify.stderr).toMatch(/checkpoints\/\d{8}-[0-9a-f]{12}\.checkpoint sealed the first \d+ entries with head [0-9a-f]{64}; entry #\d+ of the log now hashes to [0-9a-f]{64}: the log was rewritten after it was sealed/);
    // Every command that opens the incident refuses it too, writing nothing.
    const before = readFileSync(log, 'utf8');
    for (const args of [['status', 's'], ['note', 's', 'more'], ['report', 's', '--format', 'json']]) {
      const r = await inProcess(['--dir', dir, ...args], { cwd });
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.stderr).toContain('the log was rewritten after it was sealed.');
      expect(r.stderr).toContain('the evidence log no longer matches what was sealed. Nothing was written.');
    }
    expect(readFileSync(log, 'utf8')).toBe(before);
  });

  it("a sealed incident's directory checked under another name: its checkpoints name another incident, for leakctl verify as for verify.py", async () => {
    const { cwd, dir } = await sealedIncident();
    cpSync(join(dir, 's'), join(cwd, 'other'), { recursive: true });
    const ours = await inProcess(['verify', join(cwd, 'other')], { cwd });
    expect(ours.code).toBe(3);
    expect(ours.stderr).toMatch(/checkpoints\/\S+\.checkpoint is a checkpoint of "leakctl\/incident\/s", not of this incident \(leakctl\/incident\/other\)/);
    const theirs = spawnSync('python3', [join(ROOT, 'verifier', 'verify.py'), join(cwd, 'other')], { encoding: 'utf8' });
    expect(theirs.status).toBe(3);
    expect(theirs.stdout).toContain('is a checkpoint of "leakctl/incident/s", not of this incident (leakctl/incident/other)');
    expect((await inProcess(['verify', join(dir, 's')], { cwd })).code).toBe(0);
  });

  it('a rewrite that also removes the signature is still refused by every command: the checkpoint holds the log to its head, and verify names both', async () => {
    const { cwd, dir, log } = await sealedIncident();
    const where = join(dir, 's', 'checkpoints');
    const [signature] = readdirSync(where).filter((n) => n.endsWith('.sig'));
    rewriteWholeChain(log);
    rmSync(join(where, signature!));
    const before = readFileSync(log, 'utf8');
    const note = await inProcess(['--dir', dir, 'note', 's', 'more'], { cwd });
    expect(note.code).toBe(3);
    expect(note.stderr).toContain('the log was rewritten after it was sealed.');
    expect(readFileSync(log, 'utf8')).toBe(before);
    const verify = await inProcess(['--dir', dir, 'verify', 's'], { cwd });
    expect(verify.code).toBe(3);
    expect(verify.stderr).toContain(`checkpoints/${signature}, its signature, is missing`);
    expect(verify.stderr).toContain('the log was rewritten after it was sealed');
  });

  it('a copy of the checkpoint kept elsewhere catches a rewrite that also removed every trace of the seal', async () => {
    const { cwd, dir, log } = await sealedIncident();
    const where = join(dir, 's', 'checkpoints');
    const [checkpoint] = readdirSync(where).filter((n) => n.endsWith('.checkpoint'));
    // The copy sent to counsel: the checkpoint and its signature.
    copyFileSync(join(where, checkpoint!), join(cwd, 'kept.checkpoint'));
    copyFileSync(join(where, `${checkpoint}.sig`), join(cwd, 'kept.checkpoint.sig'));
    const held = await inProcess(['--dir', dir, 'verify', '--checkpoint', 'kept.checkpoint', 's'], { cwd });
    expect(held.code, held.stderr).toBe(0);
    expect(held.stderr).toMatch(/kept\.checkpoint: sealed the first \d+ entries, still the log's; signed by dana@example\.org/);
    // Whoever holds the directory rewrites the log without its checkpoint.sealed entry and removes checkpoints/.
    const kept = readFileSync(log, 'utf8').trim().split('\n').filter((line) => !line.includes('"type":"checkpoint.sealed"'));
    writeFileSync(log, `${kept.join('\n')}\n`);
    rmSync(where, { recursive: true });
    rewriteWholeChain(log);
    expect((await inProcess(['--dir', dir, 'verify', 's'], { cwd })).code).toBe(0);
    const caught = await inProcess(['--dir', dir, 'verify', 's', '--checkpoint', 'kept.checkpoint'], { cwd });
    expect(caught.code).toBe(3);
    expect(caught.stderr).toMatch(/kept\.checkpoint sealed the first \d+ entries with head [0-9a-f]{64}; entry #\d+ of the log now hashes to [0-9a-f]{64}: the log was rewritten after it was sealed/);
    const missing = await inProcess(['--dir', dir, 'verify', 's', '--checkpoint', 'nope.checkpoint'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--checkpoint: nope.checkpoint is missing');
    // A signature beside the copy that is a link is not taken as "no signature": it is refused.
    rmSync(join(cwd, 'kept.checkpoint.sig'));
    symlinkSync(join(cwd, 'elsewhere.sig'), join(cwd, 'kept.checkpoint.sig'));
    const linked = await inProcess(['--dir', dir, 'verify', 's', '--checkpoint', 'kept.checkpoint'], { cwd });
    expect(linked.code).toBe(2);
    expect(linked.stderr).toContain('--checkpoint: kept.checkpoint.sig, its signature, is a symbolic link');
  });

  it('seals at the end of each session when the config asks (seal_at_session_end), and never a drill', async () => {
    const cwd = join(tmp, 'session-end');
    const { dir } = await sealed_(cwd);
    writeFileSync(join(cwd, 'leakctl.config.yaml'), 'schema: leakctl/config@1\nsigning_key: dana\nallowed_signers: allowed_signers\nseal_at_session_end: true\n');
    const started = await inProcess(['--dir', dir, 'start', 'sealed.yaml', '--answers', 'answers.yaml', '--id', 'next'], { cwd });
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).toMatch(/Sealed the first \d+ entries \(head [0-9a-f]{64}\) in checkpoints\/\S+\.checkpoint, signed with SHA256:\S+ \(dana@example\.org\); logged as entry #\d+/);
    expect(readdirSync(join(dir, 'next', 'checkpoints')).filter((n) => n.endsWith('.checkpoint'))).toHaveLength(1);
    const drill = await inProcess(['--dir', dir, 'drill', 'sealed.yaml', '--answers', 'answers.yaml', '--id', 'drill'], { cwd });
    expect(drill.code, drill.stderr).toBe(0);
    expect(drill.stderr).not.toContain('Sealed the first');
    expect(readdirSync(join(dir, 'drill'))).not.toContain('checkpoints');
  });

  it('a checkpoint removed, or signed by a key allowed_signers does not list: exit 3; no key: exit 2 saying how to give one', async () => {
    const { cwd, dir } = await sealedIncident();
    const where = join(dir, 's', 'checkpoints');
    const mallory = key(cwd, 'mallory');
    writeFileSync(join(cwd, 'allowed_signers'), `mallory@example.org ${mallory}\n`);
    const foreign = await inProcess(['--dir', dir, 'verify', 's'], { cwd });
    expect(foreign.code).toBe(3);
    expect(foreign.stderr).toMatch(/its signature is not good: signed by key SHA256:\S+, which allowed_signers does not list/);
    // Sealing with a key the organisation does not list is refused before anything is written.
    const refused = await inProcess(['--dir', dir, 'seal', 's', '--key', 'dana'], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Nothing was written');
    for (const name of readdirSync(where)) rmSync(join(where, name));
    const removed = await inProcess(['--dir', dir, 'verify', 's'], { cwd });
    expect(removed.code).toBe(3);
    expect(removed.stderr).toMatch(/the checkpoint it sealed, checkpoints\/\S+\.checkpoint, is missing/);
    rmSync(join(cwd, 'leakctl.config.yaml'));
    const nokey = await inProcess(['--dir', dir, 'seal', 's'], { cwd });
    expect(nokey.code).toBe(2);
    expect(nokey.stderr).toContain('no key to sign the checkpoint with: pass --key');
  });

  it('close seals the closed log, its closing entry included, when a signing key is configured; the closed log verifies with its checkpoints', async () => {
    const { cwd, dir, log } = await sealedIncident();
    const closed = await inProcess(['--dir', dir, '--now', '2026-03-02T12:00:00Z', 'close', 's'], { cwd });
    expect(closed.code, closed.stderr).toBe(0);
    const entries = readFileSync(log, 'utf8').trim().split('\n').length;
    expect(closed.stderr).toMatch(new RegExp(`Closed incident s \\(entry #${entries - 1}, head [0-9a-f]{64}\\)\\.\\nSealed the first ${entries} entries \\(head [0-9a-f]{64}\\) in checkpoints/\\S+\\.checkpoint, signed with SHA256:\\S+ \\(dana@example.org\\); the log is closed, so the seal is not logged`));
    expect(readdirSync(join(dir, 's', 'checkpoints')).filter((name) => name.endsWith('.checkpoint'))).toHaveLength(2);
    const verify = await inProcess(['--dir', dir, 'verify', 's'], { cwd });
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stderr.match(/still the log's; signed by dana@example.org/g)).toHaveLength(2);
    const again = await inProcess(['--dir', dir, 'seal', 's'], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('this checkpoint was sealed already');
  });
});
