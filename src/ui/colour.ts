/**
 * Colour is decided once, here (STYLE point 6): `--no-color` and NO_COLOR turn it off,
 * `--color` and FORCE_COLOR turn it on, otherwise only a terminal gets it. https://no-color.org
 */
export interface ColourInputs {
  /** `--color` (true), `--no-color` (false) or neither (undefined). */
  readonly flag: boolean | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isTTY: boolean;
  readonly json: boolean;
}

export function decideColour({ flag, env, isTTY, json }: ColourInputs): boolean {
  if (json) return false;
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.TERM === 'dumb') return false;
  return isTTY;
}
