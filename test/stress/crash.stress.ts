/**
 * Crash consistency under SIGKILL (issue 7, "Faults"; SPEC section 4: "a crash or kill -9 at any
 * moment loses at most the answer being typed"; a torn last line is reported by verify and set
 * aside by resume). Not part of `npm test`: run it with `npm run test:stress` (CI runs it too).
 *
 * Each trial starts the bundled platform-leak playbook with its drill answers (plus an 8 MiB and a
 * 4 MiB attachment, so that copies take a while) and SIGKILLs it after a random delay drawn from
 * 0..the measured length of a whole run, so kills land everywhere: start-up, between steps, during
 * attachment copies, while drafts are rendered and written, and after the end. Then:
 *
 * - every complete line on disk is, byte for byte, the entry an uninterrupted run writes at that
 *   place (the drill runs on a simulated clock, so runs are identical), and the chain checks
 *   (test/helpers/chain.ts, SPEC section 4 read independently); a torn last line can only be the
 *   beginning of the next entry;
 * - `verify` exits 0, or 3 naming a torn last line and nothing else;
 * - every attachment and draft on disk under its own name is whole (identical to the
 *   uninterrupted run's file of that name); temporary files (copies, drafts, locks) are counted;
 * - `resume crash --answers <the same file>` exits 0, sets a torn line aside in a side file that
 *   holds exactly the torn bytes, records no step twice and ends with the same answers as the
 *   uninterrupted run; `verify` then exits 0, and every draft matches its latest notice.rendered.
 *   A kill before the first entry leaves no incident (creation is atomic): `start` again must work.
 *
 * SIGKILL cannot split one write(2) of a small line on a local file system, so torn lines hardly
 * ever come from the kills themselves; a quarter of the trials (chosen by the seed) also cut the
 * last line at a random byte, as a power cut between a write and its fsync would, so the
 * set-aside path is exercised as often as the rest.
 *
 * Reproduce a run with LEAKCTL_STRESS_SEED=<the printed seed>; LEAKCTL_STRESS_TRIALS (default
 * 240) and LEAKCTL_STRESS_PARALLEL (default: 2, or 1 on one core) size it. Timing is the
 * machine's, so the seed fixes the delays and cuts, not the exact moment each kill lands.
 * A failing trial's directory is kept and named in the failure.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { checkChain, type Entry } from '../helpers/chain.js';
import { ROOT } from '../helpers/exec.js';
import { startLeakctl, type Ended } from '../helpers/processes.js';
import { prng } from '../helpers/random.js';

const SEED = Number(process.env.LEAKCTL_STRESS_SEED ?? Math.floor(Math.random() * 2 ** 32));
const TRIALS = Number(process.env.LEAKCTL_STRESS_TRIALS ?? 240);
const PARALLEL = Number(process.env.LEAKCTL_STRESS_PARALLEL ?? Math.min(2, availableParallelism()));
const ID = 'crash';
const config = join(ROOT, 'test', 'e2e', 'fixtures', 'incident', 'leakctl.config.yaml');


const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
/** A file (or a lock) being written under a private name beside its target (durable.ts): `.<name>.tmp-<pid>-<hex>`. */
const TEMP = /\.tmp-\d+-[0-9a-f]{12}$/;

const tmp = mkdtempSync(join(tmpdir(), 'leakctl-stress-crash-'));
const answersDir = join(tmp, 'answers');
const answers = join(answersDir, 'platform-leak.yaml');

let keepTmp = false;
afterAll(() => {
  if (!keepTmp) rmSync(tmp, { recursive: true, force: true });
});

const startArgs = (dir: string): string[] => ['start', 'platform-leak', '--answers', answers, '--config', config, '--id', ID, '--dir', dir];
/** A command that does not end within two minutes has hung: it is killed and reported. */
const run = (args: string[]): Promise<Ended> => startLeakctl(args, { timeoutMs: 120_000 }).ended;
const how = (r: Ended): string => (r.timedOut ? 'hung (killed after 2 minutes)' : `exited ${r.code}`);

