/**
 * `leakctl seal INCIDENT [--key FILE]` (issue 16): a checkpoint of the log as it stands — its
 * origin, its number of entries and its head, in C2SP's tlog-checkpoint form — signed with the
 * responder's SSH key in the namespace leakctl-checkpoint, written into checkpoints/ and logged
 * (incident/seal.ts); a closed log is sealed without an entry, since none may follow its closing one. Anyone with the checkpoint, its signature and the organisation's
 * allowed_signers can check it with stock OpenSSH, and `leakctl verify` then fails on a log
 * rewritten after it, even with every hash recomputed.
 */
import { loadConfig } from '../config/settings.js';
import { writeIncident } from '../incident/open.js';
import { printSealed, sealIncident, signingKeyOf, tsaOf } from '../incident/seal.js';
import type { CommonOptions } from '../options.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';

export async function run(options: CommonOptions, id: string, opts: { key?: string; responder?: string }): Promise<number> {
  const out = await Output.create(options);
  const config = loadConfig(options);
  const key = signingKeyOf(opts.key, options.cwd, config.signingKey);
  if (key === undefined) {
    throw new InvalidInput('no key to sign the checkpoint with: pass --key ~/.ssh/id_ed25519 (a private key, or a public key whose private key is in ssh-agent), or set signing_key: in leakctl.config.yaml');
  }
  const incident = await writeIncident(options, id, config, opts.responder, (t) => out.message(t));
  try {
    const sealed = await sealIncident(incident, key, config.allowedSigners, tsaOf(config));
    if (options.json) out.json({ incident: id, checkpoint: sealed.checkpoint, signature: sealed.signature, size: sealed.size, head: sealed.head, key: sealed.fingerprint, principal: sealed.principal ?? null, timestamp: sealed.timestamp ?? null, entry: sealed.entry });
    else {
      out.result(`${incident.dir}/${sealed.checkpoint}`);
      printSealed(out, sealed, incident.dir, config.allowedSigners, `Incident ${id}: `);
    }
  } finally {
    incident.close();
  }
  return 0;
}
