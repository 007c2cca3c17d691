import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyAttachment as store, sanitiseName, type AttachedFile } from '../../src/evidence/attachments.js';
import { InvalidInput } from '../../src/ui/errors.js';

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

let root: string;
let dir: string;
let src: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'leakctl-attach-'));
  dir = path.join(root, 'leak-1');
  fs.mkdirSync(path.join(dir, 'attachments'), { recursive: true });
  src = path.join(root, 'src');
  fs.mkdirSync(src);
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** The stored file, as the log records it. */
const copyAttachment = async (incidentDir: string, file: string): Promise<AttachedFile> => (await store(incidentDir, file)).file;

const attachments = (): string[] => fs.readdirSync(path.join(dir, 'attachments')).sort();

describe('copyAttachment', () => {
  it('copies the file under its hash prefix and name, owner-only, and reports its hash and size', async () => {
    const content = Buffer.from('GET /members/export 200\n');
    const file = path.join(src, 'access-log.txt');
    fs.writeFileSync(file, content, { mode: 0o644 });
    const a = await copyAttachment(dir, file);
    const hash = sha256(content);
    expect(a).toEqual({ path: `attachments/${hash.slice(0, 12)}-access-log.txt`, sha256: hash, bytes: content.length, original: file, modified: fs.statSync(file).mtime.toISOString() });
    expect(fs.readFileSync(path.join(dir, a.path))).toEqual(content);
    expect(fs.statSync(path.join(dir, a.path)).mode & 0o777).toBe(0o600);
    expect(attachments()).toEqual([`${hash.slice(0, 12)}-access-log.txt`]); // no temp files left
  });

  it('copies a file larger than its read buffer intact', async () => {
    const content = Buffer.alloc(3 * 1024 * 1024 + 17, 'ab');
    const file = path.join(src, 'dump.sql');
    fs.writeFileSync(file, content);
    const a = await copyAttachment(dir, file);
    expect([a.sha256, a.bytes]).toEqual([sha256(content), content.length]);
    expect(sha256(fs.readFileSync(path.join(dir, a.path)))).toBe(sha256(content));
  });

  it('reuses the stored copy when the same file is attached again, and says it stored nothing new', async () => {
    const file = path.join(src, 'a.txt');
    fs.writeFileSync(file, 'same');
    const first = await store(dir, file);
    const second = await store(dir, file);
    expect(second.file.path).toBe(first.file.path);
    expect([first.fresh, second.fresh]).toEqual([true, false]);
    expect(attachments()).toHaveLength(1);
  });

  it('never overwrites a stored file that has a different content under the same name', async () => {
    const file = path.join(src, 'a.txt');
    fs.writeFileSync(file, 'original');
    const a = await copyAttachment(dir, file);
    fs.writeFileSync(path.join(dir, a.path), 'tampered');
    const again = await copyAttachment(dir, file);
    expect(again.path).toBe(`attachments/${a.sha256.slice(0, 12)}-2-a.txt`);
    expect(fs.readFileSync(path.join(dir, a.path), 'utf8')).toBe('tampered');
    expect(fs.readFileSync(path.join(dir, again.path), 'utf8')).toBe('original');
  });

  it('refuses a missing file', async () => {
    const missing = path.join(src, 'nope.txt');
    await expect(copyAttachment(dir, missing)).rejects.toThrow(new InvalidInput(`attachment not found: ${missing}`));
  });

  it('refuses a symbolic link, naming it', async () => {
    fs.writeFileSync(path.join(src, 'real.txt'), 'x');
    const link = path.join(src, 'link.txt');
    fs.symlinkSync(path.join(src, 'real.txt'), link);
    await expect(copyAttachment(dir, link)).rejects.toThrow(`cannot attach ${link}: it is a symbolic link`);
    expect(attachments()).toEqual([]);
  });

  it('refuses a directory, naming it', async () => {
    await expect(copyAttachment(dir, src)).rejects.toThrow(`cannot attach ${src}: it is a directory`);
  });

  const hasMkfifo = process.platform !== 'win32' && spawnSync('mkfifo', ['--version']).status === 0;
  it.skipIf(!hasMkfifo)('refuses a FIFO without blocking on it', async () => {
    const fifo = path.join(src, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    await expect(copyAttachment(dir, fifo)).rejects.toThrow(`cannot attach ${fifo}: it is a named pipe (FIFO)`);
  });

  it.skipIf(process.platform === 'win32')('refuses a socket and a device file', async () => {
    const sock = path.join(src, 's.sock');
    const server = net.createServer().listen(sock);
    await new Promise((r) => server.once('listening', r));
    try {
      await expect(copyAttachment(dir, sock)).rejects.toThrow(/it is a socket/);
    } finally {
      server.close();
    }
    await expect(copyAttachment(dir, '/dev/null')).rejects.toThrow(/it is a device file/);
  });

  it('stores a file whose name starts with dots inside attachments/, renamed', async () => {
    const file = path.join(src, '..secret');
    fs.writeFileSync(file, 'x');
    const a = await copyAttachment(dir, file);
    expect(a.path).toBe(`attachments/${sha256('x').slice(0, 12)}-__secret`);
    expect(fs.existsSync(path.join(dir, a.path))).toBe(true);
  });

  it.skipIf(process.platform === 'win32')('strips backslash "directories" from a name (legal in POSIX file names)', async () => {
    const file = path.join(src, '..\\..\\evil.txt');
    fs.writeFileSync(file, 'x');
    expect((await copyAttachment(dir, file)).path).toBe(`attachments/${sha256('x').slice(0, 12)}-evil.txt`);
  });
});

describe('sanitiseName', () => {
  it('keeps only the last path component', () => {
    expect(sanitiseName('../../etc/passwd')).toBe('passwd');
    expect(sanitiseName('C:\\Users\\dana\\leak.csv')).toBe('leak.csv');
  });

  it('replaces leading dots, control characters and characters Windows forbids', () => {
    expect(sanitiseName('..')).toBe('__');
    expect(sanitiseName('.env')).toBe('_env');
    expect(sanitiseName('a\u0000b\nc\u001bd.txt')).toBe('a_b_c_d.txt');
    expect(sanitiseName('report: Q1?.pdf')).toBe('report_ Q1_.pdf');
  });

  it('falls back to "file" for an empty name', () => {
    expect(sanitiseName('')).toBe('file');
    expect(sanitiseName('some/dir/')).toBe('file');
  });

  it('caps the length at 100 characters, keeping the extension', () => {
    const name = sanitiseName(`${'x'.repeat(300)}.png`);
    expect(name).toHaveLength(100);
    expect(name.endsWith('.png')).toBe(true);
    const wide = sanitiseName(`${'🔥'.repeat(120)}.txt`);
    expect(Buffer.byteLength(wide)).toBeLessThanOrEqual(200);
    expect(wide.endsWith('.txt')).toBe(true);
    expect(wide).not.toMatch(/\uFFFD/);
  });
});
