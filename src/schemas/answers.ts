/** JSON Schema of `leakctl/answers@1` (SPEC section 3): scripted runs and drills. */
import { DURATION_PATTERN, LIMITS } from './limits.js';

export const answersSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://leakctl.dev/schema/answers@1.json',
  title: 'leakctl answers file',
  type: 'object',
  additionalProperties: false,
  required: ['schema', 'answers'],
  properties: {
    $schema: { type: 'string' },
    schema: { const: 'leakctl/answers@1' },
    responder: { type: 'string', minLength: 1, maxLength: LIMITS.titleChars },
    now: {
      type: 'string',
      format: 'date-time',
      description: 'The simulated start of the run (RFC 3339 with offset).',
    },
    answers: {
      type: 'object',
      description:
        'Step id → answer: a bare value, or { value, after } where after (ISO 8601 duration) advances the simulated clock first.',
      propertyNames: { pattern: '^[a-z][a-z0-9_]{0,63}$' },
      maxProperties: LIMITS.answers,
      // An answer is any value; a mapping with `value` is the { value, after } form, with nothing
      // else beside (a stray `note:` would otherwise make the whole mapping the answer), and a
      // bounded duration for after.
      additionalProperties: {
        if: { type: 'object', required: ['value'] },
        then: {
          type: 'object',
          additionalProperties: false,
          properties: {
            value: true,
            after: { type: 'string', pattern: DURATION_PATTERN, description: `Simulated time that passes before this answer: an ISO 8601 duration of at most ${LIMITS.afterDays} days.` },
          },
        },
      },
    },
  },
} as const;
