/**
 * The custody of attached evidence (issue 16, item 6): who collected it, from where, when (before
 * it was attached, here), how, what it is, and each file's original name and modification time;
 * given with options in a script, recorded in the log, and shown by `log`, `status` and the
 * report. What a script does not state is left unstated, and said so. (On a terminal, attach asks:
 * test/e2e/terminal.test.ts.)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/cli.js';
import { PLAYBOOK } from '../helpers/sealed.js';

const tmp = mkdtempSync(join(tmpdir(), 'leakctl-custody-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let made = 0;
async function incident(): Promise<{ cwd: string; dir: string; run: (...args: string[]) => ReturnType<typeof inProcess> }> {
  const cwd = join(tmp, `case-${++made}`);
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'p.yaml'), PLAYBOOK);
  writeFileSync(join(cwd, 'a.yaml'), 'schema: leakctl/answers@1\nresponder: Dana Obi\nnow: 2026-03-02T10:00:00Z\nanswers:\n  aware_at: 2026-03-02T09:00:00Z\n  what: A post on a forum.\n');
  const dir = join(cwd, 'incidents');
  const run = (...args: string[]): ReturnType<typeof inProcess> => inProcess(['--dir', dir, ...args], { cwd });
  expect((await run('start', 'p.yaml', '--answers', 'a.yaml', '--id', 'c')).code).toBe(0);
  writeFileSync(join(cwd, 'post.png'), 'not really a png');
  utimesSync(join(cwd, 'post.png'), new Date('2026-03-01T22:15:00Z'), new Date('2026-03-01T22:15:00Z'));
  return { cwd, dir, run };
}

const logOf = (dir: string): { type: string; data: Record<string, unknown> }[] =>
  readFileSync(join(dir, 'c', 'evidence.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });

describe('custody of attached evidence', () => {
  it('given in a script: recorded in the log with the original name and time, shown by log, status and the report', async () => {
    const { cwd, dir, run } = await incident();
    const r = await run('--now', '2026-03-02T11:00:00Z', 'attach', 'c', 'post.png', '--description', 'The forum post, as a screenshot', '--from', 'https://forum.example/t/4411', '--collected-at', '2026-03-02T08:40:00Z', '--how', 'Firefox screenshot, full page', '--collected-by', 'Lee Moderator', '--responder', 'Dana Obi');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('Custody not stated');
    const attached = logOf(dir).find((e) => e.type === 'evidence.attached')!;
    expect(attached.data.custody).toEqual({ collected_by: 'Lee Moderator', description: 'The forum post, as a screenshot', from: 'https://forum.example/t/4411', how: 'Firefox screenshot, full page', collected_at: '2026-03-02T08:40:00Z' });
    expect(attached.data.files).toEqual([expect.objectContaining({ original: join(cwd, 'post.png'), modified: '2026-03-01T22:15:00.000Z' })]);

    const log = await run('log', 'c');
    expect(log.stdout).toMatch(/evidence\.attached +\S*post\.png \(sha256 [0-9a-f]{12}…, modified 2026-03-01T22:15:00\.000Z\); "The forum post, as a screenshot"; collected by Lee Moderator at 2026-03-02T08:40:00Z from https:\/\/forum\.example\/t\/4411, with Firefox screenshot, full page/);
    const status = await run('status', 'c');
    expect(status.stdout).toContain('#3 post.png — "The forum post, as a screenshot"; collected by Lee Moderator at Mon 2 Mar 2026 08:40 UTC from https://forum.example/t/4411, with Firefox screenshot, full page');
    const json = JSON.parse((await run('--json', 'status', 'c')).stdout) as { evidence: { custody: unknown }[] };
    expect(json.evidence.map((e) => e.custody)).toEqual([attached.data.custody]);
    const report = JSON.parse((await run('report', 'c', '--format', 'json')).stdout) as { custody: { collected: unknown; modified: string }[] };
    expect(report.custody).toEqual([expect.objectContaining({ collected: attached.data.custody, modified: '2026-03-01T22:15:00.000Z' })]);
    const html = (await run('report', 'c')).stdout;
    expect(html).toContain('The forum post, as a screenshot');
    expect(html).toContain('by Lee Moderator, Mon 2 Mar 2026 08:40 UTC<br>from https://forum.example/t/4411<br>with Firefox screenshot, full page');
  });

  it('a collection time in the future, or one that is not a time, is refused with exit 2 and nothing is written', async () => {
    const { dir, run } = await incident();
    const before = logOf(dir).length;
    const future = await run('--now', '2026-03-02T11:00:00Z', 'attach', 'c', 'post.png', '--collected-at', '2026-03-03T09:00:00Z');
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/--collected-at: .*later than now/);
    const nonsense = await run('attach', 'c', 'post.png', '--collected-at', 'last tuesday');
    expect(nonsense.code).toBe(2);
    expect(nonsense.stderr).toContain('--collected-at: last tuesday is not a time leakctl can read');
    const empty = await run('attach', 'c', 'post.png', '--from', ' ');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--from is empty');
    expect(logOf(dir)).toHaveLength(before);
  });

  it('not stated in a script: who attached is who collected, the rest is left unstated and said so', async () => {
    const { dir, run } = await incident();
    const r = await run('attach', 'c', 'post.png', '--responder', 'Dana Obi', '--from', 'the forum');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Custody not stated: description (--description), collected at (--collected-at), how (--how).');
    expect(logOf(dir).find((e) => e.type === 'evidence.attached')!.data.custody).toEqual({ collected_by: 'Dana Obi', from: 'the forum' });
  });
});
