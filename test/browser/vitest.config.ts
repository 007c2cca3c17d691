/**
 * `npm run test:browser`: the report opened in headless Chromium (Debian's `chromium` package,
 * driven by playwright-core; no browser is downloaded). Kept out of `npm test`, whose include
 * pattern (*.test.ts) does not match *.browser.ts; `.ci/run` installs Chromium and runs both.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/browser/**/*.browser.ts'],
    testTimeout: 5 * 60_000,
    hookTimeout: 5 * 60_000,
  },
});
