/** `leakctl schema [playbook|answers|config|template]`: the JSON Schema, for editors. */
import { SCHEMAS } from '../schemas/index.js';
import type { SchemaName } from '../schemas/index.js';
import type { CommonOptions } from '../options.js';

export async function run(options: CommonOptions, kind: SchemaName): Promise<number> {
  options.stdout.write(`${JSON.stringify(SCHEMAS[kind], null, 2)}\n`);
  return 0;
}
