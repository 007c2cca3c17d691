/**
 * verify.py, the second implementation shipped in every export bundle, on an incident worked by
 * two responders (issue 17): the opener's chain evidence.jsonl and chains/lee.jsonl, each naming
 * in `sees` the other's entries it had read. verify.py agrees with `leakctl verify` on the entry
 * count and the head (the last entry in merged order), and fails with it (exit 3, naming the
 * chain file) on an edited line of lee's chain, a `sees` forged with its line's hash recomputed,
 * lee's chain renamed to another responder's, a chain that does not begin with responder.joined,
 * a checkpoint whose `chain` line no longer leads to lee's chain, a note of lee written after
 * reading ana's incident.closed, and a responder.joined that says it had read nothing of the
 * opener's chain (each with its hashes recomputed).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/exec.js';
import { noSshKeygen, sshKey } from '../helpers/sealed.js';

const noPython = spawnSync('python3', ['--version']).status === 0 ? null : 'python3 is not installed';
const tmp = mkdtempSync(join(tmpdir(), 'leakctl-second-chains-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const incidents = join(tmp, 'incidents');
/** The incident both responders wrote to; its copies keep the directory name `m` (the checkpoints' origin names it). */
const incident = join(incidents, 'm');
/** The same incident in another incidents directory, sealed there by ana: its checkpoint has a line `chain lee N HEAD`. */
const sealedIncidents = join(tmp, 'sealed');
/** The same incident in another incidents directory, closed there by ana after lee wrote. */
const closedIncidents = join(tmp, 'closed');
/** The incident as it was before ana read lee's chain: no entry of evidence.jsonl names lee's in its sees. */
const unreadIncidents = join(tmp, 'unread');
const cwd = { ana: join(tmp, 'ana'), lee: join(tmp, 'lee') };

type Entry = { seq: number; at: string; type: string; actor: string; data: Record<string, unknown>; prev: string | null; hash: string };

interface Verdict {
  code: number;
  ok: boolean;
  entries: number;
  head: string | null;
  /** What a user reads: each problem on a line of its own (verify.py: all it prints without --json). */
  said: string;
}

async function leakctlSays(dir: string, ...more: string[]): Promise<Verdict> {
  const r = await inProcess(['--json', 'verify', dir, ...more], { cwd: tmp });
  const parsed = JSON.parse(r.stdout) as { ok: boolean; entries: number; head: string | null; problems: { message: string }[] };
  expect(r.code, r.stderr).toBe(parsed.ok ? 0 : 3);
  return { code: r.code, ok: parsed.ok, entries: parsed.entries, head: parsed.head, said: parsed.problems.map((p) => p.message).join('\n') };
}

function pythonSays(dir: string, ...more: string[]): Verdict {
  const script = join(ROOT, 'verifier', 'verify.py');
  const json = spawnSync('python3', [script, dir, '--json', ...more], { encoding: 'utf8' });
  const text = spawnSync('python3', [script, dir, ...more], { encoding: 'utf8' });
  expect(json.stderr).toBe('');
  expect(text.status).toBe(json.status);
  const parsed = JSON.parse(json.stdout) as { ok: boolean; entries: number; head: string | null };
  expect(json.status).toBe(parsed.ok ? 0 : 3);
  return { code: json.status!, ok: parsed.ok, entries: parsed.entries, head: parsed.head, said: text.stdout + text.stderr };
}

function entriesOf(file: string): Entry[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Entry);
}

/** The line leakctl writes for `e` (its members in their order), with prev and hash computed as the README's rule says. */
function lineOf(e: Entry, prev: string | null): { line: string; hash: string } {
  const { hash: _, ...rest } = e;
  const body = JSON.stringify({ ...rest, prev });
  const hash = createHash('sha256').update(body, 'utf8').digest('hex');
  return { line: `${body.slice(0, -1)},"hash":"${hash}"}`, hash };
}

/** A chain rebuilt from entries, each renumbered, relinked and rehashed. */
function rebuilt(entries: readonly Entry[]): string {
  let prev: string | null = null;
  let out = '';
  entries.forEach((e, seq) => {
    const { line, hash } = lineOf({ ...e, seq }, prev);
    prev = hash;
    out += `${line}\n`;
  });
  return out;
}

