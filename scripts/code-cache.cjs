'use strict';
// V8 code cache for leakctl's bundle (copied to dist/bundle/ by scripts/build.mjs).
//
// Compiling the bundle's JavaScript is a fifth of a scripted run's time. Node 22+ caches
// compiled code itself (module.enableCompileCache); Node 20, which leakctl supports, does not.
// So the build runs a few representative commands with LEAKCTL_WRITE_CODE_CACHE=1, and this hook
// saves V8's compiled code beside each bundle file (<file>.cache); later runs hand it back to
// V8. V8 checks the cache against the source and its own version and flags, and compiles
// normally when it does not match, so a stale or foreign cache costs nothing but the read.
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

if (typeof Module.enableCompileCache === 'function') {
  Module.enableCompileCache();
} else {
  const dir = __dirname + path.sep;
  const writing = process.env.LEAKCTL_WRITE_CODE_CACHE === '1';
  const compiled = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCache(content, filename) {
    if (!filename.startsWith(dir) || !filename.endsWith('.js')) return compile.call(this, content, filename);
    let cachedData;
    if (!writing) {
      try {
        cachedData = fs.readFileSync(`${filename}.cache`);
      } catch {
        return compile.call(this, content, filename);
      }
    }
    const script = new vm.Script(Module.wrap(content), {
      filename,
      ...(cachedData ? { cachedData } : {}),
    });
    if (writing) compiled.push({ script, filename });
    const mod = this;
    const require = (id) => mod.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    require.main = process.mainModule;
    require.cache = Module._cache;
    return script.runInThisContext({ displayErrors: true }).call(mod.exports, mod.exports, require, mod, filename, path.dirname(filename));
  };
  if (writing) {
    process.on('exit', () => {
      for (const { script, filename } of compiled) fs.writeFileSync(`${filename}.cache`, script.createCachedData());
    });
  }
}
