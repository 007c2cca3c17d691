/**
 * Peak resident memory of one leakctl run, as `/usr/bin/time -f %M` reports it (kilobytes of the
 * child's maximum RSS). The figure issue 7 asks for: memory, not time.
 */
import { spawnSync } from 'node:child_process';
import { BIN } from '../helpers/exec.js';

export interface Measured {
  code: number | null;
  /** Peak RSS in MB. */
  mb: number;
  stdout: string;
  stderr: string;
}

export function peakRssMb(args: readonly string[], cwd: string, options: { stdout?: 'ignore' } = {}): Measured {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 900_000,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', options.stdout === 'ignore' ? 'ignore' : 'pipe', 'pipe'],
  });
  const kb = Number(r.stderr.trim().split('\n').pop());
  return { code: r.status, mb: kb / 1024, stdout: r.stdout ?? '', stderr: r.stderr };
}
