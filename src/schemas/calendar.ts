/** JSON Schema of `leakctl/calendar@1`: the holidays business-day deadlines skip (issue 9). */
export const calendarSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://leakctl.dev/schema/calendar@1.json',
  title: 'leakctl holiday calendar',
  type: 'object',
  additionalProperties: false,
  required: ['schema', 'id', 'title', 'source', 'years', 'holidays'],
  properties: {
    $schema: { type: 'string' },
    schema: { const: 'leakctl/calendar@1' },
    id: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,63}$', description: 'The id deadlines name it by (`calendar:`); the same as the file name.' },
    title: { type: 'string', minLength: 1, maxLength: 200 },
    source: { type: 'string', minLength: 1, maxLength: 2000, description: 'Where the dates come from: the law or the official list.' },
    years: {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'to'],
      description: 'The years the dates cover. Business days are not counted past them.',
      properties: { from: { type: 'integer', minimum: 1970, maximum: 2200 }, to: { type: 'integer', minimum: 1970, maximum: 2200 } },
    },
    holidays: {
      type: 'array',
      maxItems: 5000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['date', 'name'],
        properties: { date: { type: 'string', format: 'date' }, name: { type: 'string', minLength: 1, maxLength: 200 } },
      },
    },
  },
} as const;
