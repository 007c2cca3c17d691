/**
 * Issue 7, "Load": a log with 1,000,000 entries verifies and replays in bounded memory. The same
 * commands run on 100,000 and 1,000,000 entries of the same mix (test/hardening/big-log.ts), and
 * the peak RSS of each (/usr/bin/time -f %M) may grow by at most half from the one to the other:
 * a reader that held the log, or its lines, would grow tenfold. Figures are printed for the note.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { writeBigLog } from '../hardening/big-log.js';
import { measure } from '../hardening/measure.js';

const root = mkdtempSync(join(tmpdir(), 'leakctl-1m-'));
const incidents = join(root, 'incidents');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const COMMANDS: Record<string, (id: string) => string[]> = {
  verify: (id) => ['verify', id],
  'log --json > /dev/null': (id) => ['log', id, '--json'],
  status: (id) => ['status', id],
};

it('verify, log --json and status: peak RSS at 1,000,000 entries is at most 1.5x that at 100,000', () => {
  const heads = { small: writeBigLog(incidents, 'small', 100_000), large: writeBigLog(incidents, 'large', 1_000_000) };
  const figures: string[] = [];
  for (const [name, args] of Object.entries(COMMANDS)) {
    const small = measure(['--dir', incidents, ...args('small')], root, { stdout: 'ignore', timeoutMs: 900_000 });
    const large = measure(['--dir', incidents, ...args('large')], root, { stdout: 'ignore', timeoutMs: 900_000 });
    expect(small.code, small.stderr).toBe(0);
    expect(large.code, large.stderr).toBe(0);
    figures.push(`${name}: ${small.mb.toFixed(0)} MB at 100k, ${large.mb.toFixed(0)} MB at 1M (x${(large.mb / small.mb).toFixed(2)})`);
    expect(large.mb, figures.at(-1)).toBeLessThanOrEqual(1.5 * small.mb);
  }
  const verify = measure(['--dir', incidents, 'verify', 'large'], root, { timeoutMs: 900_000 });
  expect(verify.stdout).toContain(`OK  1000000 entries, head ${heads.large}`);
  console.info(`peak RSS:\n${figures.join('\n')}`);
}, 900_000);
