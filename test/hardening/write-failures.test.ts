/**
 * Write failures, end to end (issue 7, "Faults"; SPEC section 4): the built binary against an
 * incident directory it may not write, a log file it may not write, and a disk that is full.
 * Every command must exit 1 with a message that says what happened and what to do, leave the
 * incident exactly as it was (byte for byte: no half-written last line, no lock or temporary file
 * left behind), keep `verify` at exit 0, and work again once the cause is gone.
 *
 * The tests run as root, for whom file modes do not stop writes. So permissions are tested as user
 * `nobody` (setpriv / runuser), the immutable attribute as root (chattr +i), and a full disk on a
 * small tmpfs mounted here. Each part is skipped, with the reason in its name, where the machine
 * does not allow it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, fsyncSync, ftruncateSync, fstatSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leakctl, type Result } from '../helpers/exec.js';
import { NOBODY, otherUser, type OtherUser } from '../helpers/other-user.js';

const fixtures = join(import.meta.dirname, '..', 'e2e', 'fixtures', 'incident');
const breach = join(fixtures, 'breach.yaml');
const part1 = join(fixtures, 'part1.yaml');
const more = join(fixtures, 'more.yaml');
const complete = join(fixtures, 'complete.yaml');

const isRoot = process.getuid?.() === 0;
// As `nobody`: a copy of the CLI and of the fixtures it reads, where that user can reach them.
const nobody = otherUser();
const nobodyWhyNot = typeof nobody === 'string' ? nobody : null;
if (nobodyWhyNot) console.log(`test/hardening/write-failures.test.ts: the tests as nobody are skipped: ${nobodyWhyNot}`);
const asNobodyPrefix = typeof nobody === 'string' ? null : nobody.prefix;
const nobodyFixtures = typeof nobody === 'string' ? fixtures : nobody.reachable(fixtures, 'incident');
const inputs = {
  breach: join(nobodyFixtures, 'breach.yaml'),
  part1: join(nobodyFixtures, 'part1.yaml'),
  more: join(nobodyFixtures, 'more.yaml'),
  complete: join(nobodyFixtures, 'complete.yaml'),
};

const tmp = mkdtempSync(join(tmpdir(), 'leakctl-hardening-wf-'));
// `nobody` must be able to reach its own directory below this one.
chmodSync(tmp, 0o755);

const mounted: string[] = [];
/**
 * A small file system that can be filled, mounted at collection time so that a refusal can skip
 * the tests that need it. Returns why it could not be mounted, or null.
 */
function smallDisk(dir: string, size: string): string | null {
  mkdirSync(dir);
  if (!isRoot) return 'not running as root';
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (m.status !== 0) return `mount -t tmpfs refused: ${(m.stderr || m.error?.message || '').trim()}`;
  mounted.push(dir);
  return null;
}
const fullMount = join(tmp, 'full');
// Room for a few whole incidents whatever the length of the checkout's path (entries record the
// playbook's path): the tests fill what is left with a filler file, so the size is not what they test.
const mountWhyNot = smallDisk(fullMount, '256k');
// The bundled playbook's ten drafts and four attachments need more room than 64 KiB.
const draftsMount = join(tmp, 'full-drafts');
const draftsMountWhyNot = smallDisk(draftsMount, '512k');

const immutables: string[] = [];

afterAll(() => {
  if (typeof nobody !== 'string') nobody.remove();
  for (const file of immutables) spawnSync('chattr', ['-i', file]);
  for (const dir of mounted) {
    if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
  }
  rmSync(tmp, { recursive: true, force: true });
});

function quietEnv(home: string): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', HOME: home };
  for (const name of ['FORCE_COLOR', 'LEAKCTL_DIR', 'LEAKCTL_NOW']) delete env[name];
  return env;
}

/** The built binary, run as `nobody` in `cwd` (which nobody can write). */
function asNobody(args: readonly string[], cwd: string): Result {
  const { prefix, bin } = nobody as OtherUser;
  const r = spawnSync(prefix[0]!, [...prefix.slice(1), process.execPath, bin, ...args], {
    cwd,
    env: quietEnv(cwd),
    input: '',
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file and directory under `dir` with its bytes: what "nothing changed" is checked against. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      if (lstatSync(full).isDirectory()) {
        out[`${r}/`] = 'dir';
        walk(full, r);
      } else {
        out[r] = readFileSync(full).toString('base64');
      }
    }
  };
  walk(dir, '');
  return out;
}