/** What an uninterrupted run leaves: the lines of its log and the bytes of its files by name. */
interface Reference {
  lines: string[];
  entries: Entry[];
  attachments: Map<string, Buffer>;
  drafts: Map<string, Buffer>;
  /** Index of the first notice.rendered entry: from here on, the run is rendering drafts. */
  firstRendered: number;
  /** Indexes of entries that record an attachment step (their copies come just before them). */
  attachmentEntries: Set<number>;
  answers: Map<string, string>;
}

function filesIn(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) out.set(name, readFileSync(join(dir, name)));
  return out;
}

const answerMap = (entries: Entry[]): Map<string, string> =>
  new Map(entries.filter((e) => e.type === 'step.answered').map((e) => [String(e.data.step), JSON.stringify(e.data.value)]));

function readReference(incident: string): Reference {
  const text = readFileSync(join(incident, 'evidence.jsonl'), 'utf8');
  const lines = text.slice(0, -1).split('\n');
  const entries = checkChain(lines);
  const attachmentEntries = new Set<number>();
  entries.forEach((e, i) => {
    const v = e.data.value;
    if (e.type === 'step.answered' && Array.isArray(v) && v.length > 0 && v.every((f) => typeof (f as { sha256?: unknown }).sha256 === 'string')) {
      attachmentEntries.add(i);
    }
  });
  return {
    lines,
    entries,
    attachments: filesIn(join(incident, 'attachments')),
    drafts: filesIn(join(incident, 'drafts')),
    firstRendered: entries.findIndex((e) => e.type === 'notice.rendered'),
    attachmentEntries,
    answers: answerMap(entries),
  };
}

type Phase = 'before the incident existed' | 'creating the log' | 'between steps' | 'during an attachment step' | 'rendering drafts' | 'after the last entry' | 'finished before the kill';

interface Trial {
  index: number;
  delay: number;
  cut: number | null;
  phase?: Phase;
  entriesOnDisk?: number;
  torn: 'none' | 'kill' | 'cut';
  copyTemps: number;
  draftTemps: number;
  draftsOnDisk: number;
  timeBackwards: boolean;
  leftoverTemps: number;
  problems: string[];
}

let reference: Reference;
let duration = 0;
const trials: Trial[] = [];

beforeAll(async () => {
  // The drill's answers, with two big attachments added to its attachment steps.
  cpSync(join(ROOT, 'playbooks', 'drills', 'fixtures'), join(answersDir, 'fixtures'), { recursive: true });
  const random = prng(SEED ^ 0x5eed);
  const big = (bytes: number): Buffer => {
    const b = Buffer.allocUnsafe(bytes);
    for (let i = 0; i < bytes; i += 4) b.writeUInt32LE(Math.floor(random() * 2 ** 32), i);
    return b;
  };
  writeFileSync(join(answersDir, 'fixtures', 'export-full-dump.bin'), big(8 * 1024 * 1024));
  writeFileSync(join(answersDir, 'fixtures', 'evaluation-recordings.bin'), big(4 * 1024 * 1024));
  const doc = parse(readFileSync(join(ROOT, 'playbooks', 'drills', 'platform-leak.yaml'), 'utf8')) as { answers: Record<string, unknown> };
  (doc.answers.vulnerability_evidence as string[]).push('./fixtures/export-full-dump.bin');
  (doc.answers.due_diligence_record as string[]).push('./fixtures/evaluation-recordings.bin');
  writeFileSync(answers, stringify(doc));

  // The length of a whole run, measured under the load of the trials: PARALLEL workers, each
  // running what a trial runs (start, verify, resume, verify), so their runs overlap as trials do.
  const times: number[] = [];
  const logs = new Set<string>();
  let made = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      for (let round = 0; round < 3; round++) {
        const d = join(tmp, 'reference', String(made++));
        const r = await run(startArgs(d));
        if (r.code !== 0) throw new Error(`an uninterrupted run ${how(r)}: ${r.stderr}`);
        times.push(r.ms);
        logs.add(readFileSync(join(d, ID, 'evidence.jsonl'), 'utf8'));
        await run(['verify', ID, '--dir', d]);
        // Resumed on a copy: the reference itself stays as an uninterrupted run left it.
        cpSync(d, `${d}-resumed`, { recursive: true });
        await run(['resume', ID, '--answers', answers, '--config', config, '--dir', `${d}-resumed`]);
        await run(['verify', ID, '--dir', d]);
      }
    }),
  );
  // The byte-for-byte comparisons below rest on this.
  if (logs.size !== 1) throw new Error('two uninterrupted runs wrote different logs: the drill is not deterministic');
  reference = readReference(join(tmp, 'reference', '0', ID));
  times.sort((a, b) => a - b);
  duration = times[Math.floor(times.length / 2)]!;
}, 120_000);

