#!/usr/bin/env node
// `npm run bench`: the speed goals of issue 6, measured side by side on this machine.
// Every figure is a ratio of medians over interleaved runs (A, B, A, B, …), so that machine
// noise hits both sides alike. Absolute times are printed too, but the goals are the ratios.
// This is a benchmark, not a test: it prints figures and never fails a build.
import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, fsyncSync, mkdtempSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'leakctl.js');
const node = process.execPath;
const runs = Number(process.env.BENCH_RUNS ?? 31);
const work = mkdtempSync(join(tmpdir(), 'leakctl-bench-'));
const env = { ...process.env, NO_COLOR: '1' };

const { ChainAppender } = await import(join(root, 'dist', 'evidence', 'log.js'));
const { CHAIN_START, atKey } = await import(join(root, 'dist', 'evidence', 'chain.js'));
const { hashOf, serialiseEntry } = await import(join(root, 'dist', 'evidence', 'entry.js'));
const { Incident } = await import(join(root, 'dist', 'incident', 'incident.js'));
const { RealClock } = await import(join(root, 'dist', 'incident', 'clock.js'));

function time(command, args, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'], ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 && !options.allowFail) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return ms;
}

/** Peak RSS in MB of a command, from GNU time. */
function peakRss(command, args) {
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const kb = Number(result.stderr.trim().split('\n').pop());
  return kb / 1024;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Interleave A and B `n` times; the medians and their ratio B/A. */
function pair(a, b, n = runs, prepare = () => {}) {
  const as = [];
  const bs = [];
  a();
  b(); // warm the file cache
  for (let i = 0; i < n; i++) {
    prepare(i);
    as.push(a());
    prepare(i);
    bs.push(b());
  }
  return { a: median(as), b: median(bs), ratio: median(bs) / median(as) };
}

const rows = [];
/** A figure without a goal of its own: printed for the record. */
function inform(what, text) {
  console.log(`INFO ${what.padEnd(56)} ${text}`);
}

function report(what, goal, { a, b, ratio }, aName, unit = 'ms') {
  const ok = ratio <= goal;
  rows.push({ what, goal, ratio, ok });
  console.log(`${ok ? 'OK  ' : 'MISS'} ${what.padEnd(56)} ${ratio.toFixed(2)}x (goal <= ${goal}x)   ${b.toFixed(unit === 'us' ? 1 : 0)} ${unit} vs ${aName} ${a.toFixed(unit === 'us' ? 1 : 0)} ${unit}`);
}

console.log(`leakctl benchmark: node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${runs} interleaved runs each`);
console.log('');

// 1. Start-up.
const floor = () => time(node, ['-e', '0']);
report('leakctl --version', 1.3, pair(floor, () => time(node, [bin, '--version'])), 'node -e 0');
report('leakctl --help', 1.3, pair(floor, () => time(node, [bin, '--help'])), 'node -e 0');

// 2. A whole scripted run: 15 steps, an attachment, txt + eml drafts.
const fixture = join(work, 'run');
mkdirSync(join(fixture, 'templates'), { recursive: true });
const steps = [];
for (let i = 1; i <= 12; i++) steps.push(`      - { id: s${i}, kind: text, prompt: "Step ${i}?" }`);
writeFileSync(
  join(fixture, 'bench.yaml'),
  `schema: leakctl/playbook@1
id: bench
title: Benchmark playbook
cause: platform
summary: Fifteen steps, one attachment, one notice.
phases:
  - id: p1
    title: Phase one
    steps:
      - { id: discovered_at, kind: datetime, prompt: When? }
      - { id: evidence, kind: attachment, prompt: Evidence? }
      - { id: notified_at, kind: datetime, prompt: Notified? }
${steps.join('\n')}
deadlines:
  - { id: gdpr, title: GDPR, from: discovered_at, within: PT72H, met_by: notified_at }
notices:
  - template: bench-notice
`,
);
writeFileSync(join(fixture, 'templates', 'bench-notice.liquid'), '---\nid: bench-notice\ntitle: Bench\naudience: members\nsubject: "Notice {{ incident.id }}"\nformats: [txt, eml]\n---\nWe learned of it on {{ answers.discovered_at | date: "d MMMM yyyy" }}.\n\n{{ answers.s1 }}\n');
writeFileSync(join(fixture, 'evidence.txt'), 'x'.repeat(64 * 1024));
writeFileSync(
  join(fixture, 'answers.yaml'),
  `schema: leakctl/answers@1\nresponder: bench\nnow: 2026-03-02T09:00:00Z\nanswers:\n  discovered_at: 2026-03-02T08:00:00Z\n  evidence: [evidence.txt]\n  notified_at: { value: 2026-03-03T08:00:00Z, after: PT24H }\n${Array.from({ length: 12 }, (_, i) => `  s${i + 1}: answer ${i + 1}`).join('\n')}\n`,
);
let n = 0;
const scripted = () =>
  time(node, [bin, 'start', join(fixture, 'bench.yaml'), '--answers', join(fixture, 'answers.yaml'), '--templates', join(fixture, 'templates'), '--dir', join(work, 'incidents'), '--id', `run-${n++}`]);
report('scripted run: 15 steps, attachment, txt + eml', 2.0, pair(floor, scripted), 'node -e 0');
// The whole bundled drill: a playbook of 135 steps with the regime pack's places (about 90 apply), 170 entries, 14 drafts (each entry its own lock, catch-up and fsync).
const bundledDrill = join(root, 'playbooks', 'drills', 'platform-leak.yaml');
const drill = () => time(node, [bin, 'drill', 'platform-leak', '--answers', bundledDrill, '--dir', join(work, 'incidents'), '--id', `drill-${n++}`]);
report('scripted drill of the bundled playbook', 1.6, pair(floor, drill), 'node -e 0');

// 3. verify of a 200,000-entry log against sha256sum of the same file. The log answers the
//    steps of the benchmark playbook over and over (the latest answer wins), so that `status`
//    can open it as a responder's incident.
function makeLog(dir, count) {
  mkdirSync(join(dir, 'attachments'), { recursive: true });
  mkdirSync(join(dir, 'drafts'), { recursive: true });
  const fd = openSync(join(dir, 'evidence.jsonl'), 'w', 0o600);
  let prev = null;
  let batch = [];
  const playbook = { id: 'bench', title: 'Benchmark playbook', sha256: '0'.repeat(64), file: join(fixture, 'bench.yaml') };
  for (let seq = 0; seq < count; seq++) {
    const type = seq === 0 ? 'incident.opened' : 'step.answered';
    const data = seq === 0 ? { playbook, drill: true, responder: 'bench' } : { step: `s${1 + (seq % 12)}`, value: `answer number ${seq}`, source: 'answers' };
    const unhashed = { seq, at: new Date(Date.UTC(2026, 2, 2) + seq * 1000).toISOString(), type, actor: 'bench', data, prev };
    const entry = { ...unhashed, hash: hashOf(unhashed) };
    batch.push(serialiseEntry(entry));
    prev = entry.hash;
    if (batch.length === 10000) {
      writeSync(fd, batch.join('\n') + '\n');
      batch = [];
    }
  }
  if (batch.length) writeSync(fd, batch.join('\n') + '\n');
  // On disk before anything is timed: otherwise the first fsync of a timed append would pay
  // for flushing the whole generated file.
  fsyncSync(fd);
  closeSync(fd);
}
const log200k = join(work, 'log200k');
makeLog(log200k, 200_000);
const verifyRatio = pair(
  () => time('sha256sum', [join(log200k, 'evidence.jsonl')]),
  () => time(node, [bin, 'verify', log200k]),
  Math.min(runs, 9),
);
report('verify, 200,000 entries', 3.0, verifyRatio, 'sha256sum');
const rss200k = peakRss(node, [bin, 'verify', log200k]);
rows.push({ what: 'verify 200k peak RSS', goal: 150, ratio: rss200k, ok: rss200k <= 150 });
console.log(`${rss200k <= 150 ? 'OK  ' : 'MISS'} ${'verify, 200,000 entries: peak RSS'.padEnd(56)} ${rss200k.toFixed(0)} MB (goal <= 150 MB)`);

// 4. verify and replay of 1,000,000 entries: memory must not grow with the log.
const log100k = join(work, 'log100k');
const log1m = join(work, 'log1m');
makeLog(log100k, 100_000);
makeLog(log1m, 1_000_000);
const rssSmall = peakRss(node, [bin, 'verify', log100k]);
const rssLarge = peakRss(node, [bin, 'verify', log1m]);
const growth = rssLarge / rssSmall;
rows.push({ what: 'verify memory growth', goal: 1.25, ratio: growth, ok: growth <= 1.25 });
console.log(`${growth <= 1.25 ? 'OK  ' : 'MISS'} ${'verify: peak RSS 1,000,000 vs 100,000 entries'.padEnd(56)} ${growth.toFixed(2)}x (goal: flat, <= 1.25x)   ${rssLarge.toFixed(0)} MB vs ${rssSmall.toFixed(0)} MB`);
for (const [dir, name] of [[log100k, 'i100k'], [log1m, 'i1m']]) {
  const incidents = join(work, 'incidents-replay');
  mkdirSync(incidents, { recursive: true });
  rmSync(join(incidents, name), { recursive: true, force: true });
  cpSync(dir, join(incidents, name), { recursive: true });
}
const replaySmall = peakRss(node, [bin, 'log', 'i100k', '--dir', join(work, 'incidents-replay'), '--json']);
const replayLarge = peakRss(node, [bin, 'log', 'i1m', '--dir', join(work, 'incidents-replay'), '--json']);
const replayGrowth = replayLarge / replaySmall;
rows.push({ what: 'replay memory growth', goal: 1.25, ratio: replayGrowth, ok: replayGrowth <= 1.25 });
console.log(`${replayGrowth <= 1.25 ? 'OK  ' : 'MISS'} ${'replay (log --json): peak RSS 1,000,000 vs 100,000'.padEnd(56)} ${replayGrowth.toFixed(2)}x (goal: flat, <= 1.25x)   ${replayLarge.toFixed(0)} MB vs ${replaySmall.toFixed(0)} MB`);

// 4b. Every command opens its incident by verifying and replaying the whole log (issue 8):
//     `status` of one incident against sha256sum of its log, at 10,000 and 200,000 entries; its
//     memory at 1,000,000 against 100,000; and `status` over 100 incidents.
const openDir = join(work, 'incidents-open');
mkdirSync(openDir, { recursive: true });
for (const [count, name] of [[10_000, 'o10k'], [200_000, 'o200k']]) {
  makeLog(join(openDir, name), count);
  const log = join(openDir, name, 'evidence.jsonl');
  const figures = pair(() => time('sha256sum', [log]), () => time(node, [bin, 'status', name, '--dir', openDir]), Math.min(runs, 9));
  // The goal is set for a long incident; at 10,000 entries Node's start-up is most of the time.
  if (count === 200_000) report(`open (verify + replay): status, ${count.toLocaleString('en-GB')} entries`, 3.0, figures, 'sha256sum');
  else inform(`open (verify + replay): status, ${count.toLocaleString('en-GB')} entries`, `${figures.b.toFixed(0)} ms (sha256sum of the log ${figures.a.toFixed(0)} ms)`);
}
for (const [dir, name] of [[log100k, 'i100k'], [log1m, 'i1m']]) cpSync(dir, join(openDir, name), { recursive: true });
const statusSmall = peakRss(node, [bin, 'status', 'i100k', '--dir', openDir]);
const statusLarge = peakRss(node, [bin, 'status', 'i1m', '--dir', openDir]);
const statusGrowth = statusLarge / statusSmall;
rows.push({ what: 'status memory growth', goal: 1.25, ratio: statusGrowth, ok: statusGrowth <= 1.25 });
console.log(`${statusGrowth <= 1.25 ? 'OK  ' : 'MISS'} ${'status: peak RSS 1,000,000 vs 100,000 entries'.padEnd(56)} ${statusGrowth.toFixed(2)}x (goal: flat, <= 1.25x)   ${statusLarge.toFixed(0)} MB vs ${statusSmall.toFixed(0)} MB`);
const many = join(work, 'incidents-many');
const drillFile = join(root, 'playbooks', 'drills', 'platform-leak.yaml');
time(node, [bin, 'drill', 'platform-leak', '--answers', drillFile, '--id', 'm000', '--dir', many]);
const entriesEach = readFileSync(join(many, 'm000', 'evidence.jsonl'), 'utf8').split('\n').length - 1;
for (let i = 1; i < 100; i++) cpSync(join(many, 'm000'), join(many, `m${String(i).padStart(3, '0')}`), { recursive: true });
const overview = pair(floor, () => time(node, [bin, 'status', '--dir', many]), Math.min(runs, 9));
inform('status, 100 incidents (the bundled drill, each verified)', `${overview.b.toFixed(0)} ms, ${((overview.b - overview.a) / 100).toFixed(1)} ms per incident of ${entriesEach} entries, beyond node -e 0 (${overview.a.toFixed(0)} ms)`);

// 4c. The report of a long incident (issue 15): HTML of the 200,000-entry incident against
//     sha256sum of its log (the goal is an absolute one: under 3 s on this 2-core machine), and
//     its memory at 1,000,000 entries against 100,000 (the timeline is streamed).
const reportArgs = (name) => [bin, 'report', name, '--dir', openDir, '--templates', join(fixture, 'templates'), '-o', join(work, `report-${name}.html`)];
const reportFigures = pair(() => time('sha256sum', [join(openDir, 'o200k', 'evidence.jsonl')]), () => time(node, reportArgs('o200k')), Math.min(runs, 5));
rows.push({ what: 'report 200k', goal: 3000, ratio: reportFigures.b, ok: reportFigures.b <= 3000 });
console.log(`${reportFigures.b <= 3000 ? 'OK  ' : 'MISS'} ${'report (HTML), 200,000 entries'.padEnd(56)} ${reportFigures.b.toFixed(0)} ms (goal < 3000 ms)   ${reportFigures.ratio.toFixed(2)}x sha256sum of the log (${reportFigures.a.toFixed(0)} ms), ${(statSync(join(work, 'report-o200k.html')).size / 2 ** 20).toFixed(0)} MB written`);
const reportSmall = peakRss(node, reportArgs('i100k'));
const reportLarge = peakRss(node, reportArgs('i1m'));
const reportGrowth = reportLarge / reportSmall;
rows.push({ what: 'report memory growth', goal: 1.5, ratio: reportGrowth, ok: reportGrowth <= 1.5 });
console.log(`${reportGrowth <= 1.5 ? 'OK  ' : 'MISS'} ${'report: peak RSS 1,000,000 vs 100,000 entries'.padEnd(56)} ${reportGrowth.toFixed(2)}x (goal: flat, <= 1.5x)   ${reportLarge.toFixed(0)} MB vs ${reportSmall.toFixed(0)} MB`);
// Flat, not merely slow to collect: the 1,000,000-entry report in a heap capped at 48 MB.
const capped = spawnSync(node, ['--max-old-space-size=48', ...reportArgs('i1m')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
inform('report of 1,000,000 entries, heap capped at 48 MB', capped.status === 0 ? 'written' : `FAILED (exit ${capped.status})`);

// 5. Appending: ChainAppender.append against a bare writeSync + fsyncSync of the same bytes, and
//    the cost per entry at 10 entries against 100,000 entries (no rewrite of the file). Then a
//    whole record() (lock, catching up, append), for the record.
function appendCost(existing, count) {
  const dir = join(work, `append-${existing}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'evidence.jsonl');
  // After every entry makeLog writes: time only moves forward.
  const at = new Date(Date.UTC(2027, 0, 1));
  let position = CHAIN_START;
  if (existing > 0) {
    makeLog(dir, existing);
    const lines = readFileSync(file, 'utf8').split('\n');
    const last = JSON.parse(lines[lines.length - 2]);
    position = { offset: statSync(file).size, entries: existing, head: last.hash, lastAt: last.at, lastAtKey: atKey(last.at), closed: false };
  } else {
    writeFileSync(file, '', { mode: 0o600 });
  }
  const appender = new ChainAppender(file, 'bench');
  // As the Incident calls it: the inode it found at the log's path when it caught up under the lock.
  const ino = statSync(file).ino;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) position = appender.append(position, { type: i === 0 && existing === 0 ? 'incident.opened' : 'note.added', actor: 'bench', data: { text: `note ${i}` }, at }, ino).position;
  const us = Number(process.hrtime.bigint() - start) / 1e3 / count;
  appender.close();
  rmSync(dir, { recursive: true, force: true });
  return us;
}
function bareCost(count) {
  const file = join(work, `bare-${Math.random().toString(36).slice(2)}.jsonl`);
  const fd = openSync(file, 'a', 0o600);
  const line = Buffer.from(`${JSON.stringify({ seq: 1, at: new Date().toISOString(), type: 'note.added', actor: 'bench', data: { text: 'note 1' }, prev: '0'.repeat(64), hash: '0'.repeat(64) })}\n`);
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    writeSync(fd, line);
    fsyncSync(fd);
  }
  const us = Number(process.hrtime.bigint() - start) / 1e3 / count;
  closeSync(fd);
  rmSync(file);
  return us;
}
async function recordCost(count) {
  const dir = join(work, `record-${Math.random().toString(36).slice(2)}`);
  const incident = await Incident.create({ incidentsDir: dir, id: 'r', writer: { actor: 'bench', clock: new RealClock() }, opening: { playbook: { id: 'bench', title: 'Bench', sha256: '0'.repeat(64), file: join(fixture, 'bench.yaml') }, drill: true } });
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await incident.record('note.added', { text: `note ${i}` });
  const us = Number(process.hrtime.bigint() - start) / 1e3 / count;
  incident.close();
  rmSync(dir, { recursive: true, force: true });
  return us;
}
report('append (write + fsync) vs bare writeSync + fsyncSync', 1.2, pair(() => bareCost(200), () => appendCost(0, 200), 9), 'bare', 'us');
const flat = pair(() => appendCost(10, 200), () => appendCost(100_000, 200), 5);
report('append cost per entry at 100,000 vs at 10 entries', 1.5, flat, 'at 10', 'us');
const bare = [];
const recorded = [];
for (let i = 0; i < 9; i++) {
  bare.push(bareCost(200));
  recorded.push(await recordCost(200));
}
inform('record() (lock, catch up, append) vs bare write + fsync', `${(median(recorded) / median(bare)).toFixed(2)}x   ${median(recorded).toFixed(1)} us vs bare ${median(bare).toFixed(1)} us`);

// 6. The merge of an incident's chains (issue 17): three responders of 50,000 entries each, who
//    read each other's chains every 20 entries or so; the goal is an absolute one (under 2 s).
//    The merge alone, in-process: reading the chains is the verify figure above.
{
  const { mergeChains } = await import(join(root, 'dist', 'evidence', 'merge.js'));
  const writers = ['ana', 'bo', 'chi'];
  const chains = writers.map((writer) => ({ writer, entries: [] }));
  const hex = (n) => n.toString(16).padStart(64, '0');
  for (let t = 0; t < 150_000; t++) {
    const i = t % 3;
    const c = chains[i];
    const seq = c.entries.length;
    const sees = seq > 0 && seq % 20 === 0 ? Object.fromEntries(chains.filter((o) => o !== c && o.entries.length > 0).map((o) => [o.writer, { seq: o.entries.length - 1, hash: o.entries.at(-1).hash }])) : undefined;
    c.entries.push({ seq, at: new Date(Date.UTC(2026, 2, 2) + t * 1000 + (i - 1) * 7000).toISOString(), hash: hex(t), ...(sees ? { sees } : {}) });
  }
  const times = [];
  for (let k = 0; k < Math.min(runs, 5); k++) {
    const start = process.hrtime.bigint();
    const r = mergeChains(chains);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (!r.order) throw new Error(r.problem);
  }
  const ms = median(times);
  rows.push({ what: 'merge 3 chains of 50,000 entries', goal: 2000, ratio: ms, ok: ms < 2000 });
  console.log(`${ms < 2000 ? 'OK  ' : 'MISS'} ${'merge 3 chains of 50,000 entries (in-process)'.padEnd(56)} ${ms.toFixed(0)} ms (goal < 2000 ms)`);
}

// 6b. The same three chains as an incident on disk, opened as every command opens it: each chain
//     read and verified, the links checked, merged and replayed (goal under 2 s, as the merge).
{
  const { Incident } = await import(join(root, 'dist', 'incident', 'incident.js'));
  const { createHash } = await import('node:crypto');
  const dir = join(work, 'three', 'i');
  mkdirSync(join(dir, 'chains'), { recursive: true });
  mkdirSync(join(dir, 'attachments'));
  mkdirSync(join(dir, 'drafts'));
  const writers = ['ana', 'bo', 'chi'];
  const heads = writers.map(() => ({ seq: -1, hash: null }));
  const out = writers.map(() => []);
  const line = (i, type, data) => {
    const h = heads[i];
    const text = JSON.stringify({ seq: h.seq + 1, at: new Date(Date.UTC(2026, 2, 2) + out[i].length * 3000 + i * 1000).toISOString(), type, actor: writers[i], data, prev: h.hash });
    const hash = createHash('sha256').update(text).digest('hex');
    out[i].push(`${text.slice(0, -1)},"hash":"${hash}"}`);
    heads[i] = { seq: h.seq + 1, hash };
  };
  const seen = (i) => Object.fromEntries(writers.flatMap((w, j) => (j !== i && heads[j].hash !== null ? [[w, { ...heads[j] }]] : [])));
  line(0, 'incident.opened', { playbook: { id: 'member-leak', title: 'Member-caused leak', sha256: '0'.repeat(64) }, drill: false, responder: 'ana', writer: 'ana' });
  line(1, 'responder.joined', { responder: 'bo', writer: 'bo', sees: seen(1) });
  line(2, 'responder.joined', { responder: 'chi', writer: 'chi', sees: seen(2) });
  for (let t = 3; t < 150_000; t++) {
    const i = t % 3;
    line(i, 'note.added', { text: `note ${t}`, ...(out[i].length % 20 === 0 ? { sees: seen(i) } : {}) });
  }
  writeFileSync(join(dir, 'evidence.jsonl'), `${out[0].join('\n')}\n`);
  for (const i of [1, 2]) writeFileSync(join(dir, 'chains', `${writers[i]}.jsonl`), `${out[i].join('\n')}\n`);
  const times = [];
  for (let k = 0; k < Math.min(runs, 3); k++) {
    const start = process.hrtime.bigint();
    const incident = await Incident.open({ incidentsDir: join(work, 'three'), id: 'i' });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (incident.state.notes !== 149_997) throw new Error(`opened with ${incident.state.notes} notes`);
    incident.close();
  }
  const ms = median(times);
  rows.push({ what: 'open an incident of 3 chains of 50,000 entries', goal: 2000, ratio: ms, ok: ms < 2000 });
  console.log(`${ms < 2000 ? 'OK  ' : 'MISS'} ${'open an incident of 3 chains of 50,000 (verify+merge)'.padEnd(56)} ${ms.toFixed(0)} ms (goal < 2000 ms)`);
}

// 7. sync of 100 new entries (issue 17): leakctl sync against the git commands it runs (add,
//    commit, pull, push) doing the same on a file of the same size, both against one bare
//    repository on this disk; the goal is under 1 s beyond git's own time.
{
  const gitEnv = { ...env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.org', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.org' };
  const git = (cwd, ...args) => {
    const r = spawnSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  };
  const bare = join(work, 'shared.git');
  mkdirSync(bare);
  git(bare, 'init', '-q', '--bare', '-b', 'main');
  const clone = (name) => {
    git(work, 'clone', '-q', bare, name);
    return join(work, name);
  };
  const seed = clone('sync-seed');
  writeFileSync(join(seed, 'README'), 'x\n');
  git(seed, 'add', 'README');
  git(seed, 'commit', '-q', '-m', 'start');
  git(seed, 'push', '-q', 'origin', 'HEAD:main');
  const mine = clone('sync-leakctl');
  const plain = clone('sync-git');
  const incidents = join(mine, 'incidents');
  const incident = await Incident.create({ incidentsDir: incidents, id: 's', writer: { actor: 'bench', clock: new RealClock() }, opening: { playbook: { id: 'bench', title: 'Bench', sha256: '0'.repeat(64), file: join(fixture, 'bench.yaml') }, drill: true } });
  mkdirSync(join(plain, 'incidents'));
  time(node, [bin, 'sync', '--dir', incidents], { env: gitEnv });
  const withLeakctl = [];
  const withGit = [];
  for (let k = 0; k < Math.min(runs, 7); k++) {
    for (let i = 0; i < 100; i++) await incident.record('note.added', { text: `note ${k}.${i}` });
    withLeakctl.push(time(node, [bin, 'sync', '--dir', incidents], { env: gitEnv }));
    writeFileSync(join(plain, 'incidents', 'log.jsonl'), readFileSync(join(incidents, 's', 'evidence.jsonl')));
    withGit.push(time('sh', ['-c', 'git add -A incidents && git commit -q -m sync && git pull -q --no-rebase --no-edit && git push -q origin HEAD:main'], { cwd: plain, env: gitEnv }));
  }
  incident.close();
  const beyond = median(withLeakctl) - median(withGit);
  rows.push({ what: 'sync of 100 new entries beyond git', goal: 1000, ratio: beyond, ok: beyond < 1000 });
  console.log(`${beyond < 1000 ? 'OK  ' : 'MISS'} ${'sync of 100 new entries, beyond git\'s own time'.padEnd(56)} ${beyond.toFixed(0)} ms (goal < 1000 ms)   ${median(withLeakctl).toFixed(0)} ms vs git alone ${median(withGit).toFixed(0)} ms`);
}

rmSync(work, { recursive: true, force: true });
const missed = rows.filter((r) => !r.ok);
console.log('');
console.log(missed.length === 0 ? 'Every figure is within its goal.' : `${missed.length} figure(s) outside the goal: ${missed.map((r) => r.what).join('; ')}`);
