/**
 * Sealing an incident's log (issue 16): a checkpoint of the log as it stands, signed with an SSH
 * key through `ssh-keygen -Y sign`, checked against the organisation's allowed_signers before
 * anything is written, then written and logged through the incident. `leakctl seal` does it, and
 * `leakctl close` does it first when a signing key is configured.
 */
import { hash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chainLine, checkpointOrigin, checkpointText } from '../evidence/checkpoint.js';
import { CHECKPOINTS_DIR } from '../evidence/layout.js';
import { loadAllowedSigners } from '../evidence/checkpoints.js';
import type { EvidenceEntry } from '../evidence/entry.js';
import { CHECKPOINT_NAMESPACE, checkSshSignature, fingerprintOf, parseSshSignature, signWithSshKeygen } from '../evidence/sshsig.js';
import { checkWithOpenssl, requestTimestamp } from '../evidence/timestamp.js';
import { EXIT, InvalidInput, LeakctlError } from '../ui/errors.js';
import { printable } from '../ui/text.js';
import type { Incident } from './incident.js';

export interface Sealed {
  /** Null for a closed log: its checkpoint is written, not logged. */
  readonly entry: EvidenceEntry | null;
  /** Relative to the incident directory. */
  readonly checkpoint: string;
  readonly signature: string;
  readonly size: number;
  readonly head: string;
  readonly fingerprint: string;
  readonly principal?: string;
  /** The RFC 3161 timestamp: where it is and the time vouched for, or why there is none (undefined: no TSA configured). */
  readonly timestamp?: { readonly file: string; readonly time: Date; readonly tsa: string | null } | { readonly problem: string };
}

/** The timestamp authority of the config: its URL, and its CA certificate to check tokens with. */
export interface TsaSettings {
  readonly url: string;
  readonly ca?: string;
}

/** The config's `tsa_url:` and `tsa_ca:`, when a URL is set. */
export function tsaOf(config: { readonly tsaUrl?: string; readonly tsaCa?: string }): TsaSettings | undefined {
  return config.tsaUrl === undefined ? undefined : { url: config.tsaUrl, ...(config.tsaCa !== undefined ? { ca: config.tsaCa } : {}) };
}

/**
 * The key to seal with: `--key` (relative to the working directory), else the config's
 * `signing_key:`, else none.
 */
export function signingKeyOf(given: string | undefined, cwd: string, configured: string | undefined): string | undefined {
  return given !== undefined ? resolve(cwd, given) : configured;
}

export async function sealIncident(incident: Incident, key: string, allowedSigners: string | undefined, tsa?: TsaSettings): Promise<Sealed> {
  // The opener's log, and a line for each other responder's chain (issue 17).
  const [log, ...chains] = incident.chainHeads();
  const { entries, head } = log!;
  const text = checkpointText({ origin: checkpointOrigin(incident.id), size: entries, head, extensions: chains.map((c) => chainLine(c.writer!, c.entries, c.head)) });
  // Signed before the lock is taken: ssh-keygen may ask for a passphrase or a touch of a key.
  const signed = signWithSshKeygen(Buffer.from(text, 'utf8'), key, CHECKPOINT_NAMESPACE);
  if ('problem' in signed) throw new LeakctlError(`could not sign the checkpoint with ${printable(key)}: ${printable(signed.problem)}. Nothing was written.`, EXIT.invalid);
  const sig = parseSshSignature(signed.signature);
  if (typeof sig === 'string') throw new LeakctlError(`ssh-keygen wrote ${sig}. Nothing was written.`, EXIT.failure);
  const fingerprint = fingerprintOf(sig.publicKey);
  // What leakctl verify cannot check is not made: a reader would have to take it on trust.
  if (sig.keyType !== 'ssh-ed25519') throw new InvalidInput(`${printable(key)} is a ${sig.keyType} key; leakctl seals and checks with Ed25519 keys only: make one with ssh-keygen -t ed25519, and list it in allowed_signers. Nothing was written.`);
  // Said now rather than found by a reader later: a key the organisation does not list.
  let principal: string | undefined;
  if (allowedSigners !== undefined) {
    const allowed = loadAllowedSigners(allowedSigners);
    if (typeof allowed === 'string') throw new InvalidInput(`${printable(allowed)}; fix it, then seal again. Nothing was written.`);
    const check = checkSshSignature(Buffer.from(text, 'utf8'), signed.signature, CHECKPOINT_NAMESPACE, allowed);
    if (!check.ok) throw new InvalidInput(`the checkpoint's signature would not be accepted: ${printable(check.reason)}. Add the key to ${printable(allowedSigners)}, or sign with a key it lists. Nothing was written.`);
    principal = check.principal;
  }
  // Named by what it seals: with several chains, every copy may seal, so the name counts every
  // chain's entries and carries the copy's own hash of the text (two copies never write one name).
  const total = entries + chains.reduce((n, c) => n + c.entries, 0);
  const name = chains.length === 0 ? `${String(entries).padStart(8, '0')}-${head.slice(0, 12)}` : `${String(total).padStart(8, '0')}-${hash('sha256', `${text}${incident.chain ?? ''}`, 'hex').slice(0, 12)}`;
  // Asked for before the lock is taken, like the signature: the network may be slow or absent,
  // and a seal without a timestamp still stands.
  const stamp = tsa ? await timestampOf(text, tsa) : undefined;
  const token = stamp && 'response' in stamp ? stamp.response : undefined;
  const entry = await incident.recordCheckpoint(
    name,
    text,
    signed.signature,
    { size: entries, head, ...(chains.length > 0 ? { chains: Object.fromEntries(chains.map((c) => [c.writer!, c.entries])) } : {}), key: fingerprint, ...(principal ? { principal } : {}), ...(stamp && 'time' in stamp ? { timestamped_at: stamp.time.toISOString() } : {}) },
    token,
  );
  const timestamp = stamp === undefined ? undefined : 'problem' in stamp ? { problem: stamp.problem } : { file: `${CHECKPOINTS_DIR}/${name}.checkpoint.tsr`, time: stamp.time, tsa: stamp.tsa };
  return { entry, checkpoint: `${CHECKPOINTS_DIR}/${name}.checkpoint`, signature: `${CHECKPOINTS_DIR}/${name}.checkpoint.sig`, size: total, head: head!, fingerprint, ...(principal ? { principal } : {}), ...(timestamp ? { timestamp } : {}) };
}