/** Where in the run the kill landed, from how many entries reached the disk. */
function phaseOf(n: number, logExists: boolean, finished: boolean): Phase {
  if (finished) return 'finished before the kill';
  if (!logExists) return 'before the incident existed';
  if (n === 0) return 'creating the log';
  if (n >= reference.lines.length) return 'after the last entry';
  if (n >= reference.firstRendered) return 'rendering drafts';
  if (reference.attachmentEntries.has(n)) return 'during an attachment step';
  return 'between steps';
}

async function runTrial(t: Trial): Promise<void> {
  const dir = join(tmp, 'trials', `t${t.index}`);
  const incident = join(dir, ID);
  const log = join(incident, 'evidence.jsonl');
  const check = (ok: boolean, problem: string): void => {
    if (!ok) t.problems.push(problem);
  };

  const running = startLeakctl(startArgs(dir));
  const timer = setTimeout(() => running.child.kill('SIGKILL'), t.delay);
  const first = await running.ended;
  clearTimeout(timer);
  const finished = first.signal === null;
  if (finished) check(first.code === 0, `the run ended by itself with exit ${first.code}: ${first.stderr}`);
  else check(first.signal === 'SIGKILL', `the run ended by ${first.signal}`);

  // --- What the kill left on disk. ---
  const logExists = existsSync(log);
  let text = logExists ? readFileSync(log, 'latin1') : '';
  let cut = text.lastIndexOf('\n', text.length - 2) + 1;
  let complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  let torn = text.slice(complete.length);
  if (torn !== '') t.torn = 'kill';
  t.entriesOnDisk = complete === '' ? 0 : complete.split('\n').length - 1;
  t.phase = phaseOf(t.entriesOnDisk, logExists, finished);
  // A power cut between the last write and its fsync instead: the last line loses from one byte
  // (its newline) to all but one of its bytes. Only a run that was killed can have had one in
  // flight, and never the first entry: it is flushed before its incident exists (issue 8).
  if (t.cut !== null && !finished && torn === '' && complete !== '' && complete.indexOf('\n') !== complete.length - 1) {
    const line = complete.slice(cut);
    const keep = 1 + Math.floor(t.cut * (line.length - 1));
    truncateSync(log, cut + keep);
    text = readFileSync(log, 'latin1');
    complete = text.slice(0, cut);
    torn = text.slice(cut);
    t.torn = 'cut';
  }
  const lines = complete === '' ? [] : Buffer.from(complete, 'latin1').toString('utf8').slice(0, -1).split('\n');
  const n = lines.length;

  for (let i = 0; i < n; i++) check(lines[i] === reference.lines[i], `line ${i + 1} differs from what an uninterrupted run writes there`);
  try {
    checkChain(lines);
  } catch (e) {
    check(false, `the complete lines do not chain: ${(e as Error).message}`);
  }
  if (torn !== '') {
    const next = Buffer.from(`${reference.lines[n] ?? ''}\n`, 'utf8').toString('latin1');
    check(next.startsWith(torn), `the torn last line is not the beginning of entry ${n}`);
  }

  const attachmentsDir = join(incident, 'attachments');
  const draftsDir = join(incident, 'drafts');
  for (const [name, bytes] of filesIn(attachmentsDir)) {
    if (TEMP.test(name)) t.copyTemps += 1;
    else check(reference.attachments.get(name)?.equals(bytes) === true, `attachment ${name} is not whole`);
  }
  for (const [name, bytes] of filesIn(draftsDir)) {
    if (TEMP.test(name)) t.draftTemps += 1;
    else {
      t.draftsOnDisk += 1;
      check(reference.drafts.get(name)?.equals(bytes) === true, `draft ${name} is half written or differs`);
    }
  }
  if (logExists) {
    const extra = readdirSync(incident).filter((f) => !['evidence.jsonl', 'attachments', 'drafts', '.lock'].includes(f) && !TEMP.test(f));
    check(extra.length === 0, `unexpected files after the kill: ${extra.join(', ')}`);
  }

  if (logExists) {
    const v = await run(['verify', ID, '--dir', dir]);
    const problemLines = v.stderr.split('\n').filter((l) => /^line \d+:/.test(l));
    if (torn === '') {
      check(v.code === 0, `verify after the kill ${how(v)}: ${v.stderr}`);
    } else {
      check(v.code === 3, `verify of a torn log ${how(v)}`);
      check(
        problemLines.length === 1 && problemLines[0]!.startsWith(`line ${n + 1}: torn last line`),
        `verify of a torn log should report only the torn line ${n + 1}: ${v.stderr}`,
      );
    }
  }

  // --- Recovery. ---
  if (!finished) {
    let reported = true;
    check(!logExists || n > 0, 'the incident exists without its first entry');
    if (!logExists) {
      // The kill came before the incident existed: the responder starts again, with the same id.
      const again = await run(startArgs(dir));
      check(again.code === 0, `start again after a kill before the first entry ${how(again)}: ${again.stderr}`);
    } else {
      const r = await run(['resume', ID, '--answers', answers, '--config', config, '--dir', dir]);
      check(r.code === 0, `resume ${how(r)}: ${r.stderr}`);
      reported = r.stderr.includes('set aside');
    }
    const sides = existsSync(incident) ? readdirSync(incident).filter((f) => f.startsWith('evidence.jsonl.torn-')) : [];
    if (torn !== '') {
      check(sides.length === 1, `expected one side file, found ${sides.length}`);
      check(reported, 'resume did not report that it set the torn line aside');
      if (sides.length === 1) {
        const side = join(incident, sides[0]!);
        check(readFileSync(side, 'latin1') === torn, 'the side file does not hold exactly the torn bytes');
        check((statSync(side).mode & 0o777) === 0o600, 'the side file is not 0600');
      }
    } else {
      check(sides.length === 0, 'a side file without a torn line');
    }
  }

  // --- After recovery: a whole, verified incident with the same answers. ---
  const v = await run(['verify', ID, '--dir', dir]);
  check(v.code === 0, `verify after recovery ${how(v)}: ${v.stderr}`);
  let after: Entry[] = [];
  try {
    const afterText = readFileSync(log, 'utf8');
    check(afterText.endsWith('\n'), 'the log does not end with a newline after recovery');
    const afterLines = afterText.slice(0, -1).split('\n');
    after = checkChain(afterLines);
    check(afterLines.slice(0, n).every((l, i) => l === lines[i]), 'recovery changed an entry written before the kill');
  } catch (e) {
    check(false, `the log after recovery does not chain: ${(e as Error).message}`);
  }
  const recorded = new Map<string, number>();
  for (const e of after) {
    if (e.type === 'step.answered' || e.type === 'step.skipped') recorded.set(String(e.data.step), (recorded.get(String(e.data.step)) ?? 0) + 1);
  }
  const twice = [...recorded].filter(([, k]) => k > 1).map(([s]) => s);
  check(twice.length === 0, `steps recorded twice: ${twice.join(', ')}`);
  const got = answerMap(after);
  check(got.size === reference.answers.size && [...reference.answers].every(([s, v]) => got.get(s) === v), 'the answers differ from an uninterrupted run');
  const times = after.map((e) => e.at);
  t.timeBackwards = times.some((at, i) => i > 0 && at < times[i - 1]!);

  const rendered = new Map<string, string>();
  for (const e of after) if (e.type === 'notice.rendered') rendered.set(String(e.data.file), String(e.data.sha256));
  const draftsNow = [...filesIn(draftsDir)].filter(([name]) => !TEMP.test(name));
  check(
    draftsNow.map(([name]) => name).join() === [...reference.drafts.keys()].join(),
    `drafts after recovery: ${draftsNow.map(([name]) => name).join(', ')}`,
  );
  for (const [name, bytes] of draftsNow) check(rendered.get(`drafts/${name}`) === sha256(bytes), `draft ${name} does not match its notice.rendered entry`);
  const copies = [...filesIn(attachmentsDir)].filter(([name]) => !TEMP.test(name));
  check(copies.map(([name]) => name).join() === [...reference.attachments.keys()].join(), 'the attachments after recovery differ');
  for (const [name, bytes] of copies) check(reference.attachments.get(name)?.equals(bytes) === true, `attachment ${name} is not whole after recovery`);
  check(!existsSync(join(incident, '.lock')), 'a lock file is left after recovery');
  // A partial copy, draft or lock left by the killed process is removed by the next one that writes there.
  t.leftoverTemps =
    [...filesIn(attachmentsDir).keys()].filter((f) => TEMP.test(f)).length +
    [...filesIn(draftsDir).keys()].filter((f) => TEMP.test(f)).length +
    readdirSync(incident).filter((f) => TEMP.test(f)).length;
  check(t.leftoverTemps === 0, `${t.leftoverTemps} temporary file(s) left after recovery`);

  if (t.problems.length === 0) rmSync(dir, { recursive: true, force: true });
  else t.problems.unshift(`trial ${t.index} (delay ${t.delay.toFixed(1)} ms${t.cut !== null ? `, cut ${t.cut.toFixed(3)}` : ''}; kept in ${dir})`);
}

