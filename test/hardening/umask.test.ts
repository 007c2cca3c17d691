/**
 * Owner-only files under `umask 000` (issue 7, "Faults"; SPEC section 4: directories 0700, files
 * 0600, the log holds personal data). test/e2e/runner.test.ts checks what a scripted `start`
 * creates (log, attachments, drafts). This file covers what the other writers create under the
 * same umask: the side file `resume` sets a torn line aside in, drafts rewritten by `resume` and
 * `render`, and copies made by `attach`, and then walks the whole incident: nothing may be
 * readable by anyone but its owner.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/exec.js';
import { quietEnv } from '../helpers/processes.js';

const config = join(import.meta.dirname, '..', 'e2e', 'fixtures', 'incident', 'leakctl.config.yaml');
const drill = join(ROOT, 'playbooks', 'drills', 'platform-leak.yaml');

const tmp = mkdtempSync(join(tmpdir(), 'leakctl-hardening-umask-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const dir = join(tmp, 'incidents');
const incident = join(dir, 'u1');
const probes = join(tmp, 'probes');
mkdirSync(probes);
const mode = (p: string): number => statSync(p).mode & 0o777;

let runs = 0;
/** `leakctl ARGS` under `umask 000`; the shell's probe file (0666) proves the umask was 000. */
function underUmask000(args: string[]): { code: number | null; stderr: string } {
  const probe = join(probes, `probe-${++runs}`);
  const r = spawnSync('sh', ['-c', 'umask 000; : > "$0"; exec "$@"', probe, process.execPath, BIN, ...args], {
    cwd: ROOT,
    env: quietEnv(),
    input: '',
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(mode(probe), 'the probe shows umask 000').toBe(0o666);
  return { code: r.status, stderr: r.stderr };
}

/** Every path under `root` with its permission bits. */
function modes(root: string): Map<string, { dir: boolean; mode: number }> {
  const out = new Map<string, { dir: boolean; mode: number }>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      out.set(p.slice(root.length + 1), { dir: st.isDirectory(), mode: st.mode & 0o777 });
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

describe('every writer under umask 000', () => {
  const torn = '{"seq":999,"at":"2026-03-12T09:00:00.000Z","type":"note.added","actor":"drill-bot","data":{"text":"cut sh';
  let created: Map<string, { dir: boolean; mode: number }>;

  beforeAll(() => {
    expect(underUmask000(['start', 'platform-leak', '--answers', drill, '--config', config, '--id', 'u1', '--dir', dir]).code).toBe(0);
    // A crash mid-write, then resume sets the torn line aside (and renders the drafts again).
    appendFileSync(join(incident, 'evidence.jsonl'), torn);
    const resumed = underUmask000(['resume', 'u1', '--answers', drill, '--config', config, '--dir', dir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('set aside');
    expect(underUmask000(['attach', 'u1', join(ROOT, 'playbooks', 'drills', 'fixtures', 'leak-post-capture.txt'), '--dir', dir]).code).toBe(0);
    expect(underUmask000(['note', 'u1', 'checked the file modes', '--dir', dir]).code).toBe(0);
    expect(underUmask000(['render', 'u1', '--config', config, '--dir', dir]).code).toBe(0);
    created = modes(dir);
  });

  // Guards: the mode given to the side file that holds a torn last line (setAsideTail).
  it('makes the side file holding the torn line 0600, with the torn bytes in it', () => {
    const side = [...created.keys()].filter((p) => /^u1\/evidence\.jsonl\.torn-/.test(p));
    expect(side).toHaveLength(1);
    expect(created.get(side[0]!)?.mode).toBe(0o600);
    expect(readFileSync(join(dir, side[0]!), 'utf8')).toBe(torn);
  });

  // Guards: writePrivateFile's mode for drafts written again by resume and by render.
  it('makes the drafts written again by resume and render 0600', () => {
    const drafts = [...created.keys()].filter((p) => p.startsWith('u1/drafts/'));
    expect(drafts.length).toBeGreaterThan(0);
    for (const p of drafts) expect(created.get(p)?.mode, p).toBe(0o600);
  });

  // Guards: copyAttachment's mode for copies made by `attach`.
  it('makes the copy made by attach 0600', () => {
    const copy = [...created.keys()].filter((p) => p.endsWith('-leak-post-capture.txt'));
    expect(copy).toHaveLength(1);
    expect(created.get(copy[0]!)?.mode).toBe(0o600);
  });

  it('leaves nothing in the incidents directory that is not 0700 (directories) or 0600 (files)', () => {
    expect(created.size).toBeGreaterThan(10);
    const loose = [...created].filter(([, m]) => m.mode !== (m.dir ? 0o700 : 0o600)).map(([p, m]) => `${p} ${m.mode.toString(8)}`);
    expect(loose).toEqual([]);
    expect(mode(dir)).toBe(0o700);
  });
});
