/**
 * One rule for every answer, typed or scripted (SPEC section 3: "answers are validated exactly
 * like typed input"): the value a step kind records, or a message saying what is wrong.
 */
import { lstatSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { inOffset, parseMoment } from '../time/moment.js';
import { compilePattern } from '../playbook/patterns.js';
import { LIMITS } from '../schemas/limits.js';
import type { Step } from '../playbook/types.js';
import { notAttachable } from '../evidence/durable.js';
import { SENSITIVE_PLACEHOLDER } from '../evidence/describe.js';
import { printable } from '../ui/text.js';

export type Checked = { ok: true; value: unknown } | { ok: false; message: string };

export const CHECKLIST_STATES = ['done', 'skipped', 'n/a'] as const;


export interface AnswerContext {
  /** The run's clock reading: `now` in a datetime step, and what no datetime answer may be later than. */
  readonly now: Date;
  /** Relative attachment paths are resolved against this directory. */
  readonly baseDir: string;
  /** The zone a time typed without an offset is read in (default UTC). */
  readonly zone?: string;
  /**
   * For a step that records a duty done: when its clock started (the answer of the deadline's
   * `from` step), and the incident, for the command that corrects it. A duty is not done before
   * its clock starts.
   */
  readonly notBefore?: { readonly step: string; readonly at: Date; readonly incident?: string };
}

const fail = (message: string): Checked => ({ ok: false, message });
const ok = (value: unknown): Checked => ({ ok: true, value });


/**
 * A value as a message quotes it: escaped, so that an answers file cannot put terminal codes on
 * the responder's screen through an error message (issue 7), and not at all for a sensitive
 * step, whose value may be on a shared screen or in CI output.
 */
function shown(step: Step, value: unknown): string {
  if (step.sensitive) return SENSITIVE_PLACEHOLDER;
  return printable(String(JSON.stringify(value)));
}

/** A name (a file path, a checklist item) as a message gives it: unquoted, but escaped too. */
function named(step: Step, name: unknown): string {
  if (step.sensitive) return SENSITIVE_PLACEHOLDER;
  return printable(String(name));
}

/**
 * Check and normalise an answer. For attachment steps the value is the list of absolute source
 * paths; the runner copies them and records `{ path, sha256, bytes }`.
 */
export function checkAnswer(step: Step, raw: unknown, context: AnswerContext): Checked {
  switch (step.kind) {
    case 'info':
      return raw === true || raw === null || raw === '' ? ok(true) : fail('an info step is acknowledged with true');
    case 'confirm':
      return typeof raw === 'boolean' ? ok(raw) : fail('expected yes or no (true or false)');
    case 'text':
    case 'longtext':
      return checkText(step, raw);
    case 'number':
      return checkNumber(step, raw);
    case 'select': {
      const values = (step.choices ?? []).map((c) => c.value);
      return typeof raw === 'string' && values.includes(raw)
        ? ok(raw)
        : fail(`expected one of: ${values.join(', ')}; got ${shown(step, raw)}`);
    }
    case 'multi':
      return checkMulti(step, raw);
    case 'datetime':
      return checkDatetime(step, raw, context);
    case 'checklist':
      return checkChecklist(step, raw);
    case 'attachment':
      return checkAttachment(step, raw, context.baseDir);
  }
}

function checkText(step: Step, raw: unknown): Checked {
  // A YAML answer `ticket: 12345` is a number; typed, it would have been the text "12345".
  const text = typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : raw;
  if (typeof text !== 'string') return fail('expected text');
  const value = step.kind === 'text' ? text.trim() : text.replace(/\s+$/, '');
  if (step.kind === 'text' && /[\r\n]/.test(value)) return fail('expected a single line of text');
  if (step.required && value === '') return fail('an answer is required');
  if (step.min_length !== undefined && value.length < step.min_length) {
    return fail(`expected at least ${step.min_length} characters, got ${value.length}`);
  }
  const most = step.max_length ?? (step.kind === 'text' ? LIMITS.textAnswerChars : LIMITS.longtextAnswerChars);
  if (value.length > most) return fail(`expected at most ${most} characters, got ${value.length}`);
  if (step.pattern !== undefined) {
    const pattern = compilePattern(step.pattern);
    // The playbook's load refused a pattern RE2 cannot compile: a string here is a bug, not an answer.
    if (typeof pattern === 'string') throw new Error(`pattern of step ${step.id}: ${pattern}`);
    if (!pattern.find(value)) return fail(`does not match the pattern ${printable(step.pattern)}`);
  }
  return ok(value);
}

/** 12,000 or 12 000 or 12_000: digits grouped in threes, as people write large counts. */
const GROUPED = /^[+-]?\d{1,3}(?:([,_ ])\d{3})(?:\1\d{3})*(?:\.\d+)?$/;

function checkNumber(step: Step, raw: unknown): Checked {
  const text = typeof raw === 'string' ? raw.trim() : undefined;
  const value = text !== undefined && text !== '' ? Number(GROUPED.test(text) ? text.replace(/[,_ ]/g, '') : text) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`expected a number; got ${shown(step, raw)}`);
  if (Math.abs(value) > LIMITS.number) return fail(`${shown(step, raw)} is larger than any count of people or records (at most ${LIMITS.number})`);
  if (step.integer && !Number.isInteger(value)) return fail(`expected a whole number; got ${shown(step, value)}`);
  if (step.min !== undefined && value < step.min) return fail(`expected at least ${step.min}; got ${shown(step, value)}`);
  if (step.max !== undefined && value > step.max) return fail(`expected at most ${step.max}; got ${shown(step, value)}`);
  return ok(value);
}

