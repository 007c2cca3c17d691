/**
 * A step's `pattern`, in RE2 syntax, matched in linear time (issue 9). JavaScript's own engine
 * backtracks: `^(a+)+$` against a long answer of `a`s and one `b` takes longer than anyone waits,
 * and a playbook from elsewhere could hang the prompt. RE2 (re2js, a pure-JS port) never
 * backtracks; the cost is its syntax: no backreferences or lookaround, which a pattern for an
 * answer does not need. It is loaded only when a pattern is compiled (about 9 ms).
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

type Re2 = typeof import('re2js');
let re2: Re2 | undefined;
const compiled = new Map<string, { find(text: string): boolean } | string>();

/** The compiled pattern, or why RE2 cannot compile it. */
export function compilePattern(pattern: string): { find(text: string): boolean } | string {
  let done = compiled.get(pattern);
  if (done !== undefined) return done;
  // A name the bundler cannot follow: RE2 stays in node_modules, loaded by the few playbooks with a pattern.
  const name: string = 're2js';
  re2 ??= requireHere(name) as Re2;
  try {
    const re = re2.RE2JS.compile(pattern);
    done = { find: (text: string) => re.matcher(text).find() };
  } catch (error) {
    done = `${(error as Error).message.replace(/^error parsing regexp: /, '')}; patterns use RE2 syntax (no backreferences or lookaround), which is matched in linear time`;
  }
  compiled.set(pattern, done);
  return done;
}
