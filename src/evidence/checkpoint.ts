/**
 * A checkpoint of an incident's log (issue 16; design note: issue 13), in the text form of C2SP's
 * tlog-checkpoint: the origin line naming the incident, the number of entries, and the head hash
 * in base64, one per line, each ending in a newline; extension lines may follow (one per chain,
 * once an incident has several). Signed as an SSH signature (sshsig.ts), it lets someone who was
 * not there hold the log to what it said when it was sealed.
 */
const HEX64 = /^[0-9a-f]{64}$/;

export interface Checkpoint {
  readonly origin: string;
  /** Entries covered: the log's first `size` entries. */
  readonly size: number;
  /** The hash of entry `size - 1`, hex, as the log writes it. */
  readonly head: string;
  readonly extensions: readonly string[];
}

/** The origin of an incident's checkpoints: a schema-less name with no spaces or plus signs, as C2SP asks. */
export function checkpointOrigin(incident: string): string {
  return `leakctl/incident/${incident}`;
}

export function checkpointText(c: Checkpoint): string {
  return [c.origin, String(c.size), Buffer.from(c.head, 'hex').toString('base64'), ...c.extensions].map((line) => `${line}\n`).join('');
}

/** The extension line that seals a responder's chain (issue 17): `chain W N HEAD`, HEAD in base64. */
export function chainLine(writer: string, size: number, head: string): string {
  return `chain ${writer} ${size} ${Buffer.from(head, 'hex').toString('base64')}`;
}

/** The chains a checkpoint seals besides evidence.jsonl (its `chain` extension lines), or what is wrong with one. */
export function sealedChains(c: Checkpoint): { writer: string; size: number; head: string }[] | string {
  const out: { writer: string; size: number; head: string }[] = [];
  for (const line of c.extensions) {
    if (!line.startsWith('chain ')) continue;
    const m = /^chain ([a-z0-9-]{1,80}) (0|[1-9][0-9]{0,15}) (\S+)$/.exec(line);
    const hex = m ? Buffer.from(m[3]!, 'base64').toString('hex') : '';
    if (!m || !HEX64.test(hex) || Buffer.from(hex, 'hex').toString('base64') !== m[3]) return `the extension line "${line}" is not "chain WRITER ENTRIES HEAD"`;
    out.push({ writer: m[1]!, size: Number(m[2]), head: hex });
  }
  return out;
}

/** A checkpoint's text read back, or what is wrong with it. */
export function parseCheckpoint(text: string): Checkpoint | string {
  if (!text.endsWith('\n')) return 'a checkpoint ends with a newline';
  const [origin, size, head, ...extensions] = text.slice(0, -1).split('\n');
  if (!origin || /[\s+]/.test(origin)) return 'the first line (the origin) is empty or holds a space or a plus sign';
  if (!size || !/^(0|[1-9][0-9]{0,15})$/.test(size)) return 'the second line is not a number of entries';
  const hex = head === undefined ? '' : Buffer.from(head, 'base64').toString('hex');
  if (!HEX64.test(hex) || Buffer.from(hex, 'hex').toString('base64') !== head) return 'the third line is not a SHA-256 hash in base64';
  if (extensions.some((line) => line === '')) return 'a blank line inside the checkpoint';
  return { origin, size: Number(size), head: hex, extensions };
}
