/** `leakctl render`: lands with a later issue; until then it says so and exits 2. */
import type { CommonOptions } from '../options.js';
import { NotBuiltYet } from '../ui/errors.js';

export async function run(_options: CommonOptions): Promise<number> {
  throw new NotBuiltYet('render');
}
