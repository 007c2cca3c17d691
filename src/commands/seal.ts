/**
 * `leakctl seal INCIDENT [--key FILE]` (issue 16): a checkpoint of the log as it stands — its
 * origin, its number of entries and its head, in C2SP's tlog-checkpoint form — signed with the
 * responder's SSH key through `ssh-keygen -Y sign` in the namespace leakctl-checkpoint, written
 * into checkpoints/ and logged. Anyone with the checkpoint, its signature and the organisation's
 * allowed_signers can check it with stock OpenSSH, and `leakctl verify` then fails on a log
 * rewritten after it, even with every hash recomputed.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../config/settings.js';
import { checkpointOrigin, checkpointText } from '../evidence/checkpoint.js';
import { loadAllowedSigners } from '../evidence/checkpoints.js';
import { CHECKPOINT_NAMESPACE, checkSshSignature, fingerprintOf, parseSshSignature, signWithSshKeygen } from '../evidence/sshsig.js';
import { writeIncident } from '../incident/open.js';
import type { CommonOptions } from '../options.js';
import { InvalidInput, LeakctlError, EXIT } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export async function run(options: CommonOptions, id: string, opts: { key?: string; responder?: string }): Promise<number> {
  const out = await Output.create(options);
  const config = loadConfig(options);
  const key = opts.key !== undefined ? resolve(options.cwd, opts.key) : config.signingKey;
  if (key === undefined) {
    throw new InvalidInput('no key to sign the checkpoint with: pass --key ~/.ssh/id_ed25519 (a private key, or a public key whose private key is in ssh-agent), or set signing_key: in leakctl.config.yaml');
  }
  const incident = await writeIncident(options, id, config, opts.responder, (t) => out.message(t));
  try {
    incident.refuseClosed();
    const { entries, head } = incident.state;
    const text = checkpointText({ origin: checkpointOrigin(id), size: entries, head: head!, extensions: [] });
    // Signed before the lock is taken: ssh-keygen may ask for a passphrase or a touch of a key.
    const signed = signWithSshKeygen(Buffer.from(text, 'utf8'), key, CHECKPOINT_NAMESPACE);
    if ('problem' in signed) throw new LeakctlError(`could not sign the checkpoint with ${printable(key)}: ${printable(signed.problem)}. Nothing was written.`, EXIT.invalid);
    const sig = parseSshSignature(signed.signature);
    if (typeof sig === 'string') throw new LeakctlError(`ssh-keygen wrote ${sig}. Nothing was written.`, EXIT.failure);
    const fingerprint = fingerprintOf(sig.publicKey);
    // Said now rather than found by a reader later: a key the organisation does not list.
    let principal: string | undefined;
    if (config.allowedSigners !== undefined) {
      const allowed = loadAllowedSigners(config.allowedSigners);
      if (typeof allowed === 'string') throw new InvalidInput(`${printable(allowed)}; fix it, then seal again. Nothing was written.`);
      const check = checkSshSignature(Buffer.from(text, 'utf8'), signed.signature, CHECKPOINT_NAMESPACE, allowed);
      if (!check.ok && !check.unchecked) throw new InvalidInput(`the checkpoint's signature would not be accepted: ${printable(check.reason)}. Add the key to ${printable(config.allowedSigners)}, or sign with a key it lists. Nothing was written.`);
      if (check.ok) principal = check.principal;
    }
    const name = `${String(entries).padStart(8, '0')}-${head!.slice(0, 12)}`;
    const entry = await incident.recordCheckpoint(name, text, signed.signature, { size: entries, head, key: fingerprint, ...(principal ? { principal } : {}) });
    if (options.json) out.json(entry);
    else {
      out.result(`${incident.dir}/${String(entry.data.checkpoint)}`);
      out.message(`Sealed the first ${entries} entries of incident ${id} (head ${head}), signed with ${fingerprint}${principal ? ` (${printable(principal)})` : ''}; logged as entry #${entry.seq}.`);
      out.message(out.style.dim(`Check it with OpenSSH alone: ssh-keygen -Y verify -f allowed_signers -I ${principal ? printable(principal) : 'PRINCIPAL'} -n ${CHECKPOINT_NAMESPACE} -s ${String(entry.data.signature)} < ${String(entry.data.checkpoint)}`));
    }
  } finally {
    incident.close();
  }
  return 0;
}
