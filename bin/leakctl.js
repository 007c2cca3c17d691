#!/usr/bin/env node
// The bundle is CommonJS (see scripts/build.mjs): require() loads it without a source scan,
// and code-cache.cjs gives V8 the code it compiled before.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('../dist/bundle/code-cache.cjs');
require('../dist/bundle/cli.js').main(process.argv);
