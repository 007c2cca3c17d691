/**
 * `when:` conditions (SPEC section 2). They are data, never code: evaluated here against the
 * answers so far, and put into words for `leakctl show` and skip reasons in the log.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Comparison, Condition } from './types.js';

export const COMPARISON_OPERATORS = ['equals', 'includes', 'includes_prefix', 'in', 'gt', 'gte', 'lt', 'lte', 'answered'] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export function isComparison(condition: Condition): condition is Comparison {
  return 'step' in condition;
}

/** The operator of a comparison (the schema and checks guarantee exactly one). */
export function operatorOf(comparison: Comparison): ComparisonOperator {
  const op = COMPARISON_OPERATORS.find((name) => name in comparison);
  if (!op) throw new Error(`condition on "${comparison.step}" has no operator`);
  return op;
}

/**
 * Whether the condition holds. A comparison on a step that has no answer (not reached, or
 * skipped) is false, except `answered: false`.
 */
export function evaluate(condition: Condition, answers: ReadonlyMap<string, unknown>): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluate(c, answers));
  if ('any' in condition) return condition.any.some((c) => evaluate(c, answers));
  if ('not' in condition) return !evaluate(condition.not, answers);
  const has = answers.has(condition.step);
  const answer = answers.get(condition.step);
  const op = operatorOf(condition);
  if (op === 'answered') return has === condition.answered;
  if (!has) return false;
  switch (op) {
    case 'equals':
      return isDeepStrictEqual(answer, condition.equals);
    case 'includes':
      return Array.isArray(answer) && answer.some((item) => isDeepStrictEqual(item, condition.includes));
    case 'includes_prefix':
      return Array.isArray(answer) && answer.some((item) => typeof item === 'string' && item.startsWith(condition.includes_prefix as string));
    case 'in':
      return (condition.in ?? []).some((value) => isDeepStrictEqual(answer, value));
    case 'gt':
      return typeof answer === 'number' && answer > (condition.gt as number);
    case 'gte':
      return typeof answer === 'number' && answer >= (condition.gte as number);
    case 'lt':
      return typeof answer === 'number' && answer < (condition.lt as number);
    case 'lte':
      return typeof answer === 'number' && answer <= (condition.lte as number);
  }
}

/** The condition in words: `exposed_data includes "payment" and members_affected is more than 0`. */
export function conditionInWords(condition: Condition): string {
  if ('all' in condition) return condition.all.map((c) => nested(c, 'any')).join(' and ');
  if ('any' in condition) return condition.any.map((c) => nested(c, 'all')).join(' or ');
  if ('not' in condition) return `not (${conditionInWords(condition.not)})`;
  const step = condition.step;
  switch (operatorOf(condition)) {
    case 'equals':
      return typeof condition.equals === 'boolean'
        ? `${step} is ${condition.equals ? 'yes' : 'no'}`
        : `${step} is ${show(condition.equals)}`;
    case 'includes':
      return `${step} includes ${show(condition.includes)}`;
    case 'includes_prefix':
      return `${step} includes a choice starting ${show(condition.includes_prefix)}`;
    case 'in':
      return `${step} is one of ${(condition.in ?? []).map(show).join(', ')}`;
    case 'gt':
      return `${step} is more than ${condition.gt}`;
    case 'gte':
      return `${step} is at least ${condition.gte}`;
    case 'lt':
      return `${step} is less than ${condition.lt}`;
    case 'lte':
      return `${step} is at most ${condition.lte}`;
    case 'answered':
      return condition.answered ? `${step} was answered` : `${step} was not answered`;
  }
}

function nested(condition: Condition, wrapIf: 'all' | 'any'): string {
  const words = conditionInWords(condition);
  return wrapIf in condition ? `(${words})` : words;
}

function show(value: unknown): string {
  return JSON.stringify(value);
}
