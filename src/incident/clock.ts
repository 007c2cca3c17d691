/**
 * The clock entries are recorded by (SPEC sections 1 and 3). Real: the wall clock. Set by hand:
 * `--now`, LEAKCTL_NOW or an answers file's `now:` pins the start, and only `after:` moves it, so
 * a drill replays the same way on any day and plays out three days in a second.
 */
import { addDuration } from '../deadlines/compute.js';
import type { IsoDuration } from '../time/duration.js';

export interface Clock {
  now(): Date;
  /** Move simulated time forward (an answers file's `after:`); a real clock cannot. */
  advance(duration: IsoDuration): void;
  /** Not the wall clock: a real incident's entries then say so (issue 8). */
  readonly setByHand: boolean;
}

export class RealClock implements Clock {
  readonly setByHand = false;
  now(): Date {
    return new Date();
  }
  advance(): void {
    throw new Error('a real clock cannot be advanced');
  }
}

export class SimulatedClock implements Clock {
  readonly setByHand = true;
  private current: Date;
  constructor(start: Date) {
    this.current = start;
  }
  now(): Date {
    return new Date(this.current.getTime());
  }
  advance(duration: IsoDuration): void {
    this.current = addDuration(this.current, duration);
  }
  /** Moves the clock to `at` when it is behind it (a resumed scripted run continues from the log's last entry). */
  catchUp(at: Date): void {
    if (at.getTime() > this.current.getTime()) this.current = new Date(at.getTime());
  }
}

/** The clock for a run: `--now` wins over the answers file's `now:`, which wins over real time. */
export function clockFor(fixed: string | undefined, answersNow: string | undefined, scripted: boolean): Clock {
  const start = fixed ?? answersNow;
  if (start !== undefined) return new SimulatedClock(new Date(start));
  // A scripted run without a pinned start still needs `after:` to move time: start from now.
  return scripted ? new SimulatedClock(new Date()) : new RealClock();
}
