/**
 * The one door (issue 8): Incident.create, open and record, in-process. What only a process
 * shows (two processes recording at once) spawns node on the compiled door.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHAIN_START, openChainFile, scanChain } from '../../src/evidence/chain.js';
import type { EvidenceEntry } from '../../src/evidence/entry.js';
import { acquireLock } from '../../src/evidence/lock.js';
import { replay } from '../../src/evidence/state.js';
import { verifyLog } from '../../src/evidence/verify.js';
import { SimulatedClock, type Clock } from '../../src/incident/clock.js';
import { Incident, type Writer } from '../../src/incident/incident.js';
import { LeakctlError } from '../../src/ui/errors.js';
import { readChain } from '../helpers/chain.js';
import { ROOT } from '../helpers/exec.js';

const T0 = '2026-03-02T09:00:00.000Z';
const at = (minutes: number): Date => new Date(Date.parse(T0) + minutes * 60_000);
const mode = (p: string): number => fs.statSync(p).mode & 0o777;
const PLAYBOOK = { id: 'platform-leak', title: 'Platform-caused leak', sha256: '0'.repeat(64), file: '/nowhere/platform-leak.yaml' };

let root: string;
let incidents: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'leakctl-incident-'));
  incidents = path.join(root, 'incidents');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const logOf = (id = 'leak-1'): string => path.join(incidents, id, 'evidence.jsonl');
const writer = (actor = 'dana', clock: Clock = new SimulatedClock(new Date(T0))): Writer => ({ actor, clock });

/** A clock that reads what the test says, like the wall clock does (not set by hand). */
class WallClock implements Clock {
  readonly setByHand = false;
  constructor(public time: Date) {}
  now(): Date {
    return new Date(this.time.getTime());
  }
  advance(): void {
    throw new Error('a wall clock cannot be advanced');
  }
}

function create(id = 'leak-1', options: { drill?: boolean; writer?: Writer; warn?: (t: string) => void } = {}): Promise<Incident> {
  return Incident.create({
    incidentsDir: incidents,
    id,
    writer: options.writer ?? writer(),
    opening: { playbook: PLAYBOOK, drill: options.drill ?? true },
    ...(options.warn ? { warn: options.warn } : {}),
  });
}

function open(id = 'leak-1', w?: Writer, warn?: (t: string) => void): Promise<Incident> {
  return Incident.open({ incidentsDir: incidents, id, ...(w ? { writer: w } : {}), ...(warn ? { warn } : {}) });
}

async function failure(promise: Promise<unknown>): Promise<LeakctlError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LeakctlError);
  return error as LeakctlError;
}

/** An incident with a few entries, closed again. */
async function threeEntries(id = 'leak-1'): Promise<void> {
  const clock = new SimulatedClock(new Date(T0));
  const incident = await create(id, { writer: writer('dana', clock) });
  clock.advance({ years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 1, seconds: 0 });
  await incident.record('step.answered', { step: 'exposed_data', value: ['names', 'emails'], source: 'prompt' });
  await incident.record('note.added', { text: 'Zoë called: "it\'s on pastebin" \\ 🔥\nsecond line' });
  incident.close();
}

