import { describe, expect, it } from 'vitest';
import { conditionInWords, evaluate } from '../../src/playbook/conditions.js';
import type { Condition } from '../../src/playbook/types.js';

const answers = new Map<string, unknown>([
  ['exposed_data', ['names', 'payment']],
  ['members_affected', 120],
  ['status', 'ongoing'],
  ['confirmed', false],
]);

describe('evaluating conditions against the answers so far', () => {
  const cases: [string, Condition, boolean][] = [
    ['equals on a select', { step: 'status', equals: 'ongoing' }, true],
    ['equals false on a confirm', { step: 'confirmed', equals: false }, true],
    ['includes a chosen value', { step: 'exposed_data', includes: 'payment' }, true],
    ['includes a value not chosen', { step: 'exposed_data', includes: 'passwords' }, false],
    ['in a list', { step: 'status', in: ['fixed', 'ongoing'] }, true],
    ['gt', { step: 'members_affected', gt: 120 }, false],
    ['gte', { step: 'members_affected', gte: 120 }, true],
    ['lt', { step: 'members_affected', lt: 500 }, true],
    ['lte', { step: 'members_affected', lte: 119 }, false],
    ['answered', { step: 'status', answered: true }, true],
    ['not answered, for a step never reached', { step: 'later', answered: false }, true],
    ['a comparison on an unanswered step is false', { step: 'later', equals: 'x' }, false],
    ['not of an unanswered comparison is true', { not: { step: 'later', gt: 0 } }, true],
    ['all', { all: [{ step: 'status', equals: 'ongoing' }, { step: 'members_affected', gt: 500 }] }, false],
    ['any', { any: [{ step: 'status', equals: 'fixed' }, { step: 'members_affected', gt: 100 }] }, true],
  ];
  it.each(cases)('%s', (_name, condition, expected) => {
    expect(evaluate(condition, answers)).toBe(expected);
  });
});

describe('conditions in words', () => {
  it('reads as a sentence, with brackets where and/or nest', () => {
    const condition: Condition = {
      all: [
        { step: 'confirmed', equals: true },
        { any: [{ step: 'exposed_data', includes: 'payment' }, { step: 'members_affected', gte: 500 }] },
        { not: { step: 'status', in: ['fixed'] } },
      ],
    };
    expect(conditionInWords(condition)).toBe(
      'confirmed is yes and (exposed_data includes "payment" or members_affected is at least 500) and not (status is one of "fixed")',
    );
  });
});
