/**
 * The built binary as a running process, for tests that need several at once or need to kill one
 * mid-run (test/helpers/exec.ts waits for each to end). Same environment as exec.ts: no colour,
 * no leakctl settings from the caller's shell.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, ROOT } from './exec.js';

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn to exit. */
  ms: number;
  /** Killed (SIGKILL) for running longer than `timeoutMs`: a hang. */
  timedOut: boolean;
}

export interface Running {
  child: ChildProcess;
  ended: Promise<Ended>;
}

export function quietEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...extra };
  for (const name of ['FORCE_COLOR', 'LEAKCTL_DIR', 'LEAKCTL_NOW']) delete env[name];
  return env;
}

/** Starts `leakctl ARGS` (stdin closed at once) and returns without waiting for it. */
export function startLeakctl(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Running {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: quietEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let timedOut = false;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, options.timeoutMs);
  const ended = new Promise<Ended>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started, timedOut });
    });
  });
  return { child, ended };
}
