/**
 * Several responders on one incident, each in their own copy, over git (issue 17, "Done when"):
 * a bare repository and three clones in a temporary directory. In each round the three append at
 * the same time, each in a process of their own (notes, answers, attachments; two of them answer
 * one step differently), then sync in an order drawn from a seeded generator; one clone stays
 * offline for a simulated day and then syncs. All three must end with the same `status --json`
 * and the same report, verify on each, and every note and file written anywhere present in
 * each. The conflict is shown with who and when, and an answer given after reading both ends it.
 *
 * A failing run names its seed; LEAKCTL_TEAM_SEED=N replays it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/exec.js';
import { prng } from '../helpers/random.js';

const noGit = spawnSync('git', ['--version']).status === 0 ? null : 'git is not installed';
const python = spawnSync('python3', ['--version']).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'leakctl-team-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const SEED = Number(process.env.LEAKCTL_TEAM_SEED ?? 1417);

// git as on a fresh machine, with an identity for the test's own commits.
const gitEnv = { GIT_CONFIG_GLOBAL: join(tmp, 'no-gitconfig'), GIT_CONFIG_NOSYSTEM: '1', HOME: tmp, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org' };
function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...gitEnv } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** leakctl in a process of its own, in the clone `cwd` (whose leakctl.config.yaml names its responder). */
function leakctl(cwd: string, args: readonly string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, ...gitEnv, NO_COLOR: '1' };
    delete env.LEAKCTL_DIR;
    delete env.LEAKCTL_NOW;
    delete env.FORCE_COLOR;
    const child = spawn(process.execPath, [BIN, '--dir', join(cwd, 'incidents'), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function ok(cwd: string, args: readonly string[]): Promise<Ran> {
  const r = await leakctl(cwd, args);
  if (r.code !== 0) throw new Error(`leakctl ${args.join(' ')} in ${cwd} (seed ${SEED}): exit ${r.code}\n${r.stderr}`);
  return r;
}

const T0 = Date.parse('2026-03-02T09:00:00Z');
const at = (ms: number): string => new Date(ms).toISOString();

describe.skipIf(noGit !== null)(`three responders over git${noGit ? ` (skipped: ${noGit})` : ''}`, () => {
  it(
    'append at once, sync in random orders, one offline for a day, and converge to one status and one report that verify everywhere',
    async () => {
      const random = prng(SEED);
      const bare = join(tmp, 'shared.git');
      mkdirSync(bare);
      git(bare, 'init', '-q', '--bare', '-b', 'main');
      const names = ['ana', 'bo', 'cy'] as const;
      const copy: Record<string, string> = {};
      for (const who of names) {
        git(tmp, 'clone', '-q', bare, who);
        copy[who] = join(tmp, who);
        mkdirSync(join(copy[who]!, 'incidents'));
        writeFileSync(join(copy[who]!, 'leakctl.config.yaml'), `schema: leakctl/config@1\nresponder: ${who}\n`);
      }
      // Clocks that disagree: bo's runs 3 minutes behind, cy's 2 ahead.
      const skew: Record<string, number> = { ana: 0, bo: -3 * 60_000, cy: 2 * 60_000 };
      const now = (who: string, round: number, k: number): string => at(T0 + round * 3_600_000 + k * 60_000 + skew[who]!);

      writeFileSync(join(tmp, 'open.yaml'), `schema: leakctl/answers@1\nresponder: ana\nnow: ${at(T0)}\nanswers:\n  discovered_at: ${at(T0 - 3_600_000)}\n`);
      // The answers file holds only the first answer: the run stops at the next step (exit 2), the incident begun.
      expect((await leakctl(copy.ana!, ['start', join(ROOT, 'playbooks', 'member-leak.yaml'), '--id', 't', '--answers', join(tmp, 'open.yaml')])).code).toBe(2);
      await ok(copy.ana!, ['sync']);
      for (const who of ['bo', 'cy']) await ok(copy[who]!, ['sync']);

      const written: { who: string; note: string }[] = [];
      const files: { who: string; sha256: string }[] = [];
      // Steps each answers on their own, and one step two of them answer differently.
      const own: Record<string, [string, string][]> = {
        ana: [['discovery_source', 'member_report'], ['leak_confirmed', 'true']],
        bo: [['contract_commitment', 'hours_72']],
        cy: [['jurisdictions', '[eu]']],
      };
      const offline = new Set(['cy']);
      for (let round = 1; round <= 3; round++) {
        if (round === 3) {
          // cy comes back after a day away, with its clock a day on.
          offline.delete('cy');
          skew.cy = skew.cy! + 86_400_000;
        }
        await Promise.all([
          // In round 2 ana's copy syncs while ana's own processes write to it: sync holds the
          // incident's lock while it verifies, commits and merges, so each entry is either sent
          // verified or left for the next sync.
          ...(round === 2 ? [ok(copy.ana!, ['sync'])] : []),
          ...names.map(async (who) => {
            const cwd = copy[who]!;
            let k = 0;
            for (let n = 0; n < 2; n++) {
              const note = `round ${round}: ${who}'s note ${n}`;
              await ok(cwd, ['--now', now(who, round, k++), 'note', 't', note]);
              written.push({ who, note });
            }
            const file = join(cwd, `capture-${round}.txt`);
            const content = `${who} captured this in round ${round}\n`;
            writeFileSync(file, content);
            await ok(cwd, ['--now', now(who, round, k++), 'attach', 't', file, '--description', 'a capture', '--from', 'the forum', '--collected-at', now(who, round, 0), '--how', 'screenshot']);
            files.push({ who, sha256: createHash('sha256').update(content).digest('hex') });
            const step = own[who]![round - 1];
            if (step) await ok(cwd, ['--now', now(who, round, k++), 'do', 't', step[0], '--value', step[1]]);
            // Round 1: ana and bo both answer data_role, neither having seen the other's answer.
            if (round === 1 && who !== 'cy') await ok(cwd, ['--now', now(who, round, k++), 'do', 't', 'data_role', '--value', who === 'ana' ? 'controller' : 'joint']);
          }),
        ]);
        const order = names.filter((who) => !offline.has(who)).sort(() => random() - 0.5);
        for (const who of order) await ok(copy[who]!, ['sync']);
      }
      // Everyone syncs until all hold everything: two passes in random orders.
      for (let pass = 0; pass < 2; pass++) for (const who of [...names].sort(() => random() - 0.5)) await ok(copy[who]!, ['sync']);

      const late = at(T0 + 2 * 86_400_000);
      const statusOf = async (who: string): Promise<Record<string, unknown>> => {
        const json = JSON.parse((await ok(copy[who]!, ['--json', '--now', late, 'status', 't'])).stdout) as Record<string, unknown>;
        return { ...json, dir: null };
      };
      const reportOf = async (who: string): Promise<string> => (await ok(copy[who]!, ['--now', late, 'report', 't', '--format', 'json', '-o', '-'])).stdout.split(join(copy[who]!, 'incidents')).join('<incidents>');
      const statuses = await Promise.all(names.map(statusOf));
      expect(statuses[1], `seed ${SEED}`).toEqual(statuses[0]);
      expect(statuses[2], `seed ${SEED}`).toEqual(statuses[0]);
      const reports = await Promise.all(names.map(reportOf));
      expect(reports[1]).toBe(reports[0]);
      expect(reports[2]).toBe(reports[0]);

      // The two answers to data_role, each with who and when, until one is given after reading both.
      const conflicts = statuses[0]!.conflicts as { step: string; answers: { says: string; by: string; at: string; chain: string }[] }[];
      expect(conflicts.map((c) => c.step)).toEqual(['data_role']);
      expect(conflicts[0]!.answers.map((a) => [a.by, a.says]).sort()).toEqual([
        ['ana', 'answered "controller"'],
        ['bo', 'answered "joint"'],
      ]);
      expect((await ok(copy.bo!, ['--now', late, 'status', 't'])).stdout).toMatch(/Answered differently, by responders who had not seen each other's answer: data_role/);

      for (const who of names) {
        const cwd = copy[who]!;
        expect((await leakctl(cwd, ['verify', 't'])).code).toBe(0);
        const log = (await ok(cwd, ['--json', 'log', 't'])).stdout;
        for (const w of written) expect(log, `${w.note} in ${who}'s copy (seed ${SEED})`).toContain(w.note);
        for (const f of files) expect(log).toContain(f.sha256);
        // And the second implementation, shipped in every bundle, agrees (where python3 is).
        if (!python) continue;
        const py = spawnSync('python3', [join(ROOT, 'verifier', 'verify.py'), join(cwd, 'incidents', 't')], { encoding: 'utf8' });
        expect(py.status, py.stdout + py.stderr).toBe(0);
        expect(py.stdout).toContain(`OK  ${String(statuses[0]!.entries)} entries, head ${String(statuses[0]!.head)}`);
      }
      // Each copy wrote its own chain; the opener's is evidence.jsonl.
      expect(git(copy.ana!, 'ls-files', 'incidents/t/chains').trim().split('\n').sort()).toEqual(['incidents/t/chains/bo.jsonl', 'incidents/t/chains/cy.jsonl']);

      // ana, having read both, settles it; once synced, no copy shows a conflict.
      await ok(copy.ana!, ['--now', at(T0 + 2 * 86_400_000 - 60_000), 'amend', 't', 'data_role', '--value', 'joint']);
      for (const who of ['ana', 'bo', 'cy']) await ok(copy[who]!, ['sync']);
      for (const who of names) expect((await statusOf(who)).conflicts, who).toEqual([]);
      expect((await statusOf('cy')).steps).toEqual((await statusOf('ana')).steps);
    },
    600_000,
  );
});