describe('SIGKILL at random moments of a scripted start, then verify and resume', () => {
  it(`survives every kill (trials: ${TRIALS}, seed: ${SEED})`, { timeout: 30 * 60_000 }, async () => {
    const random = prng(SEED);
    for (let index = 0; index < TRIALS; index++) {
      const delay = random() * duration;
      const cutDraw = random();
      const cutAt = random();
      trials.push({ index, delay, cut: cutDraw < 0.25 ? cutAt : null, torn: 'none', copyTemps: 0, draftTemps: 0, draftsOnDisk: 0, timeBackwards: false, leftoverTemps: 0, problems: [] });
    }
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < trials.length) {
          const t = trials[next++]!;
          try {
            await runTrial(t);
          } catch (e) {
            t.problems.push(`trial ${t.index} (delay ${t.delay.toFixed(1)} ms): ${(e as Error).stack ?? e}`);
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    const failed = trials.filter((t) => t.problems.length > 0);
    const byPhase = new Map<Phase, number>();
    for (const t of trials) if (t.phase) byPhase.set(t.phase, (byPhase.get(t.phase) ?? 0) + 1);
    const count = (f: (t: Trial) => boolean): number => trials.filter(f).length;
    const summary = [
      `crash stress: seed ${SEED}, ${trials.length} trials, ${trials.length - failed.length} survived, ${failed.length} failed;`,
      `a whole run takes ${duration.toFixed(0)} ms (${PARALLEL} at a time), delays drawn from 0..${duration.toFixed(0)} ms; ${seconds.toFixed(0)} s in all.`,
      `Kills by phase: ${[...byPhase].map(([p, k]) => `${p} ${k}`).join(', ')}.`,
      `Mid-copy (a partial attachment copy on disk) ${count((t) => t.copyTemps > 0)}; mid-render with drafts on disk ${count((t) => t.phase === 'rendering drafts' && t.draftsOnDisk > 0)}, with a draft temp file ${count((t) => t.draftTemps > 0)}.`,
      `Torn last lines: ${count((t) => t.torn === 'kill')} from SIGKILL, ${count((t) => t.torn === 'cut')} cut as by a power cut; all reported by verify and set aside by resume unless listed as failed.`,
      `Temporary files left after recovery: ${trials.reduce((s, t) => s + t.leftoverTemps, 0)} in ${count((t) => t.leftoverTemps > 0)} trials; logs whose time runs backwards after resume: ${count((t) => t.timeBackwards)}.`,
    ].join('\n');
    console.log(summary);
    if (failed.length > 0) keepTmp = true;
    expect(failed.map((t) => t.problems.join('\n  ')), summary).toEqual([]);
  });
});
