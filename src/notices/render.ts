/**
 * Rendering notices (SPEC section 5) with LiquidJS. Strict: a variable the template uses but the
 * context lacks is an error naming the template, line and variable, and no draft is written — a
 * notice must never go out with a hole in it. `if` is lenient, so templates can test optional
 * answers. Answers are data: LiquidJS never parses a value as a template, so `{{ x }}` typed into
 * an answer is printed as typed. Templates reach only own properties (no prototypes) and include
 * only files from the template directories.
 */
import { Liquid } from 'liquidjs';
import { InvalidDocument } from '../ui/errors.js';
import { approximately, countFilter, dateFilter, humanList, sentence } from './filters.js';
import type { Template } from './templates.js';

export interface RenderContext {
  readonly incident: {
    readonly id: string;
    readonly title: string;
    readonly opened_at: string;
    readonly responder: string;
    readonly drill: boolean;
    readonly head_hash: string | null;
  };
  readonly answers: Readonly<Record<string, unknown>>;
  readonly skipped: readonly string[];
  readonly deadlines: readonly { id: string; title: string; due: string | null; met_at: string | null; status: string }[];
  readonly org: Readonly<Record<string, unknown>>;
  /**
   * The places of the regime pack that the answers chose (issue 14), with the count of their
   * residents when given, and what their laws ask of every notice: the longest identity-protection
   * offer in months (null when none does).
   */
  readonly places: readonly { readonly id: string; readonly label: string; readonly name: string; readonly people: string; readonly residents: number | null }[];
  readonly law: { readonly identity_protection_months: number | null };
  /** Steps declined ("won't do") and put off ("not yet"), each with its reason, who and when: the decisions an Art. 33(5) record keeps. */
  readonly decisions: {
    readonly declined: readonly { step: string; prompt: string; reason: string; by: string; at: string }[];
    readonly deferred: readonly { step: string; prompt: string; reason: string; by: string; at: string }[];
  };
  /** Who signs: the config's `org.signatory` at render time, else the one named at the start, else the responder who opened the incident. */
  readonly signatory: { readonly name: string; readonly role?: string; readonly contact?: string; readonly named: boolean };
  readonly now: string;
  /** With `each_host`: the host this draft goes to, and its locations, as listed. */
  readonly host?: { readonly name: string; readonly locations: readonly string[] };
}

export interface RenderedNotice {
  readonly template: Template;
  /** The draft's name when it is one of several of its template (`takedown-request.forum.example`). */
  readonly name?: string;
  readonly subject: string;
  /** Plain text: one paragraph per line, a blank line between paragraphs, no hard wrapping. */
  readonly body: string;
}

export function createEngine(templateDirs: readonly string[], timeZone = 'UTC'): Liquid {
  const engine = new Liquid({
    root: [...templateDirs],
    partials: [...templateDirs],
    layouts: [...templateDirs],
    relativeReference: false,
    extname: '.liquid',
    strictVariables: true,
    strictFilters: true,
    lenientIf: true,
    ownPropertyOnly: true,
    greedy: false,
    // Named, so that LiquidJS does not start Intl to find the default (about 25 ms).
    locale: 'en-GB',
  });
  engine.registerFilter('date', dateFilter(timeZone));
  engine.registerFilter('human_list', humanList);
  engine.registerFilter('count', countFilter);
  engine.registerFilter('approximately', approximately);
  engine.registerFilter('sentence', sentence);
  engine.registerFilter('required_answer', requiredAnswer);
  return engine;
}

/**
 * `{{ answers | required_answer: "step_id", "what it must say" }}`: the answer, or a hole (issue
 * 14). A real notice is never written with a bracketed placeholder: the missing answer is an
 * undefined variable, as `answers.step_id` would be, so `render` names the step and writes
 * nothing, a draft on demand asks for it, and a drill judges it. Only a drill's draft shows the
 * placeholder, "[Before sending: …]", for the exercise to read.
 */
function requiredAnswer(this: { context: { getSync(paths: PropertyKey[]): unknown } }, answers: unknown, step: string, what: string): unknown {
  const value = typeof answers === 'object' && answers !== null && Object.hasOwn(answers, step) ? (answers as Record<string, unknown>)[step] : undefined;
  if (value !== undefined && value !== null && value !== '') return value;
  if (this.context.getSync(['incident', 'drill']) === true) return `[Before sending: ${what}]`;
  throw new Error(`undefined variable: answers.${step} (${what})`);
}

export async function renderNotice(engine: Liquid, template: Template, context: RenderContext): Promise<RenderedNotice> {
  const scope = context as unknown as Record<string, unknown>;
  const subject = await renderPart(engine, template, template.subject, scope, true);
  const body = await renderPart(engine, template, template.body, scope, false);
  return { template, subject: subject.replace(/\s+/g, ' ').trim(), body: tidy(body) };
}

async function renderPart(engine: Liquid, template: Template, text: string, scope: Record<string, unknown>, isSubject: boolean): Promise<string> {
  try {
    return String(await engine.render(engine.parse(text, template.file), scope));
  } catch (error) {
    throw templateProblem(template, error, isSubject);
  }
}

/**
 * A LiquidJS error as FILE:LINE:COL in the template file. LiquidJS counts from the start of the
 * text it was given: the body starts after the front matter, the subject inside it.
 */
export function templateProblem(template: Template, error: unknown, isSubject: boolean): InvalidDocument {
  const err = error as Error & { token?: { getPosition?: () => [number, number] } };
  const [line, col] = err.token?.getPosition?.() ?? [1, 1];
  const message = (err.message.split('\n')[0] ?? err.message).replace(/, (?:file:|line:\d+, col:\d+).*$/, '');
  const hint = /undefined variable/.test(message)
    ? '; answer that step, or set it in leakctl.config.yaml (org.*), or guard it with {% if %} in the template'
    : '';
  const at = isSubject ? subjectPosition(template, col) : { line: line + template.bodyLine - 1, col };
  return new InvalidDocument([{ file: template.file, ...at, message: `template ${template.id}: ${message}${hint}` }]);
}

/** Where column `col` of the subject's text is in the file (front matter starts on line 2). */
function subjectPosition(template: Template, col: number): { line: number; col: number } {
  const lines = template.frontMatter.split('\n');
  const index = lines.findIndex((l) => /^subject:/.test(l));
  const text = lines[index] ?? '';
  const valueStart = /^subject:\s*["']?/.exec(text)?.[0].length ?? 0;
  return { line: index + 2, col: valueStart + col };
}

/**
 * Liquid tags leave blank lines and trailing spaces behind; a paste-ready draft has neither:
 * one blank line between paragraphs, none at the start or end.
 */
export function tidy(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
