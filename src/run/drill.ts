/**
 * Judging a drill (issue 5): a drill fails when a deadline that applies was missed in simulated
 * time (met after it was due, or never met while the simulated clock ran past it), or when a
 * required step was left unanswered, deferred or declined. The verdict is computed from the replayed log alone.
 */
import type { DeadlineClock } from '../deadlines/compute.js';
import { spanInWords } from '../deadlines/format.js';
import type { IncidentState } from '../evidence/state.js';
import type { Playbook, Step } from '../playbook/types.js';
import type { Checked } from './check-answer.js';
import type { Reply, Responder, StepContext } from './runner.js';
import { placedSteps } from './steps.js';
import { MissingAnswer } from './script.js';

export const DRILL_MISSING = 'required, but the drill answers file has no answer for it';

/** A script responder that records a missing required answer as a miss instead of stopping. */
export class DrillResponder implements Responder {
  readonly source = 'answers' as const;
  readonly baseDir: string;
  readonly inputZone: string;
  private readonly inner: Responder;
  constructor(inner: Responder) {
    this.inner = inner;
    this.baseDir = inner.baseDir;
    this.inputZone = inner.inputZone;
  }
  rendersAfter(stepId: string): readonly string[] {
    return this.inner.rendersAfter?.(stepId) ?? [];
  }

  hasAnswer(stepId: string): boolean {
    return this.inner.hasAnswer?.(stepId) ?? false;
  }

  async ask(step: Step, context: StepContext, check: (raw: unknown) => Checked): Promise<Reply> {
    try {
      return await this.inner.ask(step, context, check);
    } catch (error) {
      if (error instanceof MissingAnswer) return { kind: 'skip', reason: DRILL_MISSING };
      throw error;
    }
  }
}

export interface DeadlineVerdict {
  readonly id: string;
  readonly title: string;
  readonly status: DeadlineClock['status'];
  readonly due: string | null;
  readonly met_at: string | null;
  /** How late, in ms (0 when on time or not yet due). */
  readonly late_by_ms: number;
  readonly passed: boolean;
  readonly message?: string;
}

export interface StepVerdict {
  readonly id: string;
  readonly prompt: string;
  readonly status: 'answered' | 'skipped' | 'deferred' | 'declined' | 'missing';
  readonly passed: boolean;
  readonly message?: string;
  /** Why a skipped step was skipped (its condition was false with the drill's answers). */
  readonly reason?: string;
}

export interface DrillVerdict {
  readonly passed: boolean;
  readonly ended_at: string;
  readonly deadlines: DeadlineVerdict[];
  readonly steps: StepVerdict[];
  /** Notices the drill could not render (a hole left by a missing answer). */
  readonly drafts: string[];
  /** One line per failure, naming the deadline or step, the due time and how late. */
  readonly failures: string[];
}

