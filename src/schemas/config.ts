/** JSON Schema of `leakctl/config@1` (SPEC section 6): `leakctl.config.yaml`. */
export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://leakctl.dev/schema/config@1.json',
  title: 'leakctl configuration',
  type: 'object',
  additionalProperties: false,
  required: ['schema'],
  properties: {
    $schema: { type: 'string' },
    schema: { const: 'leakctl/config@1' },
    org: {
      type: 'object',
      description: 'Organisation details used by the notice templates.',
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1 },
        community: { type: 'string', minLength: 1 },
        contact_email: { type: 'string', format: 'email' },
        dpo_contact: { type: 'string', minLength: 1 },
        website: { type: 'string', format: 'uri' },
        platform: { type: 'string', minLength: 1 },
      },
    },
    responder: { type: 'string', minLength: 1, description: 'Default responder name.' },
    timezone: {
      type: 'string',
      minLength: 1,
      description: 'IANA time zone for displaying times, e.g. Europe/Berlin.',
    },
    playbooks: {
      type: 'array',
      description: 'Extra playbook directories (relative to this file), searched before the bundled ones.',
      items: { type: 'string', minLength: 1 },
    },
    templates: {
      type: 'array',
      description: 'Extra template directories (relative to this file), searched before the bundled ones.',
      items: { type: 'string', minLength: 1 },
    },
    holidays: {
      type: 'array',
      description: 'Dates (yyyy-MM-dd) that business-day deadlines skip, besides weekends.',
      items: { type: 'string', format: 'date' },
    },
  },
} as const;