/** The log ends with a whole, parseable entry: no half-written last line. */
function lastLineWhole(log: string): void {
  const text = readFileSync(log, 'utf8');
  expect(text.endsWith('\n'), 'the log ends with a newline').toBe(true);
  const last = text.slice(0, -1).split('\n').at(-1)!;
  expect(() => JSON.parse(last)).not.toThrow();
}

const PERMISSION = { what: /permission denied|operation not permitted/i, fix: /Fix the permissions/ };
const DISK_FULL = { what: /no space left on device|disk is full|is the disk full/i, fix: /disk space/i };

/**
 * The command failed the way a responder can act on: exit 1, what happened and what to do, no
 * stack trace, and the incident exactly as it was.
 */
function refusedCleanly(r: Result, expected: { what: RegExp; fix: RegExp }, incident: string, before: Record<string, string>): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(expected.what);
  expect(r.stderr).toMatch(expected.fix);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toContain('please report it');
  expect(snapshot(incident)).toEqual(before);
  lastLineWhole(join(incident, 'evidence.jsonl'));
}

function verifies(incident: string): void {
  const r = leakctl(['verify', incident]);
  expect(r.code, r.stderr).toBe(0);
}

describe.skipIf(asNobodyPrefix === null)(`an incident directory its user may not write (chmod 0500, as nobody${nobodyWhyNot ? `; skipped: ${nobodyWhyNot}` : ''})`, () => {
  const home = join(tmp, 'nobody-dir');
  const dir = join(home, 'incidents');
  const incident = join(dir, 'w1');
  const evidence = join(home, 'evidence.txt');
  let before: Record<string, string>;

  beforeAll(() => {
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, NOBODY, NOBODY);
    writeFileSync(evidence, 'screenshot of the leaked export\n');
    chownSync(evidence, NOBODY, NOBODY);
    // Stops at a missing answer (exit 2) with four steps logged: resume has work left.
    const r = asNobody(['start', inputs.breach, '--answers', inputs.part1, '--id', 'w1', '--dir', dir], home);
    expect(r.code, r.stderr).toBe(2);
    chmodSync(incident, 0o500);
    before = snapshot(incident);
  });

  // Guards: the lock file that could not be created is reported with the fix (exit 1), not as a bare EACCES.
  it.each([
    ['note', ['note', 'w1', 'the export link was shared on a forum', '--dir', dir]],
    ['attach', ['attach', 'w1', evidence, '--dir', dir]],
    ['resume', ['resume', 'w1', '--answers', inputs.more, '--dir', dir]],
  ])('%s exits 1, says to fix the permissions, and changes nothing', (_name, args) => {
    refusedCleanly(asNobody(args, home), PERMISSION, incident, before);
    verifies(incident);
  });

  it('start exits 1 when the incidents directory cannot be written, and creates nothing', () => {
    chmodSync(dir, 0o500);
    try {
      const r = asNobody(['start', inputs.breach, '--answers', inputs.complete, '--id', 'w2', '--dir', dir], home);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(PERMISSION.what);
      expect(r.stderr).toMatch(PERMISSION.fix);
      expect(r.stderr).toContain(join(dir, 'w2'));
      expect(existsSync(join(dir, 'w2'))).toBe(false);
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it('works again once the permissions are fixed: nothing left behind blocks it', () => {
    chmodSync(incident, 0o700);
    expect(asNobody(['note', 'w1', 'permissions fixed', '--dir', dir], home).code).toBe(0);
    expect(asNobody(['attach', 'w1', evidence, '--dir', dir], home).code).toBe(0);
    const r = asNobody(['resume', 'w1', '--answers', inputs.more, '--dir', dir], home);
    expect(r.code, r.stderr).toBe(0);
    verifies(incident);
  });
});

describe.skipIf(asNobodyPrefix === null)(`a log file its user may not write (chmod 0400, as nobody${nobodyWhyNot ? `; skipped: ${nobodyWhyNot}` : ''})`, () => {
  const home = join(tmp, 'nobody-log');
  const dir = join(home, 'incidents');
  const incident = join(dir, 'r1');
  const log = join(incident, 'evidence.jsonl');
  const evidence = join(home, 'evidence.txt');
  let before: Record<string, string>;

  beforeAll(() => {
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, NOBODY, NOBODY);
    writeFileSync(evidence, 'access log excerpt\n');
    chownSync(evidence, NOBODY, NOBODY);
    expect(asNobody(['start', inputs.breach, '--answers', inputs.part1, '--id', 'r1', '--dir', dir], home).code).toBe(2);
    chmodSync(log, 0o400);
    before = snapshot(incident);
  });

  // Guards: the appender's check that the log can be opened for appending; copies made before it are removed again.
  it.each([
    ['note', ['note', 'r1', 'observation', '--dir', dir]],
    ['attach', ['attach', 'r1', evidence, '--dir', dir]],
    ['resume', ['resume', 'r1', '--answers', inputs.more, '--dir', dir]],
  ])('%s exits 1 naming the log, says to fix the permissions, and changes nothing', (_name, args) => {
    const r = asNobody(args, home);
    refusedCleanly(r, PERMISSION, incident, before);
    expect(r.stderr).toContain(log);
    verifies(incident);
  });

  it('works again once the log is writable', () => {
    chmodSync(log, 0o600);
    expect(asNobody(['note', 'r1', 'writable again', '--dir', dir], home).code).toBe(0);
    verifies(incident);
  });
});

/** Whether chattr +i works on the file system under tmp (ext4 and xfs: yes; tmpfs, overlayfs: often not). */
function chattrWhyNot(): string | null {
  if (!isRoot) return 'not running as root';
  const probe = join(tmp, 'chattr-probe');
  writeFileSync(probe, '');
  const r = spawnSync('chattr', ['+i', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `chattr +i is not supported here: ${(r.stderr || r.error?.message || '').trim()}`;
  spawnSync('chattr', ['-i', probe]);
  rmSync(probe);
  return null;
}
const immutableWhyNot = chattrWhyNot();

describe.skipIf(immutableWhyNot !== null)(`a log file made immutable (chattr +i, as root${immutableWhyNot ? `; skipped: ${immutableWhyNot}` : ''})`, () => {
  const dir = join(tmp, 'immutable', 'incidents');
  const incident = join(dir, 'i1');
  const log = join(incident, 'evidence.jsonl');
  const evidence = join(fixtures, 'access-log.txt');
  let before: Record<string, string>;

  beforeAll(() => {
    expect(leakctl(['start', breach, '--answers', part1, '--id', 'i1', '--dir', dir]).code).toBe(2);
    expect(spawnSync('chattr', ['+i', log]).status).toBe(0);
    immutables.push(log);
    before = snapshot(incident);
  });

  it.each([
    ['note', ['note', 'i1', 'observation', '--dir', dir]],
    ['attach', ['attach', 'i1', evidence, '--dir', dir]],
    ['resume', ['resume', 'i1', '--answers', more, '--dir', dir]],
  ])('%s exits 1 naming the log and changes nothing', (_name, args) => {
    const r = leakctl(args);
    refusedCleanly(r, PERMISSION, incident, before);
    expect(r.stderr).toContain(log);
    verifies(incident);
  });
});

const PAGE = 4096;

/** Fills the file system that holds `filler` to the last page. */
function fillDisk(filler: string): void {
  const fd = openSync(filler, 'a');
  const block = Buffer.alloc(PAGE, 0x55);
  try {
    for (;;) {
      try {
        if (writeSync(fd, block) < PAGE) break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw e;
      }
    }
    // A short last write leaves a partly used page: round down, so freeing N pages frees N.
    ftruncateSync(fd, Math.floor(fstatSync(fd).size / PAGE) * PAGE);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Frees `pages` pages of the filler: one is enough for the lock file, not for what comes after it. */
function freePages(filler: string, pages: number): void {
  const fd = openSync(filler, 'r+');
  try {
    ftruncateSync(fd, Math.max(0, fstatSync(fd).size - pages * PAGE));
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(mountWhyNot !== null)(`a full disk (a 256 KiB tmpfs${mountWhyNot ? `; skipped: ${mountWhyNot}` : ''})`, () => {
  const dir = join(fullMount, 'incidents');
  const incident = join(dir, 'f1');
  const filler = join(fullMount, 'filler');
  const big = join(tmp, 'big-evidence.bin');

  const fill = (): void => fillDisk(filler);
  const free = (pages: number): void => freePages(filler, pages);
  const emptyDisk = (): void => rmSync(filler, { force: true });

  beforeAll(() => {
    const r = leakctl(['start', breach, '--answers', complete, '--id', 'f1', '--dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    writeFileSync(big, Buffer.alloc(16 * 1024, 0x42));
  });

  // Guards: a lock file whose write fails is removed and reported with the fix; before, the
  // empty lock stayed behind and every later command called the incident locked.
  it('note on a disk with no free page exits 1, says to free space, leaves no lock behind, and works once there is space', () => {
    fill();
    const before = snapshot(incident);
    refusedCleanly(leakctl(['note', 'f1', 'observation', '--dir', dir]), DISK_FULL, incident, before);
    verifies(incident);
    emptyDisk();
    const r = leakctl(['note', 'f1', 'after freeing space', '--dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    verifies(incident);
  });

  // Guards: ChainAppender.append's undo of a short write (the line is cut back out, exit 1).
  it('note whose entry does not fit exits 1 with the log byte for byte as it was', () => {
    fill();
    free(1);
    const before = snapshot(incident);
    const text = 'a long observation that needs more room than the disk has: '.padEnd(12 * 1024, 'x');
    const r = leakctl(['note', 'f1', text, '--dir', dir]);
    refusedCleanly(r, DISK_FULL, incident, before);
    expect(r.stderr).toContain(join(incident, 'evidence.jsonl'));
    expect(r.stderr).toMatch(/not recorded/);
    verifies(incident);
    emptyDisk();
  });

  // Guards: copyAttachment removes its partial copy; nothing is logged for a file that was not kept.
  it('attach of a file that does not fit exits 1, keeps no partial copy and logs nothing', () => {
    fill();
    free(1);
    const before = snapshot(incident);
    refusedCleanly(leakctl(['attach', 'f1', big, '--dir', dir]), DISK_FULL, incident, before);
    verifies(incident);
    emptyDisk();
    expect(leakctl(['attach', 'f1', big, '--dir', dir]).code).toBe(0);
    verifies(incident);
  });

  // Guards: creation is atomic (issue 8). With no room, nothing is created, and the same start
  // runs once there is space; with room for the first entry only, the incident exists with a log
  // that verifies, and resume finishes it. Before, a start cut off here left an empty log.
  it('start on a disk with no free page exits 1, creates nothing, and can be run again once there is space', () => {
    fill();
    const others = snapshot(incident);
    const id = 'f-start-0';
    const r = leakctl(['start', breach, '--answers', complete, '--id', id, '--dir', dir]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(DISK_FULL.what);
    expect(r.stderr).toMatch(DISK_FULL.fix);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(snapshot(incident)).toEqual(others);
    expect(readdirSync(dir).filter((name) => name.includes(id))).toEqual([]);
    emptyDisk();
    const again = leakctl(['start', breach, '--answers', complete, '--id', id, '--dir', dir]);
    expect(again.code, again.stderr).toBe(0);
    verifies(join(dir, id));
    rmSync(join(dir, id), { recursive: true });
  });

  it('start on a disk with room for the first entry only exits 1 with an incident whose log verifies, which resume finishes', () => {
    fill();
    free(1);
    const id = 'f-start-1';
    const r = leakctl(['start', breach, '--answers', complete, '--id', id, '--dir', dir]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(DISK_FULL.what);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(dir, id, 'evidence.jsonl')), 'the first entry fits: the incident exists').toBe(true);
    verifies(join(dir, id));
    expect(existsSync(join(dir, id, '.lock')), 'no lock left behind').toBe(false);
    emptyDisk();
    const again = leakctl(['resume', id, '--answers', complete, '--dir', dir]);
    expect(again.code, again.stderr).toBe(0);
    verifies(join(dir, id));
  });
});