function checkMulti(step: Step, raw: unknown): Checked {
  const values = (step.choices ?? []).map((c) => c.value);
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list)) return fail(`expected a list of: ${values.join(', ')}`);
  const unknown = list.filter((v) => typeof v !== 'string' || !values.includes(v));
  if (unknown.length > 0) {
    return fail(`${unknown.map((v) => shown(step, v)).join(', ')} not offered; choose from: ${values.join(', ')}`);
  }
  const chosen = values.filter((v) => list.includes(v));
  if (chosen.length !== list.length) return fail('a choice is listed twice');
  const least = step.min_items ?? (step.required ? 1 : 0);
  if (chosen.length < least) return fail(`choose at least ${least}`);
  return ok(chosen);
}

function checkDatetime(step: Step, raw: unknown, context: AnswerContext): Checked {
  if (typeof raw !== 'string') return fail('expected a time such as 2026-03-02T08:30:00Z, 2026-03-02 09:30, yesterday 21:40, -2h or now');
  const moment = parseMoment(raw, context.now, context.zone ?? 'UTC');
  if (!moment.ok) return fail(step.sensitive ? `${SENSITIVE_PLACEHOLDER}: not a time that can be recorded` : printable(moment.message));
  const start = context.notBefore;
  if (start && moment.at.getTime() < start.at.getTime()) {
    return fail(
      `${shown(step, moment.value)} is before ${start.step} (${inOffset(start.at, context.zone ?? 'UTC')}), when this duty's clock started; a duty is not done before it is due. Check both times (\`leakctl amend ${start.incident ?? 'INCIDENT'} ${start.step}\` corrects ${start.step})`,
    );
  }
  return ok(moment.value);
}

function checkChecklist(step: Step, raw: unknown): Checked {
  const items = (step.items ?? []).map((i) => i.id);
  // Shorthand: a list of the items that are done; the others were skipped.
  const record: Record<string, unknown> = Array.isArray(raw)
    ? Object.fromEntries(items.map((id) => [id, raw.includes(id) ? 'done' : 'skipped']))
    : typeof raw === 'object' && raw !== null
      ? (raw as Record<string, unknown>)
      : {};
  if (typeof raw !== 'object' || raw === null) return fail(`expected { item: done | skipped | n/a } for items: ${items.join(', ')}`);
  const unknown = Object.keys(record).filter((k) => !items.includes(k));
  if (Array.isArray(raw)) unknown.push(...raw.filter((v) => !items.includes(v as string)));
  if (unknown.length > 0) return fail(`unknown item(s): ${unknown.map((v) => named(step, v)).join(', ')}; items are: ${items.join(', ')}`);
  // Own properties only: an item called "constructor" must not find Object's.
  const missing = items.filter((id) => !Object.hasOwn(record, id) || record[id] === undefined);
  if (missing.length > 0) return fail(`no state for item(s): ${missing.join(', ')} (use done, skipped or n/a)`);
  const bad = items.filter((id) => !(CHECKLIST_STATES as readonly unknown[]).includes(record[id]));
  if (bad.length > 0) return fail(`item(s) ${bad.join(', ')}: the state must be done, skipped or n/a`);
  return ok(Object.fromEntries(items.map((id) => [id, record[id]])));
}

function checkAttachment(step: Step, raw: unknown, baseDir: string): Checked {
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.length === 0 || list.some((p) => typeof p !== 'string' || p.trim() === '')) {
    return fail('expected one or more file paths');
  }
  if (list.length > LIMITS.attachmentFiles) return fail(`${list.length} files at once; attach at most ${LIMITS.attachmentFiles} (an archive holds more)`);
  const paths: string[] = [];
  for (const given of list as string[]) {
    if (given.includes('\0')) return fail(`${named(step, given)} is not a usable file path (it contains a NUL character)`);
    const path = isAbsolute(given) ? given : resolve(baseDir, given);
    let kind: string | null;
    try {
      kind = notAttachable(lstatSync(path));
    } catch {
      return fail(`file not found: ${named(step, given)}`);
    }
    if (kind) return fail(`${named(step, given)} is ${kind}`);
    paths.push(path);
  }
  return ok(paths);
}
