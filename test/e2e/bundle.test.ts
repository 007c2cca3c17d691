/**
 * `leakctl export --bundle` (issue 16, item 4, and the check "13-third-party-evidence"): a sealed
 * incident exported as a .tar.gz is unpacked in a clean directory and checked by the commands of
 * its VERIFY.md alone, run with a PATH that holds only sha256sum, ssh-keygen, openssl and python3;
 * a whole-chain rewrite after the seal is caught by those same commands and by leakctl verify.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOG_FORMAT } from '../../src/incident/bundle-guide.js';
import { inProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/exec.js';
import { commandsOf, readerToolsMissing, runAsReader as runReader } from '../helpers/reader.js';
import { noSshKeygen, rewriteWholeChain, sealedIncident } from '../helpers/sealed.js';

const tmp = mkdtempSync(join(tmpdir(), 'leakctl-bundle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const skip = noSshKeygen ?? readerToolsMissing;
const runAsReader = (cwd: string, command: string): { status: number | null; out: string } => runReader(tmp, cwd, command);

let made = 0;
async function exported(archive: boolean): Promise<{ cwd: string; dir: string; bundle: string; stderr: string }> {
  const cwd = join(tmp, `case-${++made}`);
  const { dir } = await sealedIncident(cwd, { what: 'A moderator copied the channel 🙂\u2028and posted it.' });
  writeFileSync(join(cwd, 'screenshot.txt'), 'what the channel showed\n');
  expect((await inProcess(['--dir', dir, '--now', '2026-03-02T11:30:00Z', 'attach', 's', 'screenshot.txt'], { cwd })).code).toBe(0);
  expect((await inProcess(['--dir', dir, '--now', '2026-03-02T11:40:00Z', 'seal', 's'], { cwd })).code).toBe(0);
  const target = archive ? 'bundle.tar.gz' : 'bundle';
  const r = await inProcess(['--dir', dir, '--now', '2026-03-02T12:00:00Z', 'export', 's', '--bundle', target], { cwd });
  expect(r.code, r.stderr).toBe(0);
  return { cwd, dir, bundle: join(cwd, target), stderr: r.stderr };
}

describe.skipIf(skip !== null)(`leakctl export --bundle${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('a .tar.gz that the commands of its VERIFY.md check in a clean directory, with sha256sum, ssh-keygen, openssl and python3 alone', async () => {
    const { bundle, dir, stderr } = await exported(true);
    const entries = readFileSync(join(dir, 's', 'evidence.jsonl'), 'utf8').trim().split('\n').length;
    expect(stderr).toMatch(new RegExp(`Exported incident s: ${entries} entries \\(head [0-9a-f]{64}\\), 1 attachment\\(s\\), 2 checkpoint\\(s\\), \\d+ files in all\\.`));
    const clean = mkdtempSync(join(tmp, 'clean-'));
    const untar = spawnSync('tar', ['-xzf', bundle, '-C', clean], { encoding: 'utf8' });
    expect(untar.status, untar.stderr).toBe(0);
    expect(readdirSync(clean)).toEqual(['bundle']);
    const root = join(clean, 'bundle');
    expect(readdirSync(root).sort()).toEqual(['SHA256SUMS', 'VERIFY.md', 'allowed_signers', 's', 'verify.py']);
    const guide = readFileSync(join(root, 'VERIFY.md'), 'utf8');
    const commands = commandsOf(guide);
    expect(commands.map((c) => c.split(' ')[0])).toEqual(['sha256sum', 'python3', 'ssh-keygen', 'ssh-keygen']);
    const outputs = commands.map((command) => {
      const r = runAsReader(root, command);
      expect(r.status, `${command}\n${r.out}`).toBe(0);
      return r.out;
    });
    expect(outputs[0]).toMatch(/^s\/evidence\.jsonl: OK$/m);
    expect(outputs[0]).not.toMatch(/FAILED/);
    // What VERIFY.md says it prints is what it prints.
    const promised = /It prints:\n\n```text\n([\s\S]*?)```/.exec(guide)![1]!;
    expect(outputs[1]).toBe(promised);
    expect(outputs[1]).toMatch(new RegExp(`^OK {2}${entries} entries, head [0-9a-f]{64}\n1 attachment\\(s\\) intact\\.\n`));
    expect(outputs[2]).toMatch(/^Good "leakctl-checkpoint" signature for dana@example\.org with ED25519 key SHA256:/);
    expect(outputs[3]).toMatch(/^Good "leakctl-checkpoint" signature for dana@example\.org/);
  });

  it('a whole chain rewritten after the seal, SHA256SUMS made again: the bundle\'s own checks and leakctl verify both fail naming the checkpoint', async () => {
    const { bundle, cwd } = await exported(false);
    rewriteWholeChain(join(bundle, 's', 'evidence.jsonl'));
    const sums = spawnSync('sh', ['-c', 'find . -type f ! -name SHA256SUMS | sed "s|^\\./||" | sort | xargs sha256sum > SHA256SUMS'], { cwd: bundle });
    expect(sums.status).toBe(0);
    const commands = commandsOf(readFileSync(join(bundle, 'VERIFY.md'), 'utf8'));
    expect(runAsReader(bundle, commands[0]!).status).toBe(0);
    const python = runAsReader(bundle, commands[1]!);
    expect(python.status).toBe(3);
    expect(python.out).toMatch(/checkpoints\/\d{8}-[0-9a-f]{12}\.checkpoint sealed the first \d+ entries with head [0-9a-f]{64}; entry #\d+ of the log now hashes to [0-9a-f]{64}: the log was rewritten after it was sealed/);
    // The signatures still hold: they vouch for the checkpoints, which the log no longer matches.
    expect(runAsReader(bundle, commands[2]!).status).toBe(0);
    const leakctl = await inProcess(['verify', join(bundle, 's'), '--allowed-signers', join(bundle, 'allowed_signers')], { cwd });
    expect(leakctl.code).toBe(3);
    expect(leakctl.stderr).toMatch(/the log was rewritten after it was sealed/);
  });

  it('never writes over anything, and refuses to export a log rewritten after its seal, leaving nothing behind', async () => {
    const { cwd, dir, bundle } = await exported(false);
    const again = await inProcess(['--dir', dir, 'export', 's', '--bundle', 'bundle'], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists; a bundle is never written over anything');
    const nowhere = await inProcess(['--dir', dir, 'export', 's'], { cwd });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain('--bundle DIR');
    rewriteWholeChain(join(dir, 's', 'evidence.jsonl'));
    const tampered = await inProcess(['--dir', dir, 'export', 's', '--bundle', 'second.tar.gz'], { cwd });
    expect(tampered.code).toBe(3);
    expect(tampered.stderr).toContain('the log was rewritten after it was sealed');
    expect(tampered.stderr).toContain('the evidence log no longer matches what was sealed. Nothing was written.');
    expect(readdirSync(cwd).filter((name) => name.includes('second'))).toEqual([]);
    expect(existsSync(bundle)).toBe(true);
  });

  it('refuses a destination inside the incidents directory, a link, or an archive it does not write; leaves out files no entry names and says the bundle is confidential', async () => {
    const cwd = join(tmp, `case-${++made}`);
    const { dir } = await sealedIncident(cwd);
    symlinkSync(join(cwd, 'nowhere'), join(cwd, 'dangling'));
    for (const [target, message] of [
      [join(dir, 'out'), 'is inside'],
      ['bundle.zip', 'name one ending in .tar.gz, or a directory'],
      ['dangling', 'already exists; a bundle is never written over anything'],
    ] as const) {
      const r = await inProcess(['--dir', dir, 'export', 's', '--bundle', target], { cwd });
      expect(r.code, target).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(existsSync(join(cwd, 'nowhere'))).toBe(false);
    // A file in attachments/ that no entry names is vouched for by nothing: it stays home.
    writeFileSync(join(dir, 's', 'attachments', 'stray.txt'), 'not evidence\n');
    const r = await inProcess(['--dir', dir, 'export', 's', '--bundle', 'out'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Left out 1 file(s) the log does not vouch for (an attachment no entry names, a draft changed since it was rendered): attachments/stray.txt.');
    expect(r.stderr).toContain('The bundle holds the whole log, answers to sensitive steps included, and every attachment');
    expect(existsSync(join(cwd, 'out', 's', 'attachments', 'stray.txt'))).toBe(false);
    const guide = readFileSync(join(cwd, 'out', 'VERIFY.md'), 'utf8');
    expect(guide).toContain('**It is as confidential as the incident**');
    // No timestamp token: openssl is not among the tools the reader needs.
    expect(guide).toContain('`sha256sum`, `ssh-keygen` (OpenSSH 8.2 or later) and `python3`.');
  });

  it('carries the drafts that are what the log recorded rendering, and leaves out one edited since', async () => {
    const cwd = join(tmp, `case-${++made}`);
    const dir = join(cwd, 'incidents');
    const drill = await inProcess(['--dir', dir, 'drill', join(ROOT, 'playbooks', 'member-leak.yaml'), '--answers', join(ROOT, 'playbooks', 'drills', 'member-leak.yaml'), '--id', 'd'], { cwd: ROOT });
    expect([0, 3], drill.stderr).toContain(drill.code);
    const drafts = readdirSync(join(dir, 'd', 'drafts')).filter((n) => !n.startsWith('.') && n.includes('.')).sort();
    expect(drafts.length).toBeGreaterThan(1);
    writeFileSync(join(dir, 'd', 'drafts', drafts[0]!), 'Edited by hand after it was rendered.\n');
    const r = await inProcess(['--dir', dir, 'export', 'd', '--bundle', join(cwd, 'out')], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`a draft changed since it was rendered): drafts/${drafts[0]}.`);
    expect(readdirSync(join(cwd, 'out', 'd', 'drafts')).filter((n) => n.includes('.')).sort()).toEqual(drafts.slice(1));
    // The bundle's own check of its drafts passes; on the incident, it names the edited one.
    const inBundle = runAsReader(join(cwd, 'out'), 'python3 verify.py d --drafts');
    expect(inBundle.status, inBundle.out).toBe(0);
    expect(inBundle.out).toMatch(/^\d+ draft\(s\) as the log recorded them\.$/m);
    const atHome = spawnSync('python3', [join(ROOT, 'verifier', 'verify.py'), join(dir, 'd'), '--drafts'], { encoding: 'utf8' });
    expect(atHome.status).toBe(3);
    expect(atHome.stdout).toContain(`drafts/${drafts[0]} is not the draft the log recorded rendering`);
  });

  it('a log cut back to before its seal, checkpoints removed, passes the bundle alone; the checkpoint or head received apart from it catches it', async () => {
    const { bundle } = await exported(false);
    const inner = join(bundle, 's');
    const log = join(inner, 'evidence.jsonl');
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    const firstSeal = lines.findIndex((line) => line.includes('"type":"checkpoint.sealed"'));
    const received = join(bundle, 'received.checkpoint');
    // The latest seal's checkpoint, sent to counsel when it was made.
    const checkpoint = readdirSync(join(inner, 'checkpoints')).filter((n) => n.endsWith('.checkpoint')).sort().at(-1);
    copyFileSync(join(inner, 'checkpoints', checkpoint!), received);
    const head = /head ([0-9a-f]{64})/.exec(readFileSync(join(bundle, 'VERIFY.md'), 'utf8'))![1]!;
    // What whoever holds the directory can do: cut the log before the first seal, remove the checkpoints.
    writeFileSync(log, `${lines.slice(0, firstSeal).join('\n')}\n`);
    rmSync(join(inner, 'checkpoints'), { recursive: true });
    expect(runAsReader(bundle, 'python3 verify.py s').status).toBe(0);
    const held = runAsReader(bundle, 'python3 verify.py s --checkpoint received.checkpoint');
    expect(held.status).toBe(3);
    expect(held.out).toMatch(/received\.checkpoint sealed \d+ entries, and only the first \d+ of the log verify: the entries it sealed were removed or changed/);
    const byHead = runAsReader(bundle, `python3 verify.py s --head ${head}`);
    expect(byHead.status).toBe(3);
    expect(byHead.out).toContain(`the given head ${head} is not in this log`);
  });

  it('the README states the rules of the log word for word as VERIFY.md does', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(LOG_FORMAT.replace(/^## /, '### '));
  });
});
