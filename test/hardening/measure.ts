/**
 * What one leakctl run cost: its peak resident memory and the processor time it used, as the
 * process itself reports them on exit (test/helpers/report-usage.cjs; the figures GNU time
 * prints). Not the time on the wall: processor time is what a loop that grows faster than its
 * input burns, and unlike the wall clock it does not grow when the machine is busy (issue 9).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/exec.js';

const PRELOAD = join(import.meta.dirname, '..', 'helpers', 'report-usage.cjs');

export interface Measured {
  code: number | null;
  /** Peak RSS in MB. */
  mb: number;
  /** User plus system processor time, in seconds. */
  cpuSeconds: number;
  stdout: string;
  stderr: string;
}

/**
 * `timeoutMs` kills a run that hangs; it stays below the 60 s a test has by default (a synchronous
 * spawn cannot be interrupted by the test runner), and the long runs of test:stress raise it.
 */
export function measure(args: readonly string[], cwd: string, options: { stdout?: 'ignore'; timeoutMs?: number } = {}): Measured {
  const place = mkdtempSync(join(tmpdir(), 'leakctl-usage-'));
  const usageFile = join(place, 'usage.json');
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', LEAKCTL_TEST_USAGE: usageFile };
  for (const name of ['FORCE_COLOR', 'LEAKCTL_DIR', 'LEAKCTL_NOW']) delete env[name];
  try {
    const r = spawnSync(process.execPath, ['--require', PRELOAD, BIN, ...args], {
      cwd,
      env,
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 50_000,
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', options.stdout === 'ignore' ? 'ignore' : 'pipe', 'pipe'],
    });
    let usage = { maxRSS: Number.NaN, userCPUTime: Number.NaN, systemCPUTime: Number.NaN };
    try {
      usage = JSON.parse(readFileSync(usageFile, 'utf8')) as typeof usage;
    } catch {
      // Killed before it could report (the timeout, a crash): the figures stay NaN and fail any bound.
    }
    return {
      code: r.status,
      mb: usage.maxRSS / 1024,
      cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
      stdout: r.stdout ?? '',
      stderr: r.stderr ?? '',
    };
  } finally {
    rmSync(place, { recursive: true, force: true });
  }
}
