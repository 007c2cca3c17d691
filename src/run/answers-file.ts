/**
 * Answers files (SPEC section 3, `leakctl/answers@1`): the script a scripted run or a drill
 * follows. Each answer is a bare value or `{ value, after }`, where `after` advances the run's
 * simulated clock before the answer is recorded; `{ defer: reason }` and `{ decline: reason }`
 * put the step off or decline it instead (issue 10).
 */
import { checkSchema } from '../documents/check.js';
import { loadDocument } from '../documents/load.js';
import { problemAt } from '../documents/yaml.js';
import type { Position, YamlSource } from '../documents/yaml.js';
import { positionAt, scalarSource, type DocPath } from '../documents/yaml.js';
import { longestDays, parseDuration } from '../time/duration.js';
import { LIMITS } from '../schemas/limits.js';
import { answersSchema } from '../schemas/answers.js';
import type { IsoDuration } from '../time/duration.js';
import { InvalidDocument } from '../ui/errors.js';
import type { SourceProblem } from '../ui/errors.js';

export interface ScriptedAnswer {
  readonly value: unknown;
  /**
   * The answer as written in the file: for a scalar YAML read as a number, a boolean or null
   * (`00123`, `1.10`, `0b1011`, `yes`), its source characters; otherwise the value.
   */
  readonly text: unknown;
  /** Simulated time that passes before this answer is given. */
  readonly after?: IsoDuration;
  /** Where the answer is, for messages that name it. */
  readonly position: Position;
  /** "Not yet" or "won't do" instead of an answer. */
  readonly mark?: { readonly kind: 'defer' | 'decline'; readonly reason: string };
}

export interface AnswersFile {
  readonly file: string;
  readonly responder?: string;
  readonly now?: string;
  readonly answers: ReadonlyMap<string, ScriptedAnswer>;
  /** Drafts written in the middle of the run: each template once its `after` step is answered. */
  readonly render: readonly { readonly after: string; readonly template: string }[];
  readonly source: YamlSource;
}

export const ANSWERS_WHAT = 'a leakctl/answers@1 document';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const WRAPPER_KEYS = ['value', 'defer', 'decline'] as const;

/**
 * `{ value, after }`, `{ defer, after }` or `{ decline, after }` (after optional) is a wrapper;
 * any other value is the answer itself.
 */
function isWrapper(value: unknown): value is { value?: unknown; defer?: unknown; decline?: unknown; after?: unknown } {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  const main = keys.filter((k) => (WRAPPER_KEYS as readonly string[]).includes(k));
  return main.length === 1 && keys.every((k) => k === main[0] || k === 'after');
}

export function loadAnswersFile(file: string): AnswersFile {
  return checkAnswers(loadDocument(file, ANSWERS_WHAT));
}

/** The keys `answers:` may have: step ids, as the schema says. */
const STEP_KEY = new RegExp(answersSchema.properties.answers.propertyNames.pattern);

export function checkAnswers(source: YamlSource): AnswersFile {
  // The checks below, whose words replace the schema's for the same value.
  const problems: SourceProblem[] = [];
  const answers = new Map<string, ScriptedAnswer>();
  const raw = isRecord(source.data.answers) ? source.data.answers : {};
  const badKeys = Object.keys(raw).filter((key) => !STEP_KEY.test(key));
  if (badKeys.length > 0) {
    for (const key of badKeys) {
      problems.push(
        problemAt(source, ['answers', key], `answer for "${key}", which is not a step id (lowercase letters, digits and _, starting with a letter); no playbook has such a step`, true),
      );
    }
  }
  for (const [step, entry] of Object.entries(raw)) {
    // Positions and sources are only needed for a message or a text step given a scalar YAML
    // read as something else; asking for one parses the file with positions.
    const where = {
      get position(): Position {
        return positionAt(source, ['answers', step]);
      },
    };
    const textOf = (path: DocPath, value: unknown) => ({
      get text(): unknown {
        return value === null || typeof value === 'number' || typeof value === 'boolean' ? (scalarSource(source, path) ?? value) : value;
      },
    });
    if (!isWrapper(entry)) {
      const descriptors = { ...Object.getOwnPropertyDescriptors(where), ...Object.getOwnPropertyDescriptors(textOf(['answers', step], entry)) };
      answers.set(step, Object.defineProperties({ value: entry }, descriptors) as ScriptedAnswer);
      continue;
    }
    let after: IsoDuration | undefined;
    if (entry.after !== undefined) {
      after = typeof entry.after === 'string' ? parseDuration(entry.after) : undefined;
      if (!after) {
        problems.push(
          problemAt(source, ['answers', step, 'after'], `"after" ${JSON.stringify(entry.after)} is not an ISO 8601 duration; write e.g. PT70H or P2D`),
        );
      } else if (longestDays(after) > LIMITS.afterDays) {
        problems.push(problemAt(source, ['answers', step, 'after'], `"after" ${String(entry.after)} moves the clock more than ${LIMITS.afterDays} days at once; a drill's steps are hours or days apart`));
        after = undefined;
      }
    }
    const mark =
      'defer' in entry ? { kind: 'defer' as const, reason: typeof entry.defer === 'string' ? entry.defer : '' } : 'decline' in entry ? { kind: 'decline' as const, reason: String(entry.decline ?? '') } : undefined;
    const scripted = { value: entry.value, ...(after ? { after } : {}), ...(mark ? { mark } : {}) };
    const descriptors = { ...Object.getOwnPropertyDescriptors(where), ...Object.getOwnPropertyDescriptors(textOf(['answers', step, 'value'], entry.value)) };
    answers.set(step, Object.defineProperties(scripted, descriptors) as ScriptedAnswer);
  }
  const schema = checkSchema(source, 'answers', new Set(problems.map((p) => `${p.line}:${p.col}`)))
    // The schema's own message for a key that is not a step id: the one above says what it means.
    .filter((p) => badKeys.length === 0 || !p.message.startsWith('"answers" has an invalid key'));
  if (schema.length + problems.length > 0) throw new InvalidDocument([...schema, ...problems]);
  return {
    file: source.file,
    ...(typeof source.data.responder === 'string' ? { responder: source.data.responder } : {}),
    ...(typeof source.data.now === 'string' ? { now: source.data.now } : {}),
    answers,
    render: Array.isArray(source.data.render) ? (source.data.render as { after: string; template: string }[]) : [],
    source,
  };
}
