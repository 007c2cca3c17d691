/** Run the built binary as a user would, without colour, and capture everything. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { crossCheck } from './cross-check.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'leakctl.js');

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function leakctl(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): Result {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...options.env };
  delete env.FORCE_COLOR;
  delete env.LEAKCTL_DIR;
  delete env.LEAKCTL_NOW;
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env,
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 30_000,
  });
  crossCheck(args, options.cwd ?? ROOT, env);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
