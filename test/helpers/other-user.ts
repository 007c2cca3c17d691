/**
 * Running the built CLI as another user (`nobody`), from wherever the checkout is. A checkout in
 * /root (mode 0700 on Debian) or in a `mktemp -d` directory (0700) is out of that user's reach,
 * so the tests run a copy of what the installed package holds (bin/, dist/, the bundled documents
 * and the production dependencies) placed in a directory it can enter. When even that cannot
 * work (no root, no setpriv or runuser, a Node that user cannot run), the reason is returned for
 * the tests to print as they skip.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './exec.js';

export const NOBODY = 65534;

export interface OtherUser {
  /** The command prefix that runs what follows as `nobody`. */
  readonly prefix: readonly string[];
  /** The copied bin/leakctl.js. */
  readonly bin: string;
  /** Copy a file or directory to where `nobody` can read it; returns the copy's path. */
  reachable(path: string, name: string): string;
  /** Remove the copy. */
  remove(): void;
}

const has = (cmd: string, ...args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000 }).status === 0;

/** The package's production dependencies and theirs, as installed under node_modules. */
function productionPackages(): string[] {
  const found = new Set<string>();
  const visit = (name: string): void => {
    if (found.has(name)) return;
    const dir = join(ROOT, 'node_modules', name);
    if (!existsSync(join(dir, 'package.json'))) return; // optional, or nested inside its dependant (copied with it)
    found.add(name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency);
  };
  const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of Object.keys(own.dependencies ?? {})) visit(name);
  return [...found];
}

/** The other user, with a copy of the CLI it can run, or why not. */
export function otherUser(): OtherUser | string {
  if (process.getuid?.() !== 0) return 'not running as root';
  const prefix = has('setpriv', '--version')
    ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups']
    : has('runuser', '--version')
      ? ['runuser', '-u', 'nobody', '--']
      : null;
  if (!prefix) return 'neither setpriv nor runuser is installed';

  const place = mkdtempSync(join(tmpdir(), 'leakctl-other-user-'));
  chmodSync(place, 0o755);
  const remove = (): void => rmSync(place, { recursive: true, force: true });
  for (const part of ['package.json', 'bin', 'dist', 'playbooks', 'calendars', 'templates']) cpSync(join(ROOT, part), join(place, part), { recursive: true });
  for (const name of productionPackages()) cpSync(join(ROOT, 'node_modules', name), join(place, 'node_modules', name), { recursive: true });
  // Readable and enterable whatever the umask was when the checkout was made.
  spawnSync('chmod', ['-R', 'a+rX', place], { timeout: 30_000 });
  const bin = join(place, 'bin', 'leakctl.js');

  const probe = spawnSync(prefix[0]!, [...prefix.slice(1), process.execPath, bin, '--version'], { cwd: place, encoding: 'utf8', timeout: 30_000 });
  if (probe.status !== 0) {
    remove();
    const why = (probe.stderr || probe.error?.message || `exit ${probe.status}`).trim().split('\n')[0];
    return `nobody cannot run ${process.execPath} on a copy in ${tmpdir()}: ${why}`;
  }
  return {
    prefix,
    bin,
    reachable(path, name) {
      const copy = join(place, 'inputs', name);
      cpSync(path, copy, { recursive: true });
      spawnSync('chmod', ['-R', 'a+rX', join(place, 'inputs')], { timeout: 30_000 });
      return copy;
    },
    remove,
  };
}
