/**
 * `npm run test:stress`: the long fault loops of issue 7, kept out of `npm test` (whose default
 * include pattern, *.test.ts, does not match *.stress.ts). CI runs both (.ci/run).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/stress/**/*.stress.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 5 * 60_000,
  },
});
