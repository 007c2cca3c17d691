/** JSON Schema of a template's front matter (SPEC section 5). */
import { LIMITS } from './limits.js';

export const templateSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://leakctl.dev/schema/template@1.json',
  title: 'leakctl template front matter',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'audience', 'subject'],
  properties: {
    id: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,63}$' },
    title: { type: 'string', minLength: 1, maxLength: LIMITS.titleChars },
    audience: { type: 'string', minLength: 1, maxLength: LIMITS.titleChars },
    subject: { type: 'string', minLength: 1, maxLength: LIMITS.proseChars },
    formats: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { enum: ['txt', 'md', 'eml'] },
    },
  },
} as const;