describe('Incident.create', () => {
  for (const umask of [0o000, 0o022, 0o077]) {
    it(`makes the incident directories 0700 and the log 0600 under umask ${umask.toString(8).padStart(3, '0')}`, async () => {
      const old = process.umask(umask);
      try {
        (await create()).close();
      } finally {
        process.umask(old);
      }
      const dir = path.join(incidents, 'leak-1');
      for (const d of [incidents, dir, path.join(dir, 'attachments'), path.join(dir, 'drafts')]) expect(mode(d), d).toBe(0o700);
      expect(mode(logOf())).toBe(0o600);
    });
  }

  it('writes incident.opened as entry 0, with the responder, and leaves no temporary directory', async () => {
    const incident = await create();
    incident.close();
    const [opened, ...rest] = readChain(logOf());
    expect(rest).toEqual([]);
    expect(opened).toMatchObject({ seq: 0, at: T0, type: 'incident.opened', actor: 'dana', prev: null, data: { playbook: PLAYBOOK, drill: true, responder: 'dana' } });
    expect(fs.readdirSync(incidents)).toEqual(['leak-1']);
    expect(incident.state).toMatchObject({ entries: 1, head: opened!.hash, opened: { drill: true, responder: 'dana' } });
  });

  it('refuses an incident that already exists, naming its directory and the resume command, and leaves its log alone', async () => {
    await threeEntries();
    const before = fs.readFileSync(logOf());
    const e = await failure(create());
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain(path.join(incidents, 'leak-1'));
    expect(e.message).toContain('leakctl resume leak-1');
    expect(fs.readFileSync(logOf())).toEqual(before);
    expect(fs.readdirSync(incidents)).toEqual(['leak-1']);
  });

  it('refuses a directory left by a start that never wrote its first entry, saying what to remove', async () => {
    fs.mkdirSync(path.join(incidents, 'leak-1', 'attachments'), { recursive: true });
    fs.writeFileSync(logOf(), '');
    const e = await failure(create());
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/was never started/);
    expect(e.message).toMatch(/is an incident yet; remove it, then open the incident again with `leakctl start`/);
    expect(fs.readFileSync(logOf(), 'utf8')).toBe('');
  });

  it('takes the place of an empty directory', async () => {
    fs.mkdirSync(path.join(incidents, 'leak-1'), { recursive: true });
    (await create()).close();
    expect(readChain(logOf())).toHaveLength(1);
  });

  it('refuses an id that would leave the incidents directory', async () => {
    for (const id of ['../x', '.', '..', 'a/b', '']) expect((await failure(create(id))).exitCode).toBe(2);
    expect(fs.existsSync(path.join(root, 'x'))).toBe(false);
  });

  it('lets exactly one of several processes creating the same incident win; no one sees it without its first entry', async () => {
    const script = `
      const { Incident } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'incident', 'incident.js'))});
      const { SimulatedClock } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'incident', 'clock.js'))});
      try {
        const i = await Incident.create({ incidentsDir: process.argv[1], id: 'race', writer: { actor: process.argv[2], clock: new SimulatedClock(new Date('${T0}')) }, opening: { playbook: ${JSON.stringify(PLAYBOOK)}, drill: true } });
        i.close();
        process.exit(0);
      } catch (e) { process.stderr.write(e.message); process.exit(e.exitCode ?? 1); }`;
    // A reader watching the place all along: whenever the log is there, it holds entry 0.
    let watching = true;
    const seen: number[] = [];
    const watcher = (async () => {
      while (watching) {
        try {
          seen.push(fs.statSync(logOf('race')).size);
        } catch {
          /* not there yet */
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    const codes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', script, incidents, `r${i}`], { stdio: ['ignore', 'ignore', 'pipe'] });
          child.on('close', resolve);
        }),
      ),
    );
    watching = false;
    await watcher;
    expect(codes.filter((c) => c === 0)).toHaveLength(1);
    expect(codes.filter((c) => c === 2)).toHaveLength(7);
    expect(seen.every((size) => size > 0)).toBe(true);
    expect(readChain(logOf('race'))).toHaveLength(1);
    expect(fs.readdirSync(incidents)).toEqual(['race']);
  }, 60_000);
});

