/**
 * VERIFY.md, the page that comes with an export bundle (issue 16): the exact commands that check
 * the bundle with sha256sum, ssh-keygen, openssl and python3 alone, what each should print, and
 * what a pass proves. The rules of the log it points to are LOG_FORMAT, which the README holds
 * word for word (a test compares them): the one description a second implementation follows.
 */
import { ENTRY_TYPES } from '../evidence/entry.js';
import { CHECKPOINTS_DIR } from '../evidence/layout.js';
import type { VerifyReport } from '../evidence/verify.js';
import { CHECKPOINT_NAMESPACE } from '../evidence/sshsig.js';

/** The names at the top of a bundle, beside the incident's own directory. */
export const BUNDLE_FILES = { guide: 'VERIFY.md', sums: 'SHA256SUMS', verifier: 'verify.py', signers: 'allowed_signers', tsaCa: 'tsa-ca.pem' } as const;
const F = BUNDLE_FILES;

export interface GuideFacts {
  readonly id: string;
  readonly version: string;
  readonly exportedAt: Date;
  /** The bundle's copy, verified. */
  readonly report: VerifyReport;
  /** The checkpoint.sealed entries: which checkpoint, sealed by whom (when the seal named them). */
  readonly sealed: readonly { checkpoint: string; principal: string | undefined }[];
  /** Timestamp tokens, relative to the incident directory. */
  readonly tokens: readonly string[];
  readonly drafts: number;
  readonly allowedSigners: boolean;
  readonly tsaCa: boolean;
}

