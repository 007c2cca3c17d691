/**
 * `npm run lint` guards the shape of the house (issue 8): a copy of src/ with an import cycle, or a
 * command importing another command, is refused by the same check CI runs.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/exec.js';

let copy: string;
beforeEach(() => {
  copy = mkdtempSync(join(tmpdir(), 'leakctl-lint-'));
  cpSync(join(ROOT, 'src'), join(copy, 'src'), { recursive: true });
  for (const file of ['tsconfig.json', '.dependency-cruiser.cjs']) cpSync(join(ROOT, file), join(copy, file));
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
});
afterEach(() => rmSync(copy, { recursive: true, force: true }));

function depcruise(): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'), 'src', '--config', '.dependency-cruiser.cjs'], {
    cwd: copy,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('the dependency check of npm run lint', () => {
  it('passes the tree as it is', () => {
    const r = depcruise();
    expect(r.code, r.out).toBe(0);
  }, 120_000);

  it('fails on an import cycle and on a command importing another command, naming each', () => {
    // ui/text.ts ← ui/output.ts already; the reverse import closes a circle.
    appendFileSync(join(copy, 'src', 'ui', 'text.ts'), "\nimport { table } from './output.js';\nexport const tableAgain = table;\n");
    appendFileSync(join(copy, 'src', 'commands', 'note.ts'), "\nexport { run as attachToo } from './attach.js';\n");
    const r = depcruise();
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/no-circular: src\/ui\/output\.ts →\s+src\/ui\/text\.ts →\s+src\/ui\/output\.ts|no-circular: src\/ui\/text\.ts →\s+src\/ui\/output\.ts →\s+src\/ui\/text\.ts/);
    expect(r.out).toContain('commands-do-not-import-commands: src/commands/note.ts → src/commands/attach.ts');
  }, 120_000);
});