/**
 * A timestamp token for the checkpoint's text from the configured authority, checked as verify
 * will check it (with openssl, against its CA certificate when one is configured): a token that
 * would fail verify is not kept. Why there is none otherwise.
 */
async function timestampOf(text: string, tsa: TsaSettings): Promise<{ response: Buffer; time: Date; tsa: string | null } | { problem: string }> {
  const got = await requestTimestamp(tsa.url, Buffer.from(text, 'utf8'));
  if ('problem' in got) return got;
  if (tsa.ca !== undefined) {
    const dir = fs.mkdtempSync(join(tmpdir(), 'leakctl-tsr-'));
    try {
      fs.writeFileSync(join(dir, 'c'), text, { mode: 0o600 });
      fs.writeFileSync(join(dir, 'c.tsr'), got.response, { mode: 0o600 });
      const verdict = checkWithOpenssl(join(dir, 'c.tsr'), join(dir, 'c'), tsa.ca);
      if (verdict !== null && verdict !== 'unavailable') return { problem: `the token from ${tsa.url} does not check against ${tsa.ca}: ${verdict.problem}` };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return { response: got.response, time: got.token.time, tsa: got.token.tsa };
}

/** What a seal says: where, how many entries, by which key, and how anyone checks it with OpenSSH alone. */
function sealedInWords(sealed: Sealed, dir: string, allowedSigners: string | undefined): string[] {
  const by = `${sealed.fingerprint}${sealed.principal ? ` (${printable(sealed.principal)})` : ''}`;
  const t = sealed.timestamp;
  const stamp =
    t === undefined
      ? []
      : 'problem' in t
        ? [`No timestamp: ${printable(t.problem)}. The seal stands without one${sealed.entry ? '; seal again later to add one' : ''}.`]
        : [`Timestamped ${t.time.toISOString()}${t.tsa ? ` by ${printable(t.tsa)}` : ''}: ${t.file}.`];
  return [
    `Sealed the first ${sealed.size} entries (head ${sealed.head}) in ${sealed.checkpoint}, signed with ${by}${sealed.entry ? `; logged as entry #${sealed.entry.seq}` : '; the log is closed, so the seal is not logged'}.`,
    ...stamp,
    `Check it with OpenSSH alone: ssh-keygen -Y verify -f ${printable(allowedSigners ?? 'allowed_signers')} -I ${sealed.principal ? printable(sealed.principal) : 'PRINCIPAL'} -n ${CHECKPOINT_NAMESPACE} -s ${join(dir, sealed.signature)} < ${join(dir, sealed.checkpoint)}`,
  ];
}

/** Where a seal's words go: the command's messages, its last line (how to check it) dimmed. */
export interface SealReader {
  message(text: string): void;
  readonly style: { dim(text: string): string };
}

/** Says what a seal did, as seal, close and the end of a session all say it; `lead` goes before the first line. */
export function printSealed(out: SealReader, sealed: Sealed, dir: string, allowedSigners: string | undefined, lead = ''): void {
  const words = sealedInWords(sealed, dir, allowedSigners);
  const check = words.pop()!;
  words.forEach((line, i) => out.message(i === 0 ? `${lead}${line}` : line));
  out.message(out.style.dim(check));
}
