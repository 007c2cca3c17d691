/** JSON Schema of a template's front matter (SPEC section 5). */
import { LIMITS } from './limits.js';

export const TEMPLATE_READERS = ['members', 'public', 'authority', 'provider', 'host', 'record'] as const;

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
    reader: {
      enum: TEMPLATE_READERS,
      description:
        "Who reads it. Only an authority's draft and the record end with the evidence footer (issue 14: the log's head hash means nothing to a member, and shows internals to a provider or a host); the .eml headers carry it for every reader. Members' and the public's .eml get an HTML part. Default: authority.",
    },
    subject: { type: 'string', minLength: 1, maxLength: LIMITS.proseChars },
    each_host: {
      type: 'string',
      pattern: '^[a-z][a-z0-9_]{0,63}$',
      description: 'A step whose answer lists locations, one per line: the template is rendered once per host, with `host.name` and `host.locations`, as <id>.<host>.txt (issue 14: a takedown request goes to each host with its own URLs only).',
    },
    headings: {
      type: 'array',
      maxItems: 50,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: LIMITS.titleChars },
      description: "Paragraphs shown as headings in the HTML part of a member's .eml; the draft's first paragraph, its title, is shown largest. Cal. Civ. Code 1798.82(d)(1) asks for a clear and conspicuous title and headings.",
    },
    formats: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { enum: ['txt', 'md', 'eml'] },
    },
  },
} as const;
