/**
 * Dependencies that only some runs need (the prompt library for interactive runs, chalk for
 * colour) are imported by a name computed at run time, which the bundler leaves alone: Node
 * loads them from node_modules when, and only when, they are used. Bundled in, their code (the
 * prompt library brings an editor and character-set tables, over a megabyte) would be read and
 * parsed on every scripted run that never shows a prompt.
 */
export function loadLater<T>(specifier: 'chalk' | '@inquirer/prompts'): Promise<T> {
  const name: string = specifier;
  return import(name) as Promise<T>;
}