describe('Incident.open', () => {
  it('verifies and replays the log: the state is the fold of its entries', async () => {
    await threeEntries();
    const incident = await open();
    const entries = readChain(logOf()) as EvidenceEntry[];
    const folded = replay('leak-1', entries);
    expect(incident.state).toEqual(folded);
    expect(incident.state.answers.get('exposed_data')?.value).toEqual(['names', 'emails']);
    expect(incident.state.notes).toBe(1);
  });

  it('refuses a log whose entry was edited (hash left stale) with exit 3 and the message verify prints; the file is unchanged', async () => {
    await threeEntries();
    const text = fs.readFileSync(logOf(), 'utf8').replace('"emails"', '"phones"');
    fs.writeFileSync(logOf(), text);
    const e = await failure(open('leak-1', writer('eve', new SimulatedClock(at(10)))));
    expect(e.exitCode).toBe(3);
    const report = await verifyLog(logOf());
    expect(e.message.startsWith(`${report.problems[0]!.message}\n${logOf()}: the evidence log does not verify (1 entries intact before the first problem).`)).toBe(true);
    expect(fs.readFileSync(logOf(), 'utf8')).toBe(text);
  });

  it('refuses a log whose first entry is not incident.opened (exit 3)', async () => {
    await threeEntries();
    const lines = fs.readFileSync(logOf(), 'utf8').split('\n');
    // A well-formed chain that starts with a note: rebuilt with correct hashes.
    const { hashOf, serialiseEntry } = await import('../../src/evidence/entry.js');
    const note = { seq: 0, at: T0, type: 'note.added' as const, actor: 'eve', data: { text: 'first' }, prev: null };
    fs.writeFileSync(logOf(), `${serialiseEntry({ ...note, hash: hashOf(note) })}\n`);
    const e = await failure(open());
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/line 1: the first entry is note\.added; a log begins with incident\.opened/);
    expect(lines.length).toBeGreaterThan(1);
  });

  it('refuses a log whose times go backwards (exit 3)', async () => {
    const { hashOf, serialiseEntry } = await import('../../src/evidence/entry.js');
    (await create()).close();
    const [opened] = readChain(logOf());
    const early = { seq: 1, at: '2026-03-01T00:00:00.000Z', type: 'note.added' as const, actor: 'eve', data: { text: 'dated before' }, prev: opened!.hash };
    fs.appendFileSync(logOf(), `${serialiseEntry({ ...early, hash: hashOf(early) })}\n`);
    const e = await failure(open());
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/line 2: at 2026-03-01T00:00:00.000Z is earlier than the entry before it/);
  });

  it('says an empty or missing log means the incident was never started (exit 2), and writes nothing', async () => {
    fs.mkdirSync(path.join(incidents, 'empty'), { recursive: true });
    fs.writeFileSync(logOf('empty'), '');
    fs.mkdirSync(path.join(incidents, 'nolog'), { recursive: true });
    for (const id of ['empty', 'nolog']) {
      const e = await failure(open(id, writer()));
      expect(e.exitCode).toBe(2);
      expect(e.message).toMatch(new RegExp(`incident ${id} was never started`));
    }
    expect(fs.readFileSync(logOf('empty'), 'utf8')).toBe('');
    expect(fs.existsSync(logOf('nolog'))).toBe(false);
  });

  it('says there is no such incident (exit 2)', async () => {
    const e = await failure(open('nope'));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(`no incident "nope" in ${incidents}; \`leakctl status\` lists the incidents there (or pass --dir)`);
  });

  it('refuses a FIFO at once instead of blocking on it (exit 2)', async () => {
    fs.mkdirSync(path.join(incidents, 'fifo'), { recursive: true });
    const made = spawn('mkfifo', [logOf('fifo')]);
    await new Promise((r) => made.on('close', r));
    // In a child process: a reader that blocked on the FIFO would hang there, not in the test run.
    const script = `
      const { Incident } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'incident', 'incident.js'))});
      try { await Incident.open({ incidentsDir: process.argv[1], id: 'fifo' }); process.exit(0); }
      catch (e) { process.stderr.write(e.message); process.exit(e.exitCode ?? 1); }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, incidents], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((r) => child.on('close', r));
    clearTimeout(timer);
    expect(code, err).toBe(2);
    expect(err).toMatch(/is a named pipe \(FIFO\), not a regular file/);
  }, 60_000);

  it('refuses a log that is a symbolic link, and never writes through it (exit 2)', async () => {
    await threeEntries('real');
    const before = fs.readFileSync(logOf('real'));
    fs.mkdirSync(path.join(incidents, 'link'), { recursive: true });
    fs.symlinkSync(logOf('real'), logOf('link'));
    const e = await failure(open('link', writer('eve', new SimulatedClock(at(60)))));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/is a symbolic link/);
    expect(fs.readFileSync(logOf('real'))).toEqual(before);
  });

  it('refuses an incident directory that is a symbolic link (exit 2)', async () => {
    await threeEntries('real');
    fs.symlinkSync(path.join(incidents, 'real'), path.join(incidents, 'alias'));
    const e = await failure(open('alias'));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/is a symbolic link/);
  });

  it('refuses a --now earlier than the last entry before anything is asked (exit 2)', async () => {
    await threeEntries();
    const before = fs.readFileSync(logOf());
    const e = await failure(open('leak-1', writer('dana', new SimulatedClock(new Date('2026-01-01T00:00:00Z')))));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/reads 2026-01-01T00:00:00.000Z, earlier than incident leak-1's last entry #2/);
    expect(fs.readFileSync(logOf())).toEqual(before);
  });
});

describe('incident.record', () => {
  it('appends entries that chain by the SPEC rule (checked independently), and releases the lock', async () => {
    await threeEntries();
    const incident = await open('leak-1', writer('lee', new SimulatedClock(at(5))));
    const entry = await incident.record('note.added', { text: 'one more', later: undefined });
    incident.close();
    expect(entry.data).toEqual({ text: 'one more' });
    const lines = readChain(logOf());
    expect(lines.at(-1)).toEqual(entry);
    expect(incident.state).toMatchObject({ entries: 4, head: entry.hash, notes: 2 });
    expect(fs.existsSync(path.join(incidents, 'leak-1', '.lock'))).toBe(false);
  });

  it('catches up with entries another door appended first, and tells refresh() about them', async () => {
    await threeEntries();
    const mine = await open('leak-1', writer('dana', new SimulatedClock(at(10))));
    const theirs = await open('leak-1', writer('lee', new SimulatedClock(at(6))));
    const noted = await theirs.record('note.added', { text: 'provider confirmed the fix' });
    const added = await mine.refresh();
    expect(added).toEqual([noted]);
    expect(mine.state.notes).toBe(2);
    const next = await theirs.record('step.answered', { step: 'members_affected', value: 40, source: 'prompt' });
    // record() catches up by itself too: its entry links to the other door's.
    const own = await mine.record('note.added', { text: 'thanks' });
    expect(own.prev).toBe(next.hash);
    expect(mine.state.answers.get('members_affected')?.value).toBe(40);
    mine.close();
    theirs.close();
    expect(readChain(logOf())).toHaveLength(6);
  });

  it('refuses to write once another door closed the incident (exit 2), writing nothing', async () => {
    await threeEntries();
    const mine = await open('leak-1', writer('dana', new SimulatedClock(at(5))));
    const theirs = await open('leak-1', writer('lee', new SimulatedClock(at(5))));
    await theirs.record('incident.closed', {});
    const before = fs.readFileSync(logOf());
    const e = await failure(mine.record('note.added', { text: 'late' }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^incident leak-1 was closed by lee at 2026-03-02T09:05:00.000Z; its log is read-only. Add what came later to a new incident/);
    expect(fs.readFileSync(logOf())).toEqual(before);
  });

  it('never dates an entry before the last one: a clock set by hand is refused, a wall clock a moment behind is held', async () => {
    await threeEntries();
    const hand = new SimulatedClock(at(5));
    const mine = await open('leak-1', writer('dana', hand));
    const theirs = await open('leak-1', writer('lee', new SimulatedClock(at(30))));
    const later = await theirs.record('note.added', { text: 'at minute 30' });
    const before = fs.readFileSync(logOf());
    const e = await failure(mine.record('note.added', { text: 'at minute 5' }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/earlier than incident leak-1's last entry #3/);
    expect(fs.readFileSync(logOf())).toEqual(before);

    const wall = new WallClock(new Date(Date.parse(later.at) - 1500));
    const behind = await open('leak-1', { actor: 'kim', clock: wall });
    expect((await behind.record('note.added', { text: 'a moment behind' })).at).toBe(later.at);
    wall.time = new Date(Date.parse(later.at) - 3600_000);
    expect((await failure(behind.record('note.added', { text: 'an hour behind' }))).message).toMatch(/this machine's clock reads/);
  });

  it('marks the entries of a real incident written with a clock set by hand, and replay counts them; drills are not marked', async () => {
    const real = await create('real', { drill: false, writer: writer('dana', new SimulatedClock(new Date(T0))) });
    await real.record('note.added', { text: 'pinned' });
    real.close();
    const wall = await open('real', { actor: 'dana', clock: new WallClock(at(60)) });
    await wall.record('note.added', { text: 'wall clock' });
    wall.close();
    const lines = readChain(logOf('real'));
    expect(lines.map((l) => l.data.clock)).toEqual(['set by hand', 'set by hand', undefined]);
    expect((await open('real')).state.clockSetByHand).toEqual({ entries: 2, first: 0 });
    (await threeEntries('drill'));
    expect(readChain(logOf('drill')).some((l) => 'clock' in l.data)).toBe(false);
    expect((await open('drill')).state.clockSetByHand).toBeNull();
  });

  it('waits for a lock another process holds, saying so once, and lands when it is released', async () => {
    await threeEntries();
    const told: string[] = [];
    const incident = await open('leak-1', writer('dana', new SimulatedClock(at(5))), (t) => told.push(t));
    const held = await acquireLock(path.join(incidents, 'leak-1'));
    const pending = incident.record('note.added', { text: 'waited' });
    await new Promise((r) => setTimeout(r, 300));
    expect(readChain(logOf())).toHaveLength(3);
    held.release();
    const entry = await pending;
    expect(readChain(logOf()).at(-1)).toEqual(entry);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/^Waiting for incident leak-1: another leakctl process \(pid \d+, since .*\) is writing it/);
  });

  it('sets a torn last line aside byte for byte before it appends; open had warned of it', async () => {
    await threeEntries();
    const intact = fs.readFileSync(logOf());
    const torn = '{"seq":3,"at":"2026-03-02T09:03:00.000Z","type":"note.ad';
    fs.appendFileSync(logOf(), torn);
    const told: string[] = [];
    const incident = await open('leak-1', writer('dana', new SimulatedClock(at(30))), (t) => told.push(t));
    expect(incident.state.entries).toBe(3);
    expect(told[0]).toMatch(/line 4 of incident leak-1's evidence log, its last, is cut short/);
    const entry = await incident.record('run.resumed', {});
    incident.close();
    expect(entry.seq).toBe(3);
    const sides = fs.readdirSync(path.join(incidents, 'leak-1')).filter((f) => f.startsWith('evidence.jsonl.torn-3-'));
    expect(sides).toHaveLength(1);
    const side = path.join(incidents, 'leak-1', sides[0]!);
    expect(fs.readFileSync(side, 'utf8')).toBe(torn);
    expect(mode(side)).toBe(0o600);
    expect(told[1]).toContain(side);
    expect(fs.readFileSync(logOf()).subarray(0, intact.length)).toEqual(intact);
    expect((await verifyLog(logOf())).ok).toBe(true);
  });

  it('refuses a log that was cut or rewritten under an open door (exit 3), writing nothing', async () => {
    await threeEntries();
    const incident = await open('leak-1', writer('dana', new SimulatedClock(at(5))));
    const lines = fs.readFileSync(logOf(), 'utf8').split('\n');
    fs.writeFileSync(logOf(), `${lines.slice(0, 2).join('\n')}\n`);
    const e = await failure(incident.record('note.added', { text: 'after a cut' }));
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/no longer continues the chain this leakctl read/);
    expect(fs.readFileSync(logOf(), 'utf8').split('\n')).toHaveLength(3);
  });

  it('leaves the log as it was and says what to do when the disk is full (exit 1); the next record lands', async () => {
    await threeEntries();
    const fail = { on: true };
    const incident = await Incident.open({
      incidentsDir: incidents,
      id: 'leak-1',
      writer: writer('dana', new SimulatedClock(at(5))),
      io: {
        writeSync(fd, buffer) {
          if (!fail.on) return fs.writeSync(fd, buffer);
          // Half the line reaches the file before the disk fills up.
          fs.writeSync(fd, buffer.subarray(0, buffer.length >> 1));
          throw Object.assign(new Error('ENOSPC: simulated'), { code: 'ENOSPC' });
        },
      },
    });
    const before = fs.readFileSync(logOf());
    const e = await failure(incident.record('note.added', { text: 'lost' }));
    expect(e.exitCode).toBe(1);
    expect(e.message).toContain(logOf());
    expect(e.message).toMatch(/Free some disk space/);
    expect(e.message).toMatch(/log is unchanged/);
    expect(fs.readFileSync(logOf())).toEqual(before);
    expect(incident.state.entries).toBe(3);
    fail.on = false;
    expect((await incident.record('note.added', { text: 'after freeing space' })).seq).toBe(3);
    expect((await verifyLog(logOf())).ok).toBe(true);
  });
});

describe('two processes recording at once', () => {
  it('both land every entry in one chain that verifies', async () => {
    await threeEntries();
    const script = `
      const { Incident } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'incident', 'incident.js'))});
      const { RealClock } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'incident', 'clock.js'))});
      const i = await Incident.open({ incidentsDir: process.argv[1], id: 'leak-1', writer: { actor: process.argv[2], clock: new RealClock() } });
      for (let n = 0; n < 50; n++) await i.record('note.added', { text: process.argv[2] + ' ' + n });
      i.close();`;
    const codes = await Promise.all(
      ['ana', 'ben'].map(
        (who) =>
          new Promise<{ code: number | null; err: string }>((resolve) => {
            const child = spawn(process.execPath, ['--input-type=module', '-e', script, incidents, who], { stdio: ['ignore', 'ignore', 'pipe'] });
            let err = '';
            child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
            child.on('close', (code) => resolve({ code, err }));
          }),
      ),
    );
    expect(codes).toEqual([{ code: 0, err: '' }, { code: 0, err: '' }]);
    const lines = readChain(logOf());
    expect(lines).toHaveLength(103);
    for (const who of ['ana', 'ben']) {
      expect(lines.filter((l) => l.actor === who).map((l) => l.data.text)).toEqual(Array.from({ length: 50 }, (_, n) => `${who} ${n}`));
    }
    const { fd, size } = openChainFile(logOf());
    try {
      expect(scanChain(fd, CHAIN_START, size, () => undefined).problem).toBeNull();
    } finally {
      fs.closeSync(fd);
    }
  }, 60_000);
});
