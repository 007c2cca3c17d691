/**
 * The installed package's root (where package.json, playbooks/ and templates/ are), found by
 * walking up from this module: the compiled file sits at a different depth under dist/ than the
 * bundled one does under dist/bundle/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    // dist/bundle/ has a package.json of its own (it marks the bundle as CommonJS).
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'playbooks'))) return (root = dir);
    dir = dirname(dir);
  }
  throw new Error(`leakctl: cannot find its package.json above ${fileURLToPath(import.meta.url)}`);
}

/** The version in the package's package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
