import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/evidence/lock.js';
import { InvalidInput } from '../../src/ui/errors.js';

let dir: string;
let lockFile: string;
beforeEach(() => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leakctl-lock-')), 'leak-1');
  fs.mkdirSync(dir);
  lockFile = path.join(dir, '.lock');
});
afterEach(() => {
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

/** The pid of a process that has run and exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  expect(child.status).toBe(0);
  return child.pid as number;
}

describe('acquireLock', () => {
  it('records who holds the lock, owner-only', async () => {
    const lock = await acquireLock(dir, { now: new Date('2026-03-02T09:00:00.000Z') });
    expect(JSON.parse(fs.readFileSync(lockFile, 'utf8'))).toEqual({
      pid: process.pid,
      host: os.hostname(),
      started: '2026-03-02T09:00:00.000Z',
    });
    expect(fs.statSync(lockFile).mode & 0o777).toBe(0o600);
    lock.release();
    expect(fs.existsSync(lockFile)).toBe(false);
  });

  it('makes a second holder wait while the first holds it, and lets it in once released', async () => {
    const first = await acquireLock(dir);
    const told: string[] = [];
    let got = false;
    const second = acquireLock(dir, { onWait: (holder) => told.push(holder) }).then((lock) => {
      got = true;
      return lock;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toBe(false);
    first.release();
    (await second).release();
    expect(got).toBe(true);
    expect(told).toEqual([expect.stringMatching(new RegExp(`^pid ${process.pid}, since `))]);
  });

  it('gives up after the wait, naming the holder and its start (exit 2)', async () => {
    const first = await acquireLock(dir, { now: new Date('2026-03-02T09:00:00.000Z') });
    const refused = acquireLock(dir, { waitMs: 150 });
    await expect(refused).rejects.toThrow(InvalidInput);
    await expect(acquireLock(dir, { waitMs: 0 })).rejects.toThrow(
      `incident leak-1 is being written by another leakctl process (pid ${process.pid}, since 2026-03-02T09:00:00.000Z); wait for it to finish or stop it`,
    );
    first.release();
  });

  it('takes over a lock whose process has ended', async () => {
    const pid = deadPid();
    const stale = { pid, host: os.hostname(), started: '2026-03-01T00:00:00.000Z' };
    fs.writeFileSync(lockFile, JSON.stringify(stale));
    const lock = await acquireLock(dir);
    expect(lock.tookOver).toEqual(stale);
    expect(JSON.parse(fs.readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
    expect(fs.readdirSync(dir)).toEqual(['.lock']); // no stale leftovers
    lock.release();
    expect(fs.existsSync(lockFile)).toBe(false);
  });

  it('respects a lock held from another host, since that process cannot be checked', async () => {
    fs.writeFileSync(lockFile, JSON.stringify({ pid: deadPid(), host: 'laptop-of-someone-else', started: '2026-03-01T00:00:00.000Z' }));
    await expect(acquireLock(dir, { waitMs: 0 })).rejects.toThrow(/on host laptop-of-someone-else/);
  });

  it('refuses an unreadable lock file and says how to clear it', async () => {
    fs.writeFileSync(lockFile, '');
    await expect(acquireLock(dir, { waitMs: 0 })).rejects.toThrow(/cannot be read; if no leakctl process is working on this incident, delete that file/);
  });

  it('release leaves a lock that is no longer ours', async () => {
    const lock = await acquireLock(dir);
    const theirs = JSON.stringify({ pid: process.pid + 1, host: os.hostname(), started: 'later' });
    fs.writeFileSync(lockFile, theirs);
    lock.release();
    expect(fs.readFileSync(lockFile, 'utf8')).toBe(theirs);
  });

  it('release can be called twice', async () => {
    const lock = await acquireLock(dir);
    lock.release();
    const other = await acquireLock(dir);
    lock.release();
    expect(fs.existsSync(lockFile)).toBe(true);
    other.release();
  });

  it('says there is no incident when the directory does not exist', async () => {
    await expect(acquireLock(path.join(dir, 'nope'))).rejects.toThrow(`no incident at ${path.join(dir, 'nope')}`);
  });
});
