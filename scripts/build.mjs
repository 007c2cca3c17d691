#!/usr/bin/env node
// The build (`npm run build`, run by `prepare` so that `npm install` builds):
// 1. tsc: src/ → dist/ (the readable output that tests and the benchmark import);
// 2. the JSON Schemas compiled once, here, into ajv standalone code (dist/schemas/validators.cjs),
//    so that a run validates without loading or compiling ajv (about 70 ms per start);
// 3. esbuild: dist/cli.js and its dependencies into dist/bundle/, one chunk per command, so that
//    a start resolves a handful of files instead of hundreds. src/ keeps its layout: the bundle is
//    only build output. bin/leakctl.js runs the bundle.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

// 2b. The bundled documents, parsed once here with the same code the runtime uses, kept by the
//     SHA-256 of their text (src/documents/load.ts): a command that opens an incident of the
//     bundled playbook takes its data from there instead of parsing 50 KB of YAML again.
{
  const { parseYaml } = await import(pathToFileURL(join(root, 'dist', 'documents', 'yaml.js')).href);
  const { splitFrontMatter } = await import(pathToFileURL(join(root, 'dist', 'notices', 'templates.js')).href);
  const { PARSED_DOCUMENTS } = await import(pathToFileURL(join(root, 'dist', 'documents', 'load.js')).href);
  const { createHash } = await import('node:crypto');
  const documents = {};
  const keep = (file, text) => {
    documents[createHash('sha256').update(text).digest('hex')] = JSON.stringify(parseYaml(file, text, 'a bundled document').data);
  };
  for (const dir of ['playbooks', join('playbooks', 'drills'), 'calendars', 'regimes']) {
    for (const name of readdirSync(join(root, dir)).filter((n) => n.endsWith('.yaml'))) keep(name, readFileSync(join(root, dir, name), 'utf8'));
  }
  for (const name of readdirSync(join(root, 'templates')).filter((n) => n.endsWith('.liquid'))) {
    const front = splitFrontMatter(readFileSync(join(root, 'templates', name), 'utf8'));
    if (front) keep(name, front.yaml);
  }
  writeFileSync(join(root, PARSED_DOCUMENTS), JSON.stringify(documents));
}

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
  // CommonJS, not ES modules: an ES module import of a Node built-in builds a facade of all its
  // exports, which runs the lazy getters (fs.promises, crypto.webcrypto, util.parseArgs …) and
  // loads their internals; require() does not. dist/bundle/package.json says so to Node.
  format: 'cjs',
  define: { 'import.meta.url': '__leakctlModuleUrl' },
  platform: 'node',
  target: 'node20',
  // Prefer the ES module builds of dependencies: their named exports survive dynamic import().
  mainFields: ['module', 'main'],
  // What the sources read from import.meta.url, in CommonJS terms.
  banner: { js: "const __leakctlModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  legalComments: 'none',
});
writeFileSync(join(outdir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
// A literal import() that esbuild left in the bundle is a Node built-in or an external: in code
// compiled from the V8 code cache it fails on Node 20 ("A dynamic import callback was not
// specified"). Import built-ins statically, and let esbuild bundle our own modules.
for (const file of [join(outdir, 'cli.js'), ...commands.map((c) => join(outdir, 'commands', `${c}.js`))]) {
  const literal = /\bimport\(\s*["'`]/.exec(readFileSync(file, 'utf8'));
  if (literal) throw new Error(`${file}: a dynamic import() of a literal name was left in the bundle; import it statically instead`);
}

// 4. The code cache: run the commands a responder uses most, with the cache hook writing what V8
//    compiled (scripts/code-cache.cjs). The bundled drill stands in for a scripted run.
copyFileSync(join(root, 'scripts', 'code-cache.cjs'), join(outdir, 'code-cache.cjs'));
const warm = mkdtempSync(join(tmpdir(), 'leakctl-build-'));
const drill = join(root, 'playbooks', 'drills', 'platform-leak.yaml');
// Copies that are not the bundled documents (one more line changes their hash), so that the YAML
// parser runs and is cached too: CI drills bring their own answers files, teams their own playbooks.
const own = (from, to) => writeFileSync(to, `${readFileSync(from, 'utf8')}\n# not the bundled copy\n`);
cpSync(join(root, 'playbooks', 'drills', 'fixtures'), join(warm, 'fixtures'), { recursive: true });
own(drill, join(warm, 'answers.yaml'));
own(join(root, 'playbooks', 'platform-leak.yaml'), join(warm, 'playbook.yaml'));
const runs = [
  ['--help'],
  ['list'],
  ['drill', 'platform-leak', '--answers', join(warm, 'answers.yaml'), '--id', 'warm', '--dir', warm],
  ['start', join(warm, 'playbook.yaml'), '--answers', join(warm, 'answers.yaml'), '--id', 'warm2', '--dir', warm, '--drill'],
  ['status', 'warm', '--dir', warm],
  ['log', 'warm', '--dir', warm],
  ['verify', 'warm', '--dir', warm],
  ['validate', join(root, 'playbooks', 'platform-leak.yaml')],
  ['show', 'platform-leak'],
];
for (const args of runs) {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'leakctl.js'), ...args], {
    cwd: warm,
    env: { ...process.env, LEAKCTL_WRITE_CODE_CACHE: '1', NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`warming the code cache: leakctl ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
}
rmSync(warm, { recursive: true, force: true });
