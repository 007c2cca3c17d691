/**
 * leakctl run in-process (STYLE point 15): `run(io)` from src/cli.ts with fake streams, so a test
 * pays no process start-up. Spawn the binary (helpers/exec.ts) only where the process boundary
 * is what is tested.
 */
import { PassThrough } from 'node:stream';
import { run } from '../../src/cli.js';
import { crossCheck } from './cross-check.js';
import { ROOT } from './exec.js';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function inProcess(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string; tty?: boolean } = {},
): Promise<InProcessResult> {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  const stdout = new PassThrough() as PassThrough & { isTTY?: boolean };
  const stderr = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (options.tty) stdin.isTTY = true;
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  stdin.end(options.input ?? '');
  const code = await run({
    argv: args,
    env: { NO_COLOR: '1', ...options.env },
    cwd: options.cwd ?? ROOT,
    stdin,
    stdout,
    stderr,
  });
  crossCheck(args, options.cwd ?? ROOT, options.env);
  return { code, stdout: out, stderr: err };
}