export function judgeDrill(
  playbook: Playbook,
  state: IncidentState,
  clocks: readonly DeadlineClock[],
  endedAt: Date,
  renderProblems: readonly string[] = [],
): DrillVerdict {
  const deadlines = clocks
    .filter((c) => c.status !== 'not_applicable')
    .map((clock): DeadlineVerdict => {
      const due = clock.due?.toISOString() ?? null;
      const base = { id: clock.id, title: clock.title, status: clock.status, due, met_at: clock.met_at?.toISOString() ?? null };
      if (clock.status === 'met_late') {
        const late = -(clock.margin_ms ?? 0);
        return { ...base, late_by_ms: late, passed: false, message: `deadline ${clock.id} (${clock.title}) was met ${spanInWords(late)} late: due ${due}, met ${base.met_at}` };
      }
      if (clock.status === 'overdue') {
        const late = -(clock.margin_ms ?? 0);
        return { ...base, late_by_ms: late, passed: false, message: `deadline ${clock.id} (${clock.title}) was never met: due ${due}, and the drill ran ${spanInWords(late)} past it` };
      }
      return { ...base, late_by_ms: 0, passed: true };
    });
  const steps = placedSteps(playbook)
    .filter(({ step }) => step.required)
    .map(({ step }): StepVerdict => {
      if (state.answers.has(step.id)) return { id: step.id, prompt: step.prompt, status: 'answered', passed: true };
      const reason = state.skipped.get(step.id);
      if (reason !== undefined && reason !== DRILL_MISSING) return { id: step.id, prompt: step.prompt, status: 'skipped', passed: true, reason };
      const declined = state.declined.get(step.id);
      if (declined) {
        return { id: step.id, prompt: step.prompt, status: 'declined', passed: false, reason: declined.reason, message: `required step ${step.id} (${step.prompt}) was declined: ${declined.reason}` };
      }
      const deferred = state.deferred.get(step.id);
      if (deferred) {
        const why = deferred.reason ? `: ${deferred.reason}` : '';
        return { id: step.id, prompt: step.prompt, status: 'deferred', passed: false, reason: deferred.reason, message: `required step ${step.id} (${step.prompt}) was left open, deferred${why}` };
      }
      return { id: step.id, prompt: step.prompt, status: 'missing', passed: false, message: `required step ${step.id} (${step.prompt}) was not answered` };
    });
  const drafts = renderProblems.map((problem) => `a notice could not be rendered: ${problem}`);
  const failures = [...[...deadlines, ...steps].flatMap((v) => (v.passed || !v.message ? [] : [v.message])), ...drafts];
  return { passed: failures.length === 0, ended_at: endedAt.toISOString(), deadlines, steps, drafts, failures };
}

/**
 * JUnit XML that CI systems show: one testcase per deadline and per required step; a required
 * step whose condition was false did not apply and is reported as skipped, not as passed (issue 9).
 */
export function junitXml(suite: string, incident: string, verdict: DrillVerdict): string {
  type Case = { classname: string; name: string; failure?: string | undefined; skipped?: string | undefined };
  const cases: Case[] = [
    ...verdict.deadlines.map((d) => ({ classname: 'deadlines', name: `${d.id}: ${d.title}`, failure: d.passed ? undefined : d.message })),
    ...verdict.steps.map((s) => ({
      classname: 'steps',
      name: `${s.id}: ${s.prompt}`,
      failure: s.passed ? undefined : s.message,
      skipped: s.status === 'skipped' ? `did not apply: ${s.reason ?? 'skipped'}` : undefined,
    })),
    { classname: 'drafts', name: 'every notice that applies renders', failure: verdict.drafts.length > 0 ? verdict.drafts.join('\n') : undefined },
  ];
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const body = (c: Case): string =>
    c.failure !== undefined
      ? `\n      <failure message="${xml(c.failure)}" type="missed">${xml(c.failure)}</failure>\n    `
      : `\n      <skipped message="${xml(c.skipped!)}"/>\n    `;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="leakctl drill" tests="${cases.length}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${verdict.ended_at}">`,
    `    <properties><property name="incident" value="${xml(incident)}"/></properties>`,
    ...cases.map((c) =>
      c.failure === undefined && c.skipped === undefined
        ? `    <testcase classname="${c.classname}" name="${xml(c.name)}"/>`
        : `    <testcase classname="${c.classname}" name="${xml(c.name)}">${body(c)}</testcase>`,
    ),
    '  </testsuite>',
    '</testsuites>',
    '',
  ];
  return lines.join('\n');
}

/**
 * Text as XML 1.0 carries it: characters XML 1.0 does not allow at all (C0 controls but tab, LF
 * and CR; U+FFFE, U+FFFF; a lone surrogate) are shown as \u{…}, so that the report stays valid
 * XML and still says something was there (issue 9: one U+FFFE in an answer made it unreadable).
 */
function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (ch) => `\\u{${ch.charCodeAt(0).toString(16)}}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