/** A shell word: left bare when it is plainly safe, else single-quoted. */
function word(text: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export function verifyGuide(f: GuideFacts): string {
  const r = f.report;
  const inc = (rel: string): string => word(`${f.id}/${rel}`);
  const checkpoints = r.checkpoints ?? [];
  const principalOf = (file: string): string | undefined =>
    checkpoints.find((c) => c.file === file && c.signature === 'good')?.principal ?? f.sealed.find((s) => s.checkpoint === file)?.principal;
  const covered = checkpoints.reduce((most, c) => Math.max(most, c.size), 0);
  const tools = ['`sha256sum`', '`ssh-keygen` (OpenSSH 8.2 or later)', ...(f.tokens.length > 0 ? ['`openssl`'] : []), '`python3`'];
  const out: string[] = [];
  out.push(
    `# Verifying incident ${f.id}`,
    '',
    `This bundle was exported by leakctl ${f.version} on ${f.exportedAt.toISOString()}. It holds the incident's evidence log`,
    `(${r.entries} entries, head \`${r.head}\`), ${r.attachments} attachment(s), ${f.drafts} draft(s) and ${checkpoints.length} sealed checkpoint(s),`,
    `and everything needed to check them without leakctl: ${tools.slice(0, -1).join(', ')} and ${tools[tools.length - 1]}.`,
    '',
    '**It is as confidential as the incident**: the whole log, answers to the steps a playbook marks sensitive included, and every attachment the log names.',
    '',
    "Each draft in it is, byte for byte, the notice its latest `notice.rendered` entry records (that entry holds the draft's SHA-256; step 2 checks it); a draft edited since was left out.",
    '',
    'Run each command from the directory this file is in. Each must end with exit status 0 and print what is shown under it.',
    '',
    '## 1. Every file is the file that was exported',
    '',
    '```sh',
    `sha256sum -c ${F.sums}`,
    '```',
    '',
    'Every line ends in `OK`. (On macOS: `shasum -a 256 -c SHA256SUMS`.) This proves only that nothing changed in transit:',
    'anyone who changes a file can write a new SHA256SUMS. Steps 2 to 4 are what hold the log to what was sealed.',
    '',
    '## 2. The hash chain, the attachments and the checkpoints',
    '',
    '```sh',
    `python3 ${F.verifier} ${word(f.id)} --drafts`,
    '```',
    '',
    'It prints:',
    '',
    '```text',
    `OK  ${r.entries} entries, head ${r.head}`,
    `${r.attachments} attachment(s) intact.`,
    ...checkpoints.map((c) => `${c.file}: sealed the first ${c.size} entries, still the log's.`),
    `${f.drafts} draft(s) as the log recorded them.`,
    '```',
    '',
    `\`${F.verifier}\` is short and uses the Python standard library only. It follows the rules under "The evidence log, byte by byte" below,`,
    'recomputing every hash from the bytes of the log, and checks that each checkpoint still names an entry of the log:',
    'a log rewritten after a seal, even with every hash recomputed, fails here.',
    `It comes inside this bundle, so whoever could change the bundle could change it too: read it before you trust it, or compare it with \`verifier/verify.py\` of leakctl ${f.version} from a copy of leakctl you obtained yourself.`,
    '',
    'Nothing inside a bundle shows a log cut back to before its first seal with its checkpoints removed. If you received a checkpoint',
    '(with its `.sig`) or a head hash apart from this bundle, at the time it was sealed, hold the log to it as well, and check who signed it:',
    '',
    '```text',
    `python3 ${F.verifier} ${word(f.id)} --checkpoint RECEIVED.checkpoint`,
    `ssh-keygen -Y verify -f ${F.signers} -I PRINCIPAL -n ${CHECKPOINT_NAMESPACE} -s RECEIVED.checkpoint.sig < RECEIVED.checkpoint`,
    `python3 ${F.verifier} ${word(f.id)} --head HEX`,
    '```',
    '',
  );
  out.push('## 3. Who sealed the log', '');
  if (checkpoints.length === 0) {
    out.push('The log was never sealed: nothing outside it vouches for its content. The hash chain shows only that it is internally consistent.', '');
  } else {
    out.push(
      f.allowedSigners
        ? `\`${F.signers}\` is the organisation's list of who may seal, as it stood at the export. It is only as trustworthy as this bundle: compare it with the copy the organisation keeps, or with keys you know, before you rely on a signature.`
        : `No allowed_signers file came with this bundle: get the organisation's list of who may seal, save it here as \`${F.signers}\`, and run:`,
      '',
      '```sh',
    );
    for (const c of checkpoints) {
      const principal = principalOf(c.file);
      const sig = `${c.file}.sig`;
      out.push(
        principal !== undefined
          ? `ssh-keygen -Y verify -f ${F.signers} -I ${word(principal)} -n ${CHECKPOINT_NAMESPACE} -s ${inc(sig)} < ${inc(c.file)}`
          : `ssh-keygen -Y verify -f ${F.signers} -I "$(ssh-keygen -Y find-principals -f ${F.signers} -s ${inc(sig)})" -n ${CHECKPOINT_NAMESPACE} -s ${inc(sig)} < ${inc(c.file)}`,
      );
    }
    out.push(
      '```',
      '',
      `Each prints \`Good "${CHECKPOINT_NAMESPACE}" signature for …\` with the signer's name and key.`,
      `These are the ${checkpoints.length} checkpoint(s) at the export: \`${f.id}/${CHECKPOINTS_DIR}/\` holds exactly these, each with its \`.sig\`${f.tokens.length > 0 ? ' (and `.tsr`)' : ''}; step 2 checks any other against the log, and an unsigned one proves nothing.`,
      '',
    );
  }
  out.push('## 4. When the log was sealed', '');
  if (f.tokens.length === 0) {
    out.push("No checkpoint has an RFC 3161 timestamp: the time of each seal is what its signer's machine said (the `at` of its checkpoint.sealed entry).", '');
  } else {
    out.push(
      f.tsaCa
        ? `Each checkpoint's timestamp token, from the timestamp authority whose CA certificate is \`${F.tsaCa}\` (compare it with the one the authority publishes):`
        : `Each checkpoint's timestamp token; save the timestamp authority's CA certificate here as \`${F.tsaCa}\` first:`,
      '',
      '```sh',
    );
    for (const token of f.tokens) {
      const checkpoint = token.replace(/\.tsr$/, '');
      out.push(`openssl ts -verify -in ${inc(token)} -data ${inc(checkpoint)} -CAfile ${F.tsaCa}`);
    }
    out.push('```', '', 'Each prints `Verification: OK`. `openssl ts -reply -in TOKEN -text` shows the time the authority vouches for.', '');
  }
  const after = r.entries - covered;
  out.push(
    '## What a pass proves, and what it does not',
    '',
    checkpoints.length > 0
      ? `- The first ${covered} of the ${r.entries} entries are the entries that were sealed, unchanged and in order; every attachment is the file the log recorded.`
      : '- The log is internally consistent and every attachment is the file the log recorded; with no checkpoint, nothing shows it was not rewritten as a whole.',
    ...(checkpoints.length > 0
      ? [`- Each checkpoint was signed by a key \`${F.signers}\` lists for the person named${f.tokens.length > 0 ? ', and each with a token (step 4) existed by the time the authority states' : ''}.`]
      : []),
    ...(after > 0 ? [`- The ${after} entr${after === 1 ? 'y' : 'ies'} after the last checkpoint ${after === 1 ? 'is' : 'are'} vouched for by the hash chain alone: whoever held the log could have rewritten ${after === 1 ? 'it' : 'them'}.`] : []),
    '- A log cut back to before its first checkpoint, its checkpoints removed, passes steps 1 to 3: only a checkpoint or head received apart from the bundle (step 2) shows it.',
    "- A pass does not prove that what the entries say is true. Each entry's `actor` and `at` are what the writing machine recorded: a signature vouches for who sealed, not for who wrote each entry, nor for the machine's clock.",
    ...(r.clockSetByHand ? [`- ${r.clockSetByHand.entries} entr${r.clockSetByHand.entries === 1 ? 'y was' : 'ies were'} written with the clock set by hand (leakctl's \`--now\`), from entry #${r.clockSetByHand.first}: their \`at\` is what the responder typed.`] : []),
    '',
    LOG_FORMAT,
  );
  return `${out.join('\n')}\n`;
}

/**
 * The rules of the evidence log, precise enough for a second implementation (issue 16, item 5).
 * The README holds this text word for word.
 */
export const LOG_FORMAT = `## The evidence log, byte by byte

\`evidence.jsonl\` is UTF-8 (strict: no byte-order mark, no invalid or overlong sequence, no encoded surrogate), one entry per line, each line ending in a line feed (0x0A) and in nothing else. Line N (counting from 1) holds entry N − 1.

Each line is one JSON object (RFC 8259), no member name twice in any object, with exactly seven members, in this order:

1. \`seq\`: the entry's number, N − 1 on line N (leakctl writes it as decimal digits; a checker compares the number).
2. \`at\`: when it was written, \`YYYY-MM-DDTHH:MM:SS.mmmZ\` (UTC, milliseconds, 24 characters), never earlier than the \`at\` of the line before (the fixed width makes comparing the text compare the times).
3. \`type\`: one of ${ENTRY_TYPES.map((t) => `\`${t}\``).join(', ')}. The first line, and only the first, is \`incident.opened\` (in a responder's chain, \`responder.joined\`; see below); nothing follows \`incident.closed\`.
4. \`actor\`: who wrote it, a string.
5. \`data\`: a JSON object; what it holds depends on the type.
6. \`prev\`: \`null\` on the first line; on every other line the \`hash\` of the line before.
7. \`hash\`: 64 lowercase hexadecimal digits, computed as follows.

**The hash input.** Every line ends with the 75 bytes \`,"hash":"\`, the 64 digits, \`"}\`. Take the line's bytes, replace those 75 bytes with the one byte \`}\`, and the SHA-256 of the result, in lowercase hex, is the hash. A checker hashes the bytes as they are written and never re-serialises the JSON, so it needs no JSON writer of its own. \`verify.py\` decodes every line and refuses one that is not well-formed JSON, names a member twice or has members beyond the seven; \`leakctl verify\`, to keep within a small multiple of \`sha256sum\`, reads each line by position (\`seq\`, \`at\`, \`type\`, \`actor\`, then \`data\` up to \`,"prev":\`) and lets the hash vouch for the bytes of \`data\`, decoding them where it acts on them. Only a line written with a recomputed hash, never one leakctl wrote, can tell the two apart.

**How leakctl writes a line** (ECMAScript's \`JSON.stringify\`), for a second writer that must produce lines the checkers accept: no whitespace between tokens; the members in the order above, and those of \`data\` in the order they were set; strings in UTF-8 with only these escaped: \`"\` as \`\\"\`, \`\\\` as \`\\\\\`, U+0008 \`\\b\`, U+0009 \`\\t\`, U+000A \`\\n\`, U+000C \`\\f\`, U+000D \`\\r\`, and the other characters below U+0020 as \`\\u00xx\` with lowercase hex digits; every other character is written as itself, \`/\`, U+007F, U+2028, U+2029 and emoji included; numbers in the shortest form that reads back as the same IEEE 754 double (ECMAScript's Number::toString: whole numbers below 10^21 without fraction or exponent); \`true\`, \`false\`, \`null\`. leakctl refuses a lone surrogate (U+D800 to U+DFFF not in a pair) at input, so its logs hold none, neither as itself nor escaped.

**A line cut short.** A last line without its line feed (or a last line that is not JSON) is a write cut short by a crash: the log does not verify until the next leakctl command that writes sets it aside.

**Attachments.** Every \`evidence.attached\` entry lists its files in \`data.files\`, and an answer to an attachment step (\`step.answered\` whose \`data.value\` is a non-empty list) lists them in \`data.value\`: each as \`{"path", "sha256", "bytes"}\`, the path relative to the incident's directory, parts separated by \`/\`, none of them empty, \`.\` or \`..\`. Each file there must be a regular file with that SHA-256 and size, with no symbolic link on the way.

**Several responders.** An incident worked in several copies (\`leakctl sync\`) has, beside \`evidence.jsonl\` (the chain of the copy that opened it, whose \`incident.opened\` names that copy in \`data.writer\`), one file \`chains/W.jsonl\` for each other copy that wrote to it, W being lowercase letters, digits and hyphens. Each such chain follows the rules above, except that its first line, and only its first, is \`responder.joined\` with \`data.writer\` equal to W, and it holds no \`incident.opened\`; no two chains have one writer. Any entry may carry \`data.sees\`: an object whose member names are other chains' writers, each \`{"seq": S, "hash": H}\`, saying its writer had read entry S of that chain; that entry must exist and its hash must be H. The incident's entries are taken in one order: each after the entry before it in its chain and after every entry it sees (directly or through the ones those see); among entries this leaves unordered, the earlier \`at\` first, then the writer's name compared by Unicode code points. Links that no order satisfies do not verify. Say an entry has read another when it sees it, or sees an entry that has read it, or follows in its own chain an entry that has: each \`responder.joined\` must have read the first line of \`evidence.jsonl\`, and no entry may have read another chain's \`incident.closed\`. Two answers to one step that neither writer had seen the other's are a conflict, shown until an answer given after both.

**Checkpoints.** \`checkpoints/NAME.checkpoint\` is a C2SP tlog-checkpoint: three lines, each ending with a line feed: the origin \`leakctl/incident/ID\` (ID is the incident's directory name), the number N of entries it covers, and the base64 of the 32 bytes whose hex is the hash of line N; extension lines may follow. \`NAME.checkpoint.sig\` is an SSH signature (SSHSIG) of the checkpoint's bytes in the namespace \`${CHECKPOINT_NAMESPACE}\`. \`NAME.checkpoint.tsr\`, when there is one, is an RFC 3161 time-stamp response whose message imprint is the SHA-256 of the checkpoint's bytes. A \`checkpoint.sealed\` entry names the checkpoint it wrote in \`data.checkpoint\` (\`checkpoints/NAME.checkpoint\`), which must exist. Every checkpoint must have its signature beside it, and the entry at its size must have its head. A checkpoint covers \`evidence.jsonl\`; each chain under \`chains/\` it covers adds one extension line \`chain W N HEAD\` (HEAD in base64 as above), and line N of \`chains/W.jsonl\` must have that hash.
`;
