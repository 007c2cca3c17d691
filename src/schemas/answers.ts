/** JSON Schema of `leakctl/answers@1` (SPEC section 3): scripted runs and drills. */
import { DURATION_PATTERN, LIMITS } from './limits.js';

const after = {
  type: 'string',
  pattern: DURATION_PATTERN,
  description: `Simulated time that passes before this answer: an ISO 8601 duration of at most ${LIMITS.afterDays} days.`,
} as const;

/** `{ <key>, after }` and nothing else. */
function wrapper<K extends string, V>(key: K, value: V) {
  return { type: 'object', additionalProperties: false, properties: { [key]: value, after } as { [P in K]: V } & { after: typeof after } } as const;
}

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
    render: {
      type: 'array',
      maxItems: LIMITS.notices,
      description: 'Drafts written in the middle of the run, as a responder would ask for them: each template once the step named by after has its answer.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['after', 'template'],
        properties: {
          after: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'The step whose answer comes first.' },
          template: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,63}$', description: 'The template to render then.' },
        },
      },
    },
    answers: {
      type: 'object',
      description:
        'Step id → answer: a bare value; { value, after } where after (ISO 8601 duration) advances the simulated clock first; { defer: reason } for "not yet"; or { decline: reason } for "won\'t do".',
      propertyNames: { pattern: '^[a-z][a-z0-9_]{0,63}$' },
      maxProperties: LIMITS.answers,
      // An answer is any value; a mapping with `value` is the { value, after } form, with nothing
      // else beside (a stray `note:` would otherwise make the whole mapping the answer), and a
      // bounded duration for after. `{ defer: reason }` and `{ decline: reason }` say "not yet"
      // and "won't do" for the step (issue 10).
      additionalProperties: {
        allOf: [
          { if: { type: 'object', required: ['value'] }, then: wrapper('value', true) },
          { if: { type: 'object', required: ['defer'] }, then: wrapper('defer', { type: ['string', 'null'], maxLength: LIMITS.proseChars, description: 'Why not yet ("not yet": the step stays open on the board).' }) },
          {
            if: { type: 'object', required: ['decline'] },
            then: wrapper('decline', { type: 'string', minLength: 1, maxLength: LIMITS.proseChars, description: "Why the step will not be done (\"won't do\"); required." }),
          },
        ],
      },
    },
  },
} as const;
