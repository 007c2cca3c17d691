/**
 * Checkpoints and their SSH signatures (issue 16), checked against the program a third party will
 * use: a checkpoint signed through `ssh-keygen -Y sign` (with a key file, and with the key in an
 * agent) is accepted by `ssh-keygen -Y verify` and by leakctl's own check; a changed text, another
 * namespace, a key that allowed_signers does not list and a line for a certificate authority are
 * refused with the reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointOrigin, checkpointText, parseCheckpoint } from '../../src/evidence/checkpoint.js';
import { CHECKPOINT_NAMESPACE, checkSshSignature, fingerprintOf, parseAllowedSigners, parseSshSignature, signWithSshKeygen } from '../../src/evidence/sshsig.js';

const noSshKeygen = spawnSync('ssh-keygen', ['-?']).error ? 'ssh-keygen is not installed (Debian: openssh-client)' : null;
const tmp = mkdtempSync(join(tmpdir(), 'leakctl-sshsig-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function key(name: string, type = 'ed25519'): { file: string; pub: string } {
  const file = join(tmp, name);
  const made = spawnSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', `${name}@example.org`, '-f', file], { encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  return { file, pub: readFileSync(`${file}.pub`, 'utf8').trim() };
}

const HEAD = 'ab'.repeat(32);
const checkpoint = checkpointText({ origin: checkpointOrigin('platform-leak-20260302-090000'), size: 170, head: HEAD, extensions: [] });

describe('checkpoint text', () => {
  it('is the C2SP form: origin, size, base64 head, each on its own line; read back the same', () => {
    expect(checkpoint).toBe(`leakctl/incident/platform-leak-20260302-090000\n170\n${Buffer.from(HEAD, 'hex').toString('base64')}\n`);
    expect(parseCheckpoint(checkpoint)).toEqual({ origin: 'leakctl/incident/platform-leak-20260302-090000', size: 170, head: HEAD, extensions: [] });
    expect(parseCheckpoint(checkpoint.replace('170', '017'))).toBe('the second line is not a number of entries');
    expect(parseCheckpoint(checkpoint.slice(0, -1))).toBe('a checkpoint ends with a newline');
    expect(parseCheckpoint(`leakctl incident\n1\n${Buffer.from(HEAD, 'hex').toString('base64')}\n`)).toMatch(/origin/);
  });
});

describe.skipIf(noSshKeygen !== null)(`SSH signatures of checkpoints${noSshKeygen ? ` (skipped: ${noSshKeygen})` : ''}`, () => {
  it('a checkpoint signed with a key file: ssh-keygen -Y verify accepts it, and so does leakctl, naming the signer', () => {
    const dana = key('dana');
    const allowed = join(tmp, 'allowed_signers');
    writeFileSync(allowed, `# who may seal\ndana@example.org namespaces="${CHECKPOINT_NAMESPACE}" ${dana.pub}\n`);
    const signed = signWithSshKeygen(Buffer.from(checkpoint), dana.file, CHECKPOINT_NAMESPACE);
    if (!('signature' in signed)) throw new Error(signed.problem);
    writeFileSync(join(tmp, 'checkpoint'), checkpoint);
    writeFileSync(join(tmp, 'checkpoint.sig'), signed.signature);
    const stock = spawnSync('ssh-keygen', ['-Y', 'verify', '-f', allowed, '-I', 'dana@example.org', '-n', CHECKPOINT_NAMESPACE, '-s', join(tmp, 'checkpoint.sig')], { input: checkpoint, encoding: 'utf8' });
    expect(stock.status, stock.stderr).toBe(0);
    expect(stock.stdout).toContain('Good "leakctl-checkpoint" signature for dana@example.org');
    const { signers, problems } = parseAllowedSigners(readFileSync(allowed, 'utf8'));
    expect(problems).toEqual([]);
    const fingerprint = spawnSync('ssh-keygen', ['-l', '-f', `${dana.file}.pub`], { encoding: 'utf8' }).stdout.split(' ')[1];
    expect(checkSshSignature(Buffer.from(checkpoint), signed.signature, CHECKPOINT_NAMESPACE, signers, { principal: 'dana@example.org' })).toEqual({ ok: true, principal: 'dana@example.org', fingerprint });
    expect(checkSshSignature(Buffer.from(checkpoint), signed.signature, CHECKPOINT_NAMESPACE, signers)).toMatchObject({ ok: true, principal: 'dana@example.org' });
  });

  it('refuses a changed checkpoint, another namespace, a key not listed, and says why', () => {
    const dana = key('dana2');
    const mallory = key('mallory');
    const { signers } = parseAllowedSigners(`dana@example.org ${dana.pub}\n`);
    const signed = signWithSshKeygen(Buffer.from(checkpoint), dana.file, CHECKPOINT_NAMESPACE);
    if (!('signature' in signed)) throw new Error(signed.problem);
    const rewritten = checkpoint.replace('170', '171');
    expect(checkSshSignature(Buffer.from(rewritten), signed.signature, CHECKPOINT_NAMESPACE, signers)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match the checkpoint's text/) });
    const git = signWithSshKeygen(Buffer.from(checkpoint), dana.file, 'git');
    if (!('signature' in git)) throw new Error(git.problem);
    expect(checkSshSignature(Buffer.from(checkpoint), git.signature, CHECKPOINT_NAMESPACE, signers)).toEqual({ ok: false, reason: 'signed in namespace "git", not "leakctl-checkpoint"' });
    const forged = signWithSshKeygen(Buffer.from(checkpoint), mallory.file, CHECKPOINT_NAMESPACE);
    if (!('signature' in forged)) throw new Error(forged.problem);
    const check = checkSshSignature(Buffer.from(checkpoint), forged.signature, CHECKPOINT_NAMESPACE, signers);
    expect(check).toMatchObject({ ok: false });
    expect(!check.ok && check.reason).toContain(`signed by key ${fingerprintOf((parseSshSignature(forged.signature) as { publicKey: Buffer }).publicKey)}, which allowed_signers does not list`);
    // Listed for dana, but asked for lee: not lee's signature.
    expect(checkSshSignature(Buffer.from(checkpoint), signed.signature, CHECKPOINT_NAMESPACE, signers, { principal: 'lee@example.org' })).toMatchObject({ ok: false });
    expect(parseAllowedSigners(`*@example.org cert-authority ${dana.pub}\n`).problems).toEqual(['line 1: a cert-authority line; list the signers\' own keys']);
    expect(parseSshSignature('hello')).toMatch(/not an SSH signature/);
  });

  it('signs with the key in ssh-agent, given its public key; a signature by an ECDSA key, which leakctl does not check, is refused', () => {
    const agentKey = key('agent');
    const agent = spawnSync('ssh-agent', ['-s'], { encoding: 'utf8' });
    expect(agent.status, agent.stderr).toBe(0);
    const sock = /SSH_AUTH_SOCK=([^;]+);/.exec(agent.stdout)![1]!;
    const pid = /SSH_AGENT_PID=(\d+);/.exec(agent.stdout)![1]!;
    try {
      const env = { ...process.env, SSH_AUTH_SOCK: sock };
      expect(spawnSync('ssh-add', ['-q', agentKey.file], { env, encoding: 'utf8' }).status).toBe(0);
      // The private key file is gone: only the agent can sign.
      rmSync(agentKey.file);
      const signed = signWithSshKeygen(Buffer.from(checkpoint), `${agentKey.file}.pub`, CHECKPOINT_NAMESPACE, env);
      if (!('signature' in signed)) throw new Error(signed.problem);
      const { signers } = parseAllowedSigners(`agent@example.org ${agentKey.pub}\n`);
      expect(checkSshSignature(Buffer.from(checkpoint), signed.signature, CHECKPOINT_NAMESPACE, signers)).toMatchObject({ ok: true, principal: 'agent@example.org' });
    } finally {
      spawnSync('kill', [pid]);
    }
    const ecdsa = key('ecdsa', 'ecdsa');
    const signed = signWithSshKeygen(Buffer.from(checkpoint), ecdsa.file, CHECKPOINT_NAMESPACE);
    if (!('signature' in signed)) throw new Error(signed.problem);
    const { signers } = parseAllowedSigners(`ecdsa@example.org ${ecdsa.pub}\n`);
    // Not checked here, so not taken on trust: refused, saying how to check it.
    expect(checkSshSignature(Buffer.from(checkpoint), signed.signature, CHECKPOINT_NAMESPACE, signers)).toMatchObject({ ok: false, reason: expect.stringMatching(/ecdsa-sha2-nistp256 key .*check it with ssh-keygen -Y verify/) });
    expect(signWithSshKeygen(Buffer.from(checkpoint), join(tmp, 'no-such-key'), CHECKPOINT_NAMESPACE)).toMatchObject({ problem: expect.stringMatching(/ssh-keygen -Y sign exited 255/) });
  });

  it('reads allowed_signers as OpenSSH does: negated namespaces, valid-after/valid-before, option names in any case; an unknown option is a problem, not ignored', () => {
    const dana = key('dana3');
    const signed = signWithSshKeygen(Buffer.from(checkpoint), dana.file, CHECKPOINT_NAMESPACE);
    if (!('signature' in signed)) throw new Error(signed.problem);
    const check = (line: string, now = new Date('2026-03-02T12:00:00Z')) => {
      const { signers, problems } = parseAllowedSigners(`${line}\n`);
      expect(problems).toEqual([]);
      return checkSshSignature(Buffer.from(checkpoint), signed.signature, CHECKPOINT_NAMESPACE, signers, { now });
    };
    expect(check(`dana@example.org namespaces="*,!leakctl-checkpoint" ${dana.pub}`)).toMatchObject({ ok: false });
    expect(check(`dana@example.org NAMESPACES="git" ${dana.pub}`)).toMatchObject({ ok: false });
    expect(check(`dana@example.org namespaces="git,leakctl-*" ${dana.pub}`)).toMatchObject({ ok: true });
    expect(check(`dana@example.org valid-before="20260301" ${dana.pub}`)).toMatchObject({ ok: false, reason: expect.stringMatching(/valid-after\/valid-before window/) });
    expect(check(`dana@example.org valid-after="20260301",valid-before="20260401" ${dana.pub}`)).toMatchObject({ ok: true });
    // A pattern is not a name: the first plain principal is reported.
    expect(check(`*@example.org,dana@example.org ${dana.pub}`)).toMatchObject({ ok: true, principal: 'dana@example.org' });
    expect(parseAllowedSigners(`dana@example.org namespace="git" ${dana.pub}\n`).problems).toEqual(['line 1: option namespace="git" is not one leakctl knows (namespaces="…", valid-after="YYYYMMDD", valid-before="YYYYMMDD")']);
    // A signature cut short is a reason, not a crash.
    const body = Buffer.from(signed.signature.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    // The inner signature's length still says 64 bytes; 10 of them are gone, and the outer lengths are fixed to match.
    // The signature is the last string: uint32 83, then "ssh-ed25519" (4 + 11 bytes) and the 64-byte signature (4 + 64).
    const short = Buffer.from(body.subarray(0, body.length - 10));
    expect(short.readUInt32BE(body.length - 87)).toBe(83);
    short.writeUInt32BE(73, body.length - 87);
    const cut = `-----BEGIN SSH SIGNATURE-----\n${short.toString('base64')}\n-----END SSH SIGNATURE-----\n`;
    expect(checkSshSignature(Buffer.from(checkpoint), cut, CHECKPOINT_NAMESPACE, parseAllowedSigners(`d ${dana.pub}\n`).signers)).toMatchObject({ ok: false, reason: expect.stringMatching(/^a malformed Ed25519 signature/) });
  });
});
