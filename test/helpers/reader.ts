/**
 * The reader of an export bundle, who has no leakctl (issue 16): the commands of VERIFY.md, run
 * in the bundle's directory with a PATH that holds sha256sum, ssh-keygen, openssl and python3
 * and nothing else.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

export const READER_TOOLS = ['sha256sum', 'ssh-keygen', 'openssl', 'python3'];

/** The program itself (a version manager's python3 is a shell script that needs more than PATH holds). */
function programOf(tool: string): string | null {
  const r =
    tool === 'python3'
      ? spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' })
      : spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : null;
}

/** Why the reader's tools cannot be had here, or null. */
export const readerToolsMissing = ((): string | null => {
  const missing = READER_TOOLS.filter((t) => programOf(t) === null);
  return missing.length > 0 ? `not installed: ${missing.join(', ')}` : null;
})();

/** A directory of links to the four tools, in `tmp`: the PATH VERIFY.md's commands run with. */
export function toolsOnly(tmp: string): string {
  const bin = join(tmp, 'tools-only');
  if (!existsSync(bin)) {
    mkdirSync(bin);
    for (const tool of READER_TOOLS) symlinkSync(programOf(tool)!, join(bin, tool));
  }
  return bin;
}

/** The commands of VERIFY.md: every line of its ```sh blocks, in order. */
export function commandsOf(guide: string): string[] {
  return [...guide.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].flatMap((m) => m[1]!.split('\n').filter((line) => line.trim() !== ''));
}

/** Runs one VERIFY.md command as the reader would, in `cwd`, with no tool but the four on PATH. */
export function runAsReader(tmp: string, cwd: string, command: string): { status: number | null; out: string } {
  const r = spawnSync('/bin/sh', ['-c', command], { cwd, encoding: 'utf8', env: { PATH: toolsOnly(tmp), HOME: cwd, LC_ALL: 'C' } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}
