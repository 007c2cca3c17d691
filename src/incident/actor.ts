/** Who is responding: the `actor` of every entry a command writes (SPEC section 1, `--responder`). */
import { createRequire } from 'node:module';
import { hostname, userInfo } from 'node:os';
import { writerKey } from '../evidence/chains.js';

const require = createRequire(import.meta.url);

/**
 * The chain this copy of the incidents writes (issue 17): the config's `responder`, who uses this
 * copy, else the system user at this machine. Not `--responder`, which names who an entry is by:
 * the entries one copy writes form one chain, whoever they credit.
 */
export function chainOf(fromConfig: string | undefined): string {
  if (fromConfig) return writerKey(fromConfig);
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* no user entry: the machine alone */
  }
  return writerKey(`${user}@${hostname()}`);
}

/** `--responder`, else the answers file's, else the config's, else git user.name, else the OS user. */
export function responderName(given: string | undefined, fromAnswers: string | undefined, fromConfig: string | undefined, cwd: string): string {
  const named = given ?? fromAnswers ?? fromConfig;
  if (named) return named;
  // child_process is loaded only here: it pulls in the network modules (~3 ms at start-up).
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const git = spawnSync('git', ['config', 'user.name'], { cwd, encoding: 'utf8', timeout: 2000 });
  const gitName = git.status === 0 ? git.stdout.trim() : '';
  if (gitName) return gitName;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
