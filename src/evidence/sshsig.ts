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
 * `ssh-keygen -t ed25519` makes; a signature by another kind of key is refused, never taken on
 * trust, and `seal` refuses to make one.
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

/** One line of an allowed_signers file: who, for which namespaces, when, with which key. */
export interface AllowedSigner {
  readonly principals: string;
  readonly namespaces?: string;
  /** valid-after / valid-before, as instants. */
  readonly validAfter?: Date;
  readonly validBefore?: Date;
  readonly publicKey: Buffer;
  readonly keyType: string;
  /** Line number in the file, for messages. */
  readonly line: number;
}

/** YYYYMMDD[HHMM[SS]] (UTC when it ends in Z; leakctl reads it as UTC either way), as ssh-keygen takes it. */
function validityTime(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?Z?$/.exec(text);
  if (!m) return undefined;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * The lines of an allowed_signers file, as ssh-keygen(1) reads them: `principals [options]
 * keytype base64 [comment]`, options `namespaces="…"`, `valid-after="…"`, `valid-before="…"`
 * (names in any case). An option leakctl does not know, and `cert-authority` (a checkpoint is
 * signed with a plain key), make the line a problem rather than be dropped: a restriction
 * silently ignored would accept what OpenSSH refuses. Blank lines and `#` comments are skipped.
 */
export function parseAllowedSigners(text: string): { signers: AllowedSigner[]; problems: string[] } {
  const signers: AllowedSigner[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    const at = `line ${i + 1}`;
    if (line === '' || line.startsWith('#')) return;
    // Fields are split on spaces outside quotes.
    const fields = line.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
    const [principals, ...rest] = fields;
    let options: string | undefined;
    if (rest[0] !== undefined && !/^(ssh-|ecdsa-|sk-)/.test(rest[0])) options = rest.shift();
    const [keyType, base64] = rest;
    if (!principals || !keyType || !base64) {
      problems.push(`${at}: expected "principals [options] keytype key"`);
      return;
    }
    const signer: { -readonly [K in keyof AllowedSigner]?: AllowedSigner[K] } = { principals: principals.replace(/^"|"$/g, ''), publicKey: Buffer.from(base64, 'base64'), keyType, line: i + 1 };
    for (const option of options?.match(/(?:[^,"]+|"[^"]*")+/g) ?? []) {
      const [, rawName, value] = /^([^=]+)(?:="([^"]*)")?$/.exec(option) ?? [];
      const name = rawName?.toLowerCase();
      if (name === 'namespaces' && value !== undefined) signer.namespaces = value;
      else if ((name === 'valid-after' || name === 'valid-before') && value !== undefined && validityTime(value)) {
        if (name === 'valid-after') signer.validAfter = validityTime(value)!;
        else signer.validBefore = validityTime(value)!;
      } else if (name === 'cert-authority') {
        problems.push(`${at}: a cert-authority line; list the signers' own keys`);
        return;
      } else {
        problems.push(`${at}: option ${option} is not one leakctl knows (namespaces="…", valid-after="YYYYMMDD", valid-before="YYYYMMDD")`);
        return;
      }
    }
    signers.push(signer as AllowedSigner);
  });
  return { signers, problems };
}

/** A pattern of OpenSSH's: `*` and `?` wildcards, case-sensitive. */
function matches(pattern: string, text: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(text);
}

/** A comma-separated pattern list as OpenSSH's match_pattern_list reads it: a `!pattern` that matches refuses, else any pattern that matches accepts. */
function matchesList(list: string, text: string): boolean {
  let accepted = false;
  for (const pattern of list.split(',')) {
    if (pattern.startsWith('!')) {
      if (matches(pattern.slice(1), text)) return false;
    } else if (matches(pattern, text)) accepted = true;
  }
  return accepted;
}

export type SignatureCheck = { readonly ok: true; readonly principal: string; readonly fingerprint: string } | { readonly ok: false; readonly reason: string };

/** `SHA256:…` as ssh-keygen -l prints a key's fingerprint. */
export function fingerprintOf(publicKey: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKey).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Whether `armored` is a valid signature of `message` in `namespace` by a key that allowed_signers
 * lists for `principal` (or, without one, for any principal: the first it lists is given).
 */
export function checkSshSignature(message: Buffer, armored: string, namespace: string, allowed: readonly AllowedSigner[], options: { principal?: string; now?: Date } = {}): SignatureCheck {
  const { principal, now = new Date() } = options;
  const sig = parseSshSignature(armored);
  if (typeof sig === 'string') return { ok: false, reason: sig };
  if (sig.namespace !== namespace) return { ok: false, reason: `signed in namespace "${sig.namespace}", not "${namespace}"` };
  if (sig.hashAlgorithm !== 'sha512' && sig.hashAlgorithm !== 'sha256') return { ok: false, reason: `hash algorithm "${sig.hashAlgorithm}" is not sha256 or sha512` };
  const fingerprint = fingerprintOf(sig.publicKey);
  const listed = allowed.filter((s) => s.publicKey.equals(sig.publicKey) && (!s.namespaces || matchesList(s.namespaces, namespace)) && (principal === undefined || matchesList(s.principals, principal)));
  if (listed.length === 0) return { ok: false, reason: `signed by key ${fingerprint}, which allowed_signers does not list${principal === undefined ? '' : ` for ${principal}`} in namespace ${namespace}` };
  const signer = listed.find((s) => (!s.validAfter || now >= s.validAfter) && (!s.validBefore || now < s.validBefore));
  if (!signer) return { ok: false, reason: `signed by key ${fingerprint}, which allowed_signers lists only outside its valid-after/valid-before window (line ${listed[0]!.line})` };
  // Only Ed25519 is checked here; a signature leakctl cannot check is not taken on trust.
  if (sig.keyType !== 'ssh-ed25519') return { ok: false, reason: `signed with a ${sig.keyType} key (${fingerprint}): leakctl checks Ed25519 signatures only; check it with ssh-keygen -Y verify, and seal with an Ed25519 key (ssh-keygen -t ed25519)` };
  let raw: Buffer;
  let sigBytes: Buffer;
  try {
    const key = new Reader(sig.publicKey);
    key.string();
    raw = key.string();
    const inner = new Reader(sig.signature);
    const sigType = inner.string().toString('latin1');
    sigBytes = inner.string();
    if (sigType !== 'ssh-ed25519' || !inner.done() || !key.done() || raw.length !== 32 || sigBytes.length !== 64) throw new Error('malformed');
  } catch {
    return { ok: false, reason: `a malformed Ed25519 signature (key ${fingerprint})` };
  }
  const signed = Buffer.concat([MAGIC, sshString(namespace), sshString(''), sshString(sig.hashAlgorithm), sshString(createHash(sig.hashAlgorithm).update(message).digest())]);
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  if (!verify(null, signed, publicKey, sigBytes)) return { ok: false, reason: `the signature by key ${fingerprint} does not match the checkpoint's text` };
  // The principal as asked, else the first plain name the line lists (not a pattern).
  const named = principal ?? signer.principals.split(',').find((p) => !/[*?!]/.test(p)) ?? signer.principals;
  return { ok: true, principal: named, fingerprint };
}

/**
 * Signs `message` in `namespace` with ssh-keygen: `keyFile` is a private key file, or a public
 * key file whose private key is in the agent (`env` carries SSH_AUTH_SOCK). The armored
 * signature, or what went wrong.
 */
export function signWithSshKeygen(message: Buffer, keyFile: string, namespace: string, env?: Readonly<Record<string, string | undefined>>): { signature: string } | { problem: string } {
  // Its own messages (a passphrase asked, "confirm user presence" for a FIDO key, an error) go
  // straight to the responder's terminal.
  const run = spawnSync('ssh-keygen', ['-Y', 'sign', '-q', '-f', keyFile, '-n', namespace], { input: message, stdio: ['pipe', 'pipe', 'inherit'], timeout: 120_000, ...(env ? { env } : {}) });
  const code = (run.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return { problem: 'ssh-keygen was not found: install OpenSSH (openssh-client)' };
  if (code === 'ETIMEDOUT') return { problem: 'ssh-keygen did not finish within 2 minutes (a passphrase or a touch of the key not given?)' };
  if (run.error) return { problem: run.error.message };
  if (run.status !== 0) return { problem: `ssh-keygen -Y sign exited ${run.status} (its message is above)` };
  return { signature: run.stdout.toString('utf8') };
}