/** A copy of the incident (or of `from`), named `m` as it is, damaged by `damage`. */
function variant(name: string, damage: (dir: string) => void, from = incident): string {
  const dir = join(tmp, 'variants', name, 'm');
  cpSync(from, dir, { recursive: true });
  damage(dir);
  return dir;
}

async function ok(who: 'ana' | 'lee', args: string[], dir = incidents): Promise<void> {
  const r = await inProcess(['--dir', dir, ...args], { cwd: cwd[who] });
  expect(r.code, `${who}: leakctl ${args.join(' ')}\n${r.stderr}`).toBe(0);
}

beforeAll(async () => {
  if (noPython) return;
  // Two copies, each with its responder: ana opens (evidence.jsonl), lee joins (chains/lee.jsonl).
  for (const [who, dir] of Object.entries(cwd)) {
    mkdirSync(dir, { recursive: true });
    const signing = who === 'ana' && !noSshKeygen ? `signing_key: ana\n` : '';
    if (signing) sshKey(dir, 'ana');
    writeFileSync(join(dir, 'leakctl.config.yaml'), `schema: leakctl/config@1\nresponder: ${who}\n${signing}`);
  }
  writeFileSync(join(cwd.ana, 'p.yaml'), 'schema: leakctl/playbook@1\nid: p\ntitle: P\ncause: other\nsummary: S.\nphases:\n  - id: a\n    title: A\n    steps:\n      - { id: aware_at, kind: datetime, prompt: When? }\n      - { id: what, kind: text, prompt: What happened? }\n');
  writeFileSync(join(cwd.ana, 'a.yaml'), 'schema: leakctl/answers@1\nresponder: Ana\nnow: 2026-03-02T10:00:00Z\nanswers:\n  aware_at: 2026-03-02T09:00:00Z\n  what: A moderator copied the channel.\n');
  await ok('ana', ['start', 'p.yaml', '--answers', 'a.yaml', '--id', 'm']);
  await ok('lee', ['--now', '2026-03-02T10:10:00Z', 'note', 'm', "lee's first look"]);
  writeFileSync(join(cwd.lee, 'capture.txt'), 'what lee captured\n');
  await ok('lee', ['--now', '2026-03-02T10:11:00Z', 'attach', 'm', 'capture.txt', '--description', 'a capture', '--from', 'the forum', '--collected-at', '2026-03-02T10:11:00Z', '--how', 'screenshot']);
  cpSync(incident, join(unreadIncidents, 'm'), { recursive: true });
  // ana writes having read lee's chain; lee, having read ana's new entry (his clock behind hers).
  await ok('ana', ['--now', '2026-03-02T10:20:00Z', 'note', 'm', 'ana read what lee found']);
  await ok('lee', ['--now', '2026-03-02T10:15:00Z', 'note', 'm', 'lee read what ana wrote']);
  cpSync(incident, join(closedIncidents, 'm'), { recursive: true });
  await ok('ana', ['--now', '2026-03-02T10:40:00Z', 'close', 'm'], closedIncidents);
  if (!noSshKeygen) {
    cpSync(incident, join(sealedIncidents, 'm'), { recursive: true });
    await ok('ana', ['--now', '2026-03-02T10:30:00Z', 'seal', 'm'], sealedIncidents);
  }
}, 60_000);

