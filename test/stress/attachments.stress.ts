/**
 * Issue 7, "Hostile input": a 2 GB evidence file (sparse, so the test costs no disk to create)
 * is copied into the incident and hashed with flat memory, and `verify` re-hashes it the same
 * way. Asserts memory, not time: the peak RSS of each run stays under 150 MB (a streamed copy
 * uses about 60 MB; reading the file whole would need more than 2 GB). About 20 s here, most
 * of it writing the 2 GB copy, hence `npm run test:stress`; test/hardening/attachments.test.ts
 * does the same with 512 MB in `npm test`.
 */
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { leakctl } from '../helpers/exec.js';
import { measure } from '../hardening/measure.js';

const root = mkdtempSync(join(tmpdir(), 'leakctl-2gb-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('a 2 GB file is attached and verified with a peak RSS under 150 MB', () => {
  writeFileSync(join(root, 'note.txt'), 'x\n');
  writeFileSync(
    join(root, 'p.yaml'),
    'schema: leakctl/playbook@1\nid: big\ntitle: Big\ncause: other\nsummary: S\nphases:\n  - id: p\n    title: P\n    steps:\n      - { id: seen, kind: confirm, prompt: Seen? }\n',
  );
  writeFileSync(join(root, 'a.yaml'), 'schema: leakctl/answers@1\nanswers:\n  seen: true\n');
  const opened = leakctl(['--dir', join(root, 'inc'), 'start', join(root, 'p.yaml'), '--answers', join(root, 'a.yaml'), '--id', 'big'], { cwd: root });
  expect(opened.code, opened.stderr).toBe(0);

  const big = join(root, 'two-gigabytes.bin');
  closeSync(openSync(big, 'w'));
  truncateSync(big, 2 * 1024 ** 3);
  const attach = measure(['--dir', join(root, 'inc'), 'attach', 'big', big], root, { timeoutMs: 900_000 });
  expect(attach.code, attach.stderr).toBe(0);
  expect(attach.stdout).toContain('2147483648 bytes');
  expect(readdirSync(join(root, 'inc', 'big', 'attachments')).some((n) => n.endsWith('-two-gigabytes.bin'))).toBe(true);
  const verify = measure(['--dir', join(root, 'inc'), 'verify', 'big'], root, { timeoutMs: 900_000 });
  expect(verify.code, verify.stderr).toBe(0);
  console.info(`2 GB attachment: attach peak RSS ${attach.mb.toFixed(0)} MB, verify ${verify.mb.toFixed(0)} MB`);
  expect(attach.mb).toBeLessThan(150);
  expect(verify.mb).toBeLessThan(150);
}, 600_000);
