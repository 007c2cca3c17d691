/**
 * The prompt library is needed only by interactive runs, and with what it brings (an editor,
 * character-set tables) it is over a megabyte: bundled in, every scripted run would read and
 * parse it. So it is loaded by a name computed at run time, which the bundler leaves alone, and
 * Node loads it from node_modules when, and only when, a prompt is shown: with require() in the
 * CommonJS bundle, with import() when running from src/ (tests).
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

export async function loadPromptLibrary(): Promise<typeof import('@inquirer/prompts')> {
  const name: string = '@inquirer/prompts';
  if (typeof require === 'function') return requireHere(name) as typeof import('@inquirer/prompts');
  return (await import(name)) as typeof import('@inquirer/prompts');
}
