/**
 * How a command goes through the door: the incident named on the command line, opened read-only
 * or for writing by the responder with the command's clock (`--now`, else the wall clock).
 */
import type { Config } from '../config/config.js';
import type { CommonOptions } from '../options.js';
import { chainOf, responderName } from './actor.js';
import { RealClock, SimulatedClock, type Clock } from './clock.js';
import { Incident } from './incident.js';

/** The clock of a one-off command: `--now` / LEAKCTL_NOW, else the wall clock. */
export function commandClock(options: CommonOptions): Clock {
  return options.now !== undefined ? new SimulatedClock(new Date(options.now)) : new RealClock();
}

/** Opens incident `id` of the incidents directory to read it; every reader verifies. */
export function readIncident(options: CommonOptions, id: string, warn: (text: string) => void): Promise<Incident> {
  return Incident.open({ incidentsDir: options.incidentsDir, id, warn });
}

/** Opens incident `id` to write to it as the responder (`--responder`, else the config's, git's, the OS user). */
export function writeIncident(options: CommonOptions, id: string, config: Config, responder: string | undefined, warn: (text: string) => void): Promise<Incident> {
  const actor = responderName(responder, undefined, config.responder, options.cwd);
  return Incident.open({ incidentsDir: options.incidentsDir, id, warn, writer: { actor, clock: commandClock(options), chain: chainOf(config.responder) } });
}
