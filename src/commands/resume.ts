/**
 * `leakctl resume INCIDENT`: replay the log, show where the run stopped, and continue with the
 * open steps (prompts, or `--answers FILE` for the steps the log has not answered yet). A torn
 * last line left by a crash is set aside into a side file by the first write, never deleted.
 */
import { displayZone } from '../config/settings.js';
import type { CommonOptions } from '../options.js';
import { reportSummary, resumeSession } from '../run/session.js';
import { Output } from '../ui/output.js';

export interface ResumeOptions {
  readonly answers?: string;
  readonly responder?: string;
}

export async function run(options: CommonOptions, id: string, opts: ResumeOptions): Promise<number> {
  const out = await Output.create(options);
  const { run, summary } = await resumeSession(options, out, id, opts);
  if (options.json) out.json(summary);
  else reportSummary(summary, out, displayZone(options, run.settings.config));
  return 0;
}
