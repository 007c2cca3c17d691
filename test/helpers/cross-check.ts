/**
 * The second implementation held to every log the suite makes (issue 16, item 5): with
 * LEAKCTL_CROSS_CHECK=FILE set, after each leakctl command a test runs (in-process or spawned),
 * every incident in its incidents directory is verified by leakctl's verifyLog and by
 * verifier/verify.py, and each comparison is appended to FILE as a JSON line (`agree` false
 * where the verdict, the entries intact or the head differ). Off by default: it spawns python3
 * per incident per command. `npm run test:cross-check` runs the suite with it and sums FILE up.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const target = process.env.LEAKCTL_CROSS_CHECK;

/** The incidents directory a command line works in: --dir, else LEAKCTL_DIR, else ./incidents. */
function incidentsDirOf(args: readonly string[], cwd: string, env: Record<string, string | undefined>): string {
  const i = args.indexOf('--dir');
  const given = i >= 0 ? args[i + 1] : (args.find((a) => a.startsWith('--dir='))?.slice(6) ?? env.LEAKCTL_DIR);
  const dir = given ?? 'incidents';
  return isAbsolute(dir) ? dir : resolve(cwd, dir);
}

/** What a verifier says of one incident: its verdict, or `refused` (exit 2: nothing to verify). */
type Verdict = { ok: boolean; entries: number; head: string | null };

/** What a verifier said; anything but its JSON (a hang cut off, a crash) is kept as text, and disagrees. */
function verdictOf(r: { status: number | null; stdout: string; stderr: string }): Verdict | string {
  if (r.status === 2) return 'refused';
  try {
    const v = JSON.parse(r.stdout) as { ok: boolean; entries: number; head: string | null };
    return { ok: v.ok, entries: v.entries, head: v.head };
  } catch {
    return `exit ${r.status}: ${r.stdout}${r.stderr}`.slice(0, 500);
  }
}

export function crossCheck(args: readonly string[], cwd: string, env: Record<string, string | undefined> = {}): void {
  if (!target) return;
  const dir = incidentsDirOf(args, cwd, env);
  let ids: string[];
  try {
    ids = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'evidence.jsonl'))).map((d) => d.name);
  } catch {
    return;
  }
  for (const id of ids) {
    const incident = join(dir, id);
    // The directory is checked as `leakctl verify DIR` checks it, with no config: the signatures
    // are verify.py's to leave to ssh-keygen, as they are leakctl's to leave unchecked here.
    // Bounded: a verifier that blocks (on a FIFO put where the log was) is a finding, not a hung suite.
    const ours = verdictOf(spawnSync(process.execPath, [join(ROOT, 'bin', 'leakctl.js'), '--json', 'verify', incident], { encoding: 'utf8', cwd: incident, timeout: 60_000, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } }));
    const theirs = verdictOf(spawnSync('python3', [join(ROOT, 'verifier', 'verify.py'), incident, '--json'], { encoding: 'utf8', timeout: 60_000 }));
    const agree = typeof ours === 'string' || typeof theirs === 'string' ? ours === theirs && ours === 'refused' : ours.ok === theirs.ok && ours.entries === theirs.entries && ours.head === theirs.head;
    appendFileSync(target, `${JSON.stringify({ incident, agree, ours, theirs })}\n`);
  }
}
