#!/usr/bin/env node
// The build (`npm run build`, run by `prepare` so that `npm install` builds):
// 1. tsc: src/ → dist/ (the readable output that tests and the benchmark import);
// 2. the JSON Schemas compiled once, here, into ajv standalone code (dist/schemas/validators.cjs),
//    so that a run validates without loading or compiling ajv (about 70 ms per start);
// 3. esbuild: dist/cli.js and its dependencies into dist/bundle/, one chunk per command, so that
//    a start resolves a handful of files instead of hundreds. src/ keeps its layout: the bundle is
//    only build output. bin/leakctl.js runs the bundle.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });

// 2. Standalone validators, from the same schemas and options the runtime fallback uses.
const { SCHEMAS } = await import(pathToFileURL(join(root, 'dist', 'schemas', 'index.js')).href);
const { AJV_OPTIONS, AJV_FORMATS } = await import(pathToFileURL(join(root, 'dist', 'documents', 'ajv-options.js')).href);
const Ajv = require('ajv').default;
const addFormats = require('ajv-formats').default;
const standaloneCode = require('ajv/dist/standalone').default;
const ajv = addFormats(new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: false } }), AJV_FORMATS);
const refs = {};
for (const [name, schema] of Object.entries(SCHEMAS)) {
  ajv.addSchema(schema, name);
  refs[name] = name;
}
writeFileSync(join(root, 'dist', 'schemas', 'validators.cjs'), standaloneCode(ajv, refs));

// 3. The bundle: cli.js (commander and the wiring: all that --version and --help load) and one
//    self-contained file per command, which cli.js imports when that command runs. One file per
//    command, not shared chunks: Node 20 pays for every ES module file it resolves and loads, and
//    a scripted run would otherwise load two dozen of them.
const esbuild = require('esbuild');
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const commands = readdirSync(join(root, 'dist', 'commands')).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3));
await esbuild.build({
  entryPoints: {
    cli: join(root, 'dist', 'cli.js'),
    ...Object.fromEntries(commands.map((c) => [`commands/${c}`, join(root, 'dist', 'commands', `${c}.js`)])),
  },
  outdir,
  bundle: true,
  splitting: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Prefer the ES module builds of dependencies: their named exports survive dynamic import().
  mainFields: ['module', 'main'],
  // ajv's compiler is only the fallback for runs from src/ (the build compiled the schemas), and
  // the standalone validators are loaded with require() at run time from dist/schemas/.
  external: ['ajv', 'ajv-formats'],
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __leakctlRequire } from 'node:module'; const require = __leakctlRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
});
