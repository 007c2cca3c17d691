/**
 * The README's CI example, run as written (issue 9: it failed because the `reports/` directory
 * it writes into did not exist). The workflow is read from the README itself, so the test follows
 * the text: in a fresh directory holding only the drills, each `npx leakctl …` step runs in a
 * shell with this checkout's leakctl in its place, and the JUnit reports it names must exist
 * and, where xmllint is installed, validate against the JUnit schema.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BIN, ROOT } from '../helpers/exec.js';

interface Workflow {
  name: string;
  jobs: Record<string, { steps: { run?: string; if?: string }[] }>;
}

/** The fenced YAML block of the README that holds the workflow named `name`. */
function workflowInReadme(name: string): Workflow {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const match of readme.matchAll(/```yaml\n([\s\S]*?)```/g)) {
    const doc = parse(match[1]!) as Partial<Workflow> | null;
    if (doc?.name === name) return doc as Workflow;
  }
  throw new Error(`README.md has no workflow named ${name}`);
}

const work = mkdtempSync(join(tmpdir(), 'leakctl-readme-ci-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const xmllint = spawnSync('xmllint', ['--version']).error ? null : 'xmllint';
const xsd = join(ROOT, 'test', 'fixtures', 'junit', 'junit-10.xsd');

describe('the README\'s GitHub Actions example', () => {
  it('runs in a fresh directory: every drill step passes and writes the JUnit report it names', () => {
    const workflow = workflowInReadme('incident-drills');
    const commands = Object.values(workflow.jobs).flatMap((job) => job.steps.map((s) => s.run).filter((run): run is string => run?.startsWith('npx leakctl ') === true));
    expect(commands.length).toBeGreaterThan(0);

    // What the workflow's repository holds: the answers files it names, under drills/.
    const repo = join(work, 'repo');
    cpSync(join(ROOT, 'playbooks', 'drills'), join(repo, 'drills'), { recursive: true });
    const runnerTemp = join(work, 'runner-temp');

    const reports: string[] = [];
    for (const command of commands) {
      const r = spawnSync('sh', ['-c', command.replace(/^npx leakctl /, '"$LEAKCTL_NODE" "$LEAKCTL_BIN" ')], {
        cwd: repo,
        env: { ...process.env, NO_COLOR: '1', RUNNER_TEMP: runnerTemp, LEAKCTL_NODE: process.execPath, LEAKCTL_BIN: BIN, FORCE_COLOR: undefined, LEAKCTL_DIR: undefined, LEAKCTL_NOW: undefined },
        encoding: 'utf8',
        input: '',
        timeout: 60_000,
      });
      expect(r.status, `${command}\n${r.stderr}`).toBe(0);
      const junit = /--junit (\S+)/.exec(command)?.[1];
      if (junit) reports.push(join(repo, junit));
    }
    expect(reports.length).toBe(commands.length);
    for (const report of reports) {
      expect(existsSync(report), report).toBe(true);
      if (!xmllint) continue;
      const lint = spawnSync(xmllint, ['--noout', '--schema', xsd, report], { encoding: 'utf8', timeout: 30_000 });
      expect(lint.status, lint.stderr).toBe(0);
    }
    if (!xmllint) console.log('test/e2e/readme-ci.test.ts: the reports were not checked against the schema: xmllint is not installed');
  }, 120_000);
});
