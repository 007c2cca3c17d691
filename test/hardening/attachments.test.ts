/**
 * Issue 7, "Hostile input": evidence files come from hostile places. Through `attach` and through
 * an answers file's attachment step, leakctl copies regular files only: a symbolic link, a
 * directory, a named pipe (which would block a reader forever), a socket or a device file is
 * refused with a message that says what it is, and nothing is logged or copied. Original names
 * with `../`, slashes or NUL never shape the stored name. A large file is copied and hashed in a
 * streamed loop: the peak memory of the process does not grow with the file (the 2 GB case is in
 * test/stress/attachments.stress.ts; here 512 MB, which a whole-file read could not hide).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leakctl } from '../helpers/exec.js';
import { measure } from './measure.js';

const root = mkdtempSync(join(tmpdir(), 'leakctl-attach-hostile-'));
const incidents = join(root, 'incidents');
const files = join(root, 'files');
let socket: Server | undefined;

const playbook = `schema: leakctl/playbook@1
id: evidence
title: Evidence
cause: other
summary: One attachment step.
phases:
  - id: p
    title: P
    steps:
      - { id: files, kind: attachment, prompt: Evidence files? }
`;

const run = (args: string[]) => leakctl(['--dir', incidents, ...args], { cwd: root });
const entries = (id: string) => readFileSync(join(incidents, id, 'evidence.jsonl'), 'utf8').trim().split('\n').length;
const stored = (id: string) => readdirSync(join(incidents, id, 'attachments')).filter((n) => !n.startsWith('.'));

/** Opens an incident with one regular attachment, so `attach` has somewhere to go. */
function open(id: string): void {
  writeFileSync(join(root, `${id}.yaml`), `schema: leakctl/answers@1\nnow: 2026-03-02T09:00:00Z\nanswers:\n  files: [files/real.txt]\n`);
  const r = run(['start', join(root, 'evidence.yaml'), '--answers', join(root, `${id}.yaml`), '--id', id]);
  expect(r.code, r.stderr).toBe(0);
}

beforeAll(async () => {
  mkdirSync(files, { recursive: true });
  writeFileSync(join(root, 'evidence.yaml'), playbook);
  writeFileSync(join(files, 'real.txt'), 'access log\n');
  symlinkSync(join(files, 'real.txt'), join(files, 'link.txt'));
  symlinkSync('/etc/passwd', join(files, 'passwd-link'));
  mkdirSync(join(files, 'folder'));
  execFileSync('mkfifo', [join(files, 'pipe')]);
  socket = createServer();
  await new Promise<void>((resolve) => socket!.listen(join(files, 'socket'), resolve));
  open('inc');
});

afterAll(() => {
  socket?.close();
});

const REFUSED: [string, string, RegExp][] = [
  ['a symbolic link to a file', 'files/link.txt', /symbolic link/],
  ['a symbolic link out of the folder', 'files/passwd-link', /symbolic link/],
  ['a directory', 'files/folder', /a directory/],
  ['a named pipe (FIFO)', 'files/pipe', /named pipe \(FIFO\)/],
  ['a socket', 'files/socket', /a socket/],
  ['a device file', '/dev/null', /a device file/],
  ['a device file that never ends', '/dev/zero', /a device file/],
];

describe('attach refuses what is not a regular file', () => {
  for (const [what, path, message] of REFUSED) {
    it(`refuses ${what}, logging and copying nothing`, () => {
      const before = entries('inc');
      const copies = stored('inc');
      const r = run(['attach', 'inc', path]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain(path.startsWith('/') ? path : join(root, path));
      expect(entries('inc')).toBe(before);
      expect(stored('inc')).toEqual(copies);
    });
  }

  it('names given with ../ are stored under their last component only', () => {
    mkdirSync(join(root, 'deep', 'er'), { recursive: true });
    writeFileSync(join(root, 'deep', 'climb.txt'), 'climb\n');
    const r = leakctl(['--dir', incidents, 'attach', 'inc', '../climb.txt'], { cwd: join(root, 'deep', 'er') });
    expect(r.code, r.stderr).toBe(0);
    const names = stored('inc').filter((n) => n.endsWith('climb.txt'));
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^[0-9a-f]{12}-climb\.txt$/);
  });
});

describe('an answers file cannot attach what is not a regular file either', () => {
  for (const [what, path, message] of REFUSED) {
    it(`refuses ${what}, naming the step and the path`, () => {
      const answers = join(root, `answers-${what.replace(/\W+/g, '-')}.yaml`);
      writeFileSync(answers, `schema: leakctl/answers@1\nanswers:\n  files: [${JSON.stringify(path)}]\n`);
      const id = `a-${what.replace(/\W+/g, '-')}`.slice(0, 60);
      const r = run(['start', join(root, 'evidence.yaml'), '--answers', answers, '--id', id]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('the answer for step "files" is invalid');
      expect(r.stderr).toMatch(message);
      if (existsSync(join(incidents, id, 'attachments'))) expect(stored(id)).toEqual([]);
    });
  }

  it('refuses a path with a NUL character, saying so', () => {
    const answers = join(root, 'answers-nul.yaml');
    writeFileSync(answers, 'schema: leakctl/answers@1\nanswers:\n  files: ["files/real.txt\\0../../etc/passwd"]\n');
    const r = run(['start', join(root, 'evidence.yaml'), '--answers', answers, '--id', 'nul']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('contains a NUL character');
  });
});

describe('a large file is copied and hashed in bounded memory', () => {
  it('512 MB (sparse) attaches with a peak RSS far below the file size, and verifies', () => {
    const big = join(root, 'big.bin');
    closeSync(openSync(big, 'w'));
    truncateSync(big, 512 * 1024 * 1024);
    try {
      const attach = measure(['--dir', incidents, 'attach', 'inc', big], root);
      expect(attach.code, attach.stderr).toBe(0);
      // A whole-file read would need 512 MB or more; a streamed copy needs about 60 MB.
      expect(attach.mb).toBeLessThan(150);
      const verify = measure(['--dir', incidents, 'verify', 'inc'], root);
      expect(verify.code, verify.stderr).toBe(0);
      expect(verify.mb).toBeLessThan(150);
      console.info(`attach 512 MB: peak RSS ${attach.mb.toFixed(0)} MB; verify: ${verify.mb.toFixed(0)} MB`);
    } finally {
      rmSync(big, { force: true });
      for (const name of stored('inc')) if (name.endsWith('big.bin')) rmSync(join(incidents, 'inc', 'attachments', name));
    }
  }, 120_000);
});
