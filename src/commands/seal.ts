/**
 * `leakctl seal INCIDENT [--key FILE]` (issue 16): a checkpoint of the log as it stands — its
 * origin, its number of entries and its head, in C2SP's tlog-checkpoint form — signed with the
 * responder's SSH key in the namespace leakctl-checkpoint, written into checkpoints/ and logged
 * (incident/seal.ts). Anyone with the checkpoint, its signature and the organisation's
 * allowed_signers can check it with stock OpenSSH, and `leakctl verify` then fails on a log
 * rewritten after it, even with every hash recomputed.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../config/settings.js';
import { CHECKPOINT_NAMESPACE } from '../evidence/sshsig.js';
import { writeIncident } from '../incident/open.js';
import { sealIncident } from '../incident/seal.js';
import type { CommonOptions } from '../options.js';
import { InvalidInput } from '../ui/errors.js';
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
    const sealed = await sealIncident(incident, key, config.allowedSigners);
    const { entry, principal } = sealed;
    if (options.json) out.json(entry);
    else {
      out.result(`${incident.dir}/${String(entry.data.checkpoint)}`);
      out.message(`Sealed the first ${sealed.size} entries of incident ${id} (head ${sealed.head}), signed with ${sealed.fingerprint}${principal ? ` (${printable(principal)})` : ''}; logged as entry #${entry.seq}.`);
      out.message(out.style.dim(`Check it with OpenSSH alone: ssh-keygen -Y verify -f allowed_signers -I ${principal ? printable(principal) : 'PRINCIPAL'} -n ${CHECKPOINT_NAMESPACE} -s ${String(entry.data.signature)} < ${String(entry.data.checkpoint)}`));
    }
  } finally {
    incident.close();
  }
  return 0;
}
