/**
 * Sealing an incident's log (issue 16): a checkpoint of the log as it stands, signed with an SSH
 * key through `ssh-keygen -Y sign`, checked against the organisation's allowed_signers before
 * anything is written, then written and logged through the incident. `leakctl seal` does it, and
 * `leakctl close` does it first when a signing key is configured.
 */
import { checkpointOrigin, checkpointText } from '../evidence/checkpoint.js';
import { loadAllowedSigners } from '../evidence/checkpoints.js';
import type { EvidenceEntry } from '../evidence/entry.js';
import { CHECKPOINT_NAMESPACE, checkSshSignature, fingerprintOf, parseSshSignature, signWithSshKeygen } from '../evidence/sshsig.js';
import { EXIT, InvalidInput, LeakctlError } from '../ui/errors.js';
import { printable } from '../ui/text.js';
import type { Incident } from './incident.js';

export interface Sealed {
  readonly entry: EvidenceEntry;
  readonly size: number;
  readonly head: string;
  readonly fingerprint: string;
  readonly principal?: string;
}

export async function sealIncident(incident: Incident, key: string, allowedSigners: string | undefined): Promise<Sealed> {
  incident.refuseClosed();
  const { entries, head } = incident.state;
  const text = checkpointText({ origin: checkpointOrigin(incident.id), size: entries, head: head!, extensions: [] });
  // Signed before the lock is taken: ssh-keygen may ask for a passphrase or a touch of a key.
  const signed = signWithSshKeygen(Buffer.from(text, 'utf8'), key, CHECKPOINT_NAMESPACE);
  if ('problem' in signed) throw new LeakctlError(`could not sign the checkpoint with ${printable(key)}: ${printable(signed.problem)}. Nothing was written.`, EXIT.invalid);
  const sig = parseSshSignature(signed.signature);
  if (typeof sig === 'string') throw new LeakctlError(`ssh-keygen wrote ${sig}. Nothing was written.`, EXIT.failure);
  const fingerprint = fingerprintOf(sig.publicKey);
  // Said now rather than found by a reader later: a key the organisation does not list.
  let principal: string | undefined;
  if (allowedSigners !== undefined) {
    const allowed = loadAllowedSigners(allowedSigners);
    if (typeof allowed === 'string') throw new InvalidInput(`${printable(allowed)}; fix it, then seal again. Nothing was written.`);
    const check = checkSshSignature(Buffer.from(text, 'utf8'), signed.signature, CHECKPOINT_NAMESPACE, allowed);
    if (!check.ok && !check.unchecked) throw new InvalidInput(`the checkpoint's signature would not be accepted: ${printable(check.reason)}. Add the key to ${printable(allowedSigners)}, or sign with a key it lists. Nothing was written.`);
    if (check.ok) principal = check.principal;
  }
  const name = `${String(entries).padStart(8, '0')}-${head!.slice(0, 12)}`;
  const entry = await incident.recordCheckpoint(name, text, signed.signature, { size: entries, head, key: fingerprint, ...(principal ? { principal } : {}) });
  return { entry, size: entries, head: head!, fingerprint, ...(principal ? { principal } : {}) };
}