describe.skipIf(noPython !== null)(`verify.py on an incident with two responders' chains${noPython ? ` (skipped: ${noPython})` : ''}`, () => {
  it("agrees with leakctl verify: both pass, with every chain's entries counted and the head of the merged order", async () => {
    const opener = entriesOf(join(incident, 'evidence.jsonl'));
    const lee = entriesOf(join(incident, 'chains', 'lee.jsonl'));
    // What the incident is made of: lee's chain begins with responder.joined, and each chain saw the other's.
    expect(lee[0]!.type).toBe('responder.joined');
    expect(lee.map((e) => e.data.sees).filter(Boolean).length).toBeGreaterThanOrEqual(2);
    expect(opener.some((e) => (e.data.sees as Record<string, unknown> | undefined)?.lee)).toBe(true);
    const ours = await leakctlSays(incident);
    const theirs = pythonSays(incident);
    expect(ours.code, ours.said).toBe(0);
    expect(theirs.code, theirs.said).toBe(0);
    expect({ entries: theirs.entries, head: theirs.head }).toEqual({ entries: ours.entries, head: ours.head });
    expect(theirs.entries).toBe(opener.length + lee.length);
    // lee's last note came after reading ana's, whatever its clock says (10:15 < 10:20).
    expect(theirs.head).toBe(lee.at(-1)!.hash);
    expect(theirs.said).toMatch(/1 attachment\(s\) intact/);
  }, 60_000);

  it.skipIf(noSshKeygen !== null)("agrees on the incident sealed with a line for lee's chain", async () => {
    const dir = join(sealedIncidents, 'm');
    const ours = await leakctlSays(dir);
    const theirs = pythonSays(dir);
    expect({ leakctl: ours.code, python: theirs.code }, `${ours.said}\n${theirs.said}`).toEqual({ leakctl: 0, python: 0 });
    expect({ entries: theirs.entries, head: theirs.head }).toEqual({ entries: ours.entries, head: ours.head });
    expect(theirs.said).toMatch(/^checkpoints\/\S+\.checkpoint: sealed the first \d+ entries, still the log's\.$/m);
  }, 60_000);

  it('agrees on --head: an entry of either chain is found, a hash of none is not', async () => {
    const lee = entriesOf(join(incident, 'chains', 'lee.jsonl'));
    for (const [head, code] of [
      [lee[1]!.hash, 0],
      ['0'.repeat(64), 3],
    ] as const) {
      expect((await leakctlSays(incident, '--head', head)).code).toBe(code);
      expect(pythonSays(incident, '--head', head).code).toBe(code);
    }
  }, 60_000);

  it('fails with leakctl (exit 3, naming the chain file) on each damage to the chains', async () => {
    const leeFile = (dir: string): string => join(dir, 'chains', 'lee.jsonl');
    const cases: [string, (dir: string) => void, RegExp, RegExp, string?][] = [
      [
        'a line of lee edited',
        (dir) => writeFileSync(leeFile(dir), readFileSync(leeFile(dir), 'utf8').replace("lee's first look", "lee's second look")),
        /^chains\/lee\.jsonl line 2: hash does not match its content/m,
        /^chains\/lee\.jsonl line 2: hash does not match its content/m,
      ],
      [
        'a sees forged, its hash recomputed',
        (dir) => {
          const lines = readFileSync(leeFile(dir), 'utf8').trim().split('\n');
          const last = JSON.parse(lines.at(-1)!) as Entry;
          const sees = last.data.sees as Record<string, { seq: number; hash: string }>;
          sees.ana = { ...sees.ana!, hash: 'f'.repeat(64) };
          lines[lines.length - 1] = lineOf(last, last.prev).line;
          writeFileSync(leeFile(dir), `${lines.join('\n')}\n`);
        },
        new RegExp(`^chains/lee\\.jsonl line ${entriesOf(join(incident, 'chains', 'lee.jsonl')).length}: it has seen entry #\\d+ of ana's chain \\(evidence\\.jsonl\\) with hash f{64}`, 'm'),
        // leakctl names the writer's entry, not the file.
        /lee's entry #\d+ has seen entry #\d+ of ana's chain with hash f{64}/,
      ],
      [
        "lee's chain renamed to kim's",
        (dir) => renameSync(leeFile(dir), join(dir, 'chains', 'kim.jsonl')),
        /^chains\/kim\.jsonl line 1: it begins the chain lee, whose file is chains\/lee\.jsonl/m,
        /^chains\/kim\.jsonl line 1: it begins the chain lee, whose file is chains\/lee\.jsonl/m,
      ],
      [
        'a chain that does not begin with responder.joined, hashes recomputed',
        (dir) => writeFileSync(leeFile(dir), rebuilt(entriesOf(leeFile(dir)).slice(1))),
        /^chains\/lee\.jsonl line 1: the first entry is note\.added; a responder's chain begins with responder\.joined/m,
        /^chains\/lee\.jsonl line 1: the first entry is note\.added; a responder's chain begins with responder\.joined/m,
      ],
    ];
    const closed = entriesOf(join(closedIncidents, 'm', 'evidence.jsonl'));
    const leeLines = entriesOf(join(incident, 'chains', 'lee.jsonl')).length;
    cases.push(
      [
        "a note of lee written after reading ana's close, its hash recomputed",
        (dir) => {
          const close = closed.at(-1)!;
          expect(close.type).toBe('incident.closed');
          const lee = entriesOf(leeFile(dir));
          const last = lee.at(-1)!;
          expect(last.type).toBe('note.added');
          // Its clock not behind its own chain's, nor the close it read.
          const at = last.at > close.at ? last.at : close.at;
          const note: Entry = { ...last, seq: lee.length, at, data: { ...last.data, text: 'lee read the close', sees: { ana: { seq: close.seq, hash: close.hash } } } };
          appendFileSync(leeFile(dir), `${lineOf(note, last.hash).line}\n`);
        },
        new RegExp(`^chains/lee\\.jsonl line ${leeLines + 1}: written after reading that the incident was closed \\(evidence\\.jsonl line ${closed.length}\\); a closed incident takes no entry$`, 'm'),
        new RegExp(`^chains/lee\\.jsonl line ${leeLines + 1}: written after reading that the incident was closed \\(evidence\\.jsonl line ${closed.length}\\); a closed incident takes no entry$`, 'm'),
        join(closedIncidents, 'm'),
      ],
      [
        "lee's responder.joined saying it had read nothing of ana's chain, hashes recomputed",
        (dir) => {
          const [joined, ...rest] = entriesOf(leeFile(dir));
          expect(joined!.type).toBe('responder.joined');
          expect(joined!.data.sees).toBeTruthy();
          writeFileSync(leeFile(dir), rebuilt([{ ...joined!, data: { ...joined!.data, sees: {} } }, ...rest]));
        },
        /^chains\/lee\.jsonl line 1: responder\.joined does not say it had read the incident's opening \(sees names no entry of evidence\.jsonl's writer ana\)$/m,
        /^chains\/lee\.jsonl line 1: responder\.joined does not say it had read the incident's opening \(sees names no entry of evidence\.jsonl's writer ana\)$/m,
        // Before ana read lee's chain: relinking it breaks no sees of hers.
        join(unreadIncidents, 'm'),
      ],
    );
    if (!noSshKeygen) {
      cases.push([
        "a checkpoint's chain line changed",
        (dir) => {
          const file = join(dir, 'checkpoints', readFileSync(join(dir, 'evidence.jsonl'), 'utf8').match(/"checkpoint":"checkpoints\/([^"]+)"/)![1]!);
          const text = readFileSync(file, 'utf8');
          expect(text).toMatch(/^chain lee \d+ \S+$/m);
          writeFileSync(file, text.replace(/^(chain lee \d+) \S+$/m, `$1 ${Buffer.alloc(32, 7).toString('base64')}`));
        },
        /^checkpoints\/\S+\.checkpoint sealed the first \d+ entries of chains\/lee\.jsonl with head 0707/m,
        /^checkpoints\/\S+\.checkpoint sealed the first \d+ entries of chains\/lee\.jsonl with head 0707/m,
        join(sealedIncidents, 'm'),
      ]);
    }
    for (const [name, damage, pythonSaid, leakctlSaid, from] of cases) {
      const dir = variant(name.replace(/[^a-z0-9]+/gi, '-'), damage, from);
      const ours = await leakctlSays(dir);
      const theirs = pythonSays(dir);
      expect({ name, leakctl: ours.code, python: theirs.code }).toEqual({ name, leakctl: 3, python: 3 });
      expect(theirs.said, name).toMatch(pythonSaid);
      expect(ours.said, name).toMatch(leakctlSaid);
      // Both count the entries intact alike, whichever chain broke.
      expect({ name, entries: theirs.entries }).toEqual({ name, entries: ours.entries });
    }
  }, 60_000);
});
