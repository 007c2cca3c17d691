/**
 * SSH signatures (OpenSSH's PROTOCOL.sshsig) for the checkpoints of issue 16 (design note: issue
 * 13): a signature made by `ssh-keygen -Y sign` with the responder's key or agent, checked here
 * without any program, against an `allowed_signers` file (ssh-keygen(1), ALLOWED SIGNERS), as
 * `ssh-keygen -Y verify` checks it.
 *
 * Signing calls ssh-keygen rather than signing in Node: ssh-keygen reads every key a responder has
 * (encrypted files, the agent, FIDO keys, RSA, ECDSA, Ed25519) without leakctl ever holding a
 * private key or a passphrase, and what it writes is by construction what OpenSSH accepts.
 * Checking is done in Node, so that `leakctl verify` needs no program: Ed25519 keys, the kind
 * `ssh-keygen -t ed25519` makes; a signature by another kind of key is reported as not checked.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';

const MAGIC = Buffer.from('SSHSIG', 'latin1');
const ARMOUR_BEGIN = '-----BEGIN SSH SIGNATURE-----';
const ARMOUR_END = '-----END SSH SIGNATURE-----';

/** The namespace checkpoint signatures are made in: a signature made for anything else (git, a file) is not one. */
export const CHECKPOINT_NAMESPACE = 'leakctl-checkpoint';

/** Reads SSH wire strings (uint32 length, then bytes) from a buffer, refusing to read past its end. */
class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  bytes(n: number): Buffer {
    if (n < 0 || this.at + n > this.buf.length) throw new Error('truncated');
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  uint32(): number {
    return this.bytes(4).readUInt32BE(0);
  }
  string(): Buffer {
    return this.bytes(this.uint32());
  }
  done(): boolean {
    return this.at === this.buf.length;
  }
}

function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}

export interface SshSignature {
  /** The signer's public key as an SSH wire blob, and its type (ssh-ed25519, …). */
  readonly publicKey: Buffer;
  readonly keyType: string;
  readonly namespace: string;
  readonly hashAlgorithm: string;
  readonly signature: Buffer;
}

/** An armored SSH signature (`-----BEGIN SSH SIGNATURE-----`), or the reason it is not one. */
export function parseSshSignature(armored: string): SshSignature | string {
  const text = armored.trim();
  if (!text.startsWith(ARMOUR_BEGIN) || !text.endsWith(ARMOUR_END)) return `not an SSH signature (no ${ARMOUR_BEGIN} … ${ARMOUR_END})`;
  const blob = Buffer.from(text.slice(ARMOUR_BEGIN.length, -ARMOUR_END.length).replace(/\s+/g, ''), 'base64');
  try {
    const r = new Reader(blob);
    if (!r.bytes(6).equals(MAGIC)) return 'not an SSH signature (no SSHSIG preamble)';
    const version = r.uint32();
    if (version !== 1) return `SSH signature version ${version}; only version 1 is known`;
    const publicKey = r.string();
    const namespace = r.string().toString('utf8');
    r.string(); // reserved
    const hashAlgorithm = r.string().toString('utf8');
    const signature = r.string();
    if (!r.done()) return 'an SSH signature with bytes after its end';
    const keyType = new Reader(publicKey).string().toString('latin1');
    return { publicKey, keyType, namespace, hashAlgorithm, signature };
  } catch {
    return 'a truncated SSH signature';
  }
}

/** One line of an allowed_signers file: who, for which namespaces, with which key. */
export interface AllowedSigner {
  readonly principals: readonly string[];
  readonly namespaces?: readonly string[];
  readonly publicKey: Buffer;
  readonly keyType: string;
  /** Line number in the file, for messages. */
  readonly line: number;
}

/**
 * The lines of an allowed_signers file: `principals [options] keytype base64 [comment]`, with the
 * `namespaces="…"` option; a certificate authority line (`cert-authority`) is refused, since a
 * checkpoint is signed with a plain key. Blank lines and `#` comments are skipped.
 */
export function parseAllowedSigners(text: string): { signers: AllowedSigner[]; problems: string[] } {
  const signers: AllowedSigner[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    // Options may hold quoted commas and spaces: split on spaces outside quotes.
    const fields = line.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
    const [principals, ...rest] = fields;
    let options: string | undefined;
    if (rest[0] !== undefined && !/^(ssh-|ecdsa-|sk-)/.test(rest[0])) options = rest.shift();
    const [keyType, base64] = rest;
    if (!principals || !keyType || !base64) {
      problems.push(`line ${i + 1}: expected "principals [options] keytype key"`);
      return;
    }
    if (options && /(^|,)cert-authority(,|$)/.test(options)) {
      problems.push(`line ${i + 1}: a cert-authority line; list the signers' own keys`);
      return;
    }
    const namespaces = options?.match(/(?:^|,)namespaces="([^"]*)"/)?.[1]?.split(',');
    signers.push({ principals: principals.replace(/^"|"$/g, '').split(','), ...(namespaces ? { namespaces } : {}), publicKey: Buffer.from(base64, 'base64'), keyType, line: i + 1 });
  });
  return { signers, problems };
}

/** A principal pattern of allowed_signers: `*` and `?` wildcards, `!` negation not supported. */
function matches(pattern: string, principal: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(principal);
}

export type SignatureCheck =
  | { readonly ok: true; readonly principal: string; readonly fingerprint: string }
  | { readonly ok: false; readonly reason: string; readonly unchecked?: boolean };

/** `SHA256:…` as ssh-keygen -l prints a key's fingerprint. */
export function fingerprintOf(publicKey: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKey).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Whether `armored` is a valid signature of `message` in `namespace` by a key that allowed_signers
 * lists for `principal` (or, without one, for any principal: the first it lists is given).
 */
export function checkSshSignature(message: Buffer, armored: string, namespace: string, allowed: readonly AllowedSigner[], principal?: string): SignatureCheck {
  const sig = parseSshSignature(armored);
  if (typeof sig === 'string') return { ok: false, reason: sig };
  if (sig.namespace !== namespace) return { ok: false, reason: `signed in namespace "${sig.namespace}", not "${namespace}"` };
  if (sig.hashAlgorithm !== 'sha512' && sig.hashAlgorithm !== 'sha256') return { ok: false, reason: `hash algorithm "${sig.hashAlgorithm}" is not sha256 or sha512` };
  const fingerprint = fingerprintOf(sig.publicKey);
  const signer = allowed.find(
    (s) => s.publicKey.equals(sig.publicKey) && (!s.namespaces || s.namespaces.some((n) => matches(n, namespace))) && (principal === undefined || s.principals.some((p) => matches(p, principal))),
  );
  if (!signer) return { ok: false, reason: `signed by key ${fingerprint}, which allowed_signers does not list${principal === undefined ? '' : ` for ${principal}`}${namespace ? ` in namespace ${namespace}` : ''}` };
  if (sig.keyType !== 'ssh-ed25519') return { ok: false, unchecked: true, reason: `signed with a ${sig.keyType} key (${fingerprint}): leakctl checks Ed25519 signatures only; check it with ssh-keygen -Y verify` };
  const key = new Reader(sig.publicKey);
  key.string();
  const raw = key.string();
  const inner = new Reader(sig.signature);
  const sigType = inner.string().toString('latin1');
  const sigBytes = inner.string();
  if (sigType !== 'ssh-ed25519' || raw.length !== 32 || sigBytes.length !== 64) return { ok: false, reason: 'a malformed Ed25519 signature' };
  const signed = Buffer.concat([MAGIC, sshString(namespace), sshString(''), sshString(sig.hashAlgorithm), sshString(createHash(sig.hashAlgorithm).update(message).digest())]);
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  if (!verify(null, signed, publicKey, sigBytes)) return { ok: false, reason: `the signature by key ${fingerprint} does not match the checkpoint's text` };
  return { ok: true, principal: principal ?? signer.principals[0]!, fingerprint };
}

/**
 * Signs `message` in `namespace` with ssh-keygen: `keyFile` is a private key file, or a public
 * key file whose private key is in the agent (`env` carries SSH_AUTH_SOCK). The armored
 * signature, or what went wrong.
 */
export function signWithSshKeygen(message: Buffer, keyFile: string, namespace: string, env?: Readonly<Record<string, string | undefined>>): { signature: string } | { problem: string } {
  const run = spawnSync('ssh-keygen', ['-Y', 'sign', '-q', '-f', keyFile, '-n', namespace], { input: message, encoding: 'buffer', timeout: 120_000, ...(env ? { env } : {}) });
  if (run.error) return { problem: (run.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'ssh-keygen was not found: install OpenSSH (openssh-client)' : run.error.message };
  if (run.status !== 0) return { problem: `ssh-keygen -Y sign exited ${run.status}: ${run.stderr.toString('utf8').trim() || 'no message'}` };
  return { signature: run.stdout.toString('utf8') };
}
