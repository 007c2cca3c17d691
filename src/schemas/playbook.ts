/**
 * JSON Schema of `leakctl/playbook@1` (SPEC section 2). The structural rules live here, so that
 * editors can use the same schema through `leakctl schema playbook`; rules that need the whole
 * document (ids unique, conditions naming earlier steps, …) are in src/playbook/checks.ts.
 */
import { CAUSES, STEP_KINDS } from '../playbook/types.js';

const phaseOrStepId = {
  type: 'string',
  pattern: '^[a-z][a-z0-9_]{0,63}$',
  description: 'Lowercase letters, digits and _, starting with a letter; unique across the playbook.',
};

const text = { type: 'string', minLength: 1 };

const condition = {
  type: 'object',
  description:
    'A condition: { step, <operator> } with one of equals, includes, in, gt, gte, lt, lte, answered; or { all: [...] }, { any: [...] }, { not: {...} }.',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    step: phaseOrStepId,
    equals: { description: 'The answer equals this value.' },
    includes: { description: 'The answer (an array) includes this value.' },
    in: { type: 'array', minItems: 1, description: 'The answer is one of these values.' },
    gt: { type: 'number' },
    gte: { type: 'number' },
    lt: { type: 'number' },
    lte: { type: 'number' },
    answered: { type: 'boolean' },
    all: { type: 'array', minItems: 1, items: { $ref: '#/$defs/condition' } },
    any: { type: 'array', minItems: 1, items: { $ref: '#/$defs/condition' } },
    not: { $ref: '#/$defs/condition' },
  },
};

const step = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', 'prompt'],
  properties: {
    id: phaseOrStepId,
    kind: { enum: [...STEP_KINDS] },
    prompt: text,
    help: { type: 'string' },
    required: { type: 'boolean', default: true },
    when: { $ref: '#/$defs/condition' },
    sensitive: {
      type: 'boolean',
      description:
        'Masked while typed, shown as [sensitive] by `leakctl log`, and left out of drafts unless a template names it (answers.<id>). The evidence log keeps the value.',
    },
    choices: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['value', 'label'],
        properties: { value: phaseOrStepId, label: text },
      },
    },
    items: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'label'],
        properties: { id: phaseOrStepId, label: text },
      },
    },
    min_length: { type: 'integer', minimum: 0 },
    max_length: { type: 'integer', minimum: 1 },
    pattern: { type: 'string', minLength: 1 },
    min: { type: 'number' },
    max: { type: 'number' },
    integer: { type: 'boolean' },
    min_items: { type: 'integer', minimum: 0 },
  },
  allOf: [
    {
      if: { required: ['kind'], properties: { kind: { enum: ['select', 'multi'] } } },
      then: { required: ['choices'] },
    },
    {
      if: { required: ['kind'], properties: { kind: { const: 'checklist' } } },
      then: { required: ['items'] },
    },
  ],
};

export const playbookSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://leakctl.dev/schema/playbook@1.json',
  title: 'leakctl playbook',
  type: 'object',
  additionalProperties: false,
  required: ['schema', 'id', 'title', 'cause', 'summary', 'phases'],
  properties: {
    $schema: { type: 'string' },
    schema: { const: 'leakctl/playbook@1' },
    id: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,63}$' },
    title: text,
    cause: { enum: [...CAUSES] },
    summary: text,
    version: { type: ['string', 'number'] },
    triage: {
      type: 'object',
      description:
        'How this kind of leak differs from the others, shown side by side when `leakctl start` asks which playbook fits: what caused it, how far it reaches, where members put the blame, and who controls the fix.',
      additionalProperties: false,
      required: ['cause', 'scope', 'blame', 'control'],
      properties: {
        cause: { type: 'string', minLength: 1 },
        scope: { type: 'string', minLength: 1 },
        blame: { type: 'string', minLength: 1 },
        control: { type: 'string', minLength: 1 },
      },
    },
    holidays: {
      type: 'array',
      description: 'Dates (yyyy-MM-dd) that business-day deadlines skip, besides weekends.',
      items: { type: 'string', format: 'date' },
    },
    phases: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'steps'],
        properties: {
          id: phaseOrStepId,
          title: text,
          help: { type: 'string' },
          steps: { type: 'array', minItems: 1, items: { $ref: '#/$defs/step' } },
        },
      },
    },
    deadlines: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'from', 'within', 'met_by'],
        properties: {
          id: phaseOrStepId,
          title: text,
          from: {
            type: 'string',
            description: 'A datetime step id, or `opened` for the incident opening.',
          },
          within: {
            type: ['string', 'object'],
            description: 'An ISO 8601 duration (PT72H, P30D) or { business_days: N }.',
            additionalProperties: false,
            required: ['business_days'],
            properties: { business_days: { type: 'integer', minimum: 1 } },
          },
          met_by: { type: 'string', description: 'The datetime step whose answer fulfils it.' },
          when: { $ref: '#/$defs/condition' },
          source: { type: 'string' },
          time_zone: {
            type: 'string',
            minLength: 1,
            description:
              "The IANA zone the regime counts its days in (SEC: America/New_York; a member state's authority: its capital's zone). Default: the config's timezone, else UTC.",
          },
          calendar: {
            type: 'string',
            pattern: '^[a-z][a-z0-9-]{0,63}$',
            description: 'The holiday calendar its business days skip (calendars/<id>.yaml), e.g. us-federal.',
          },
        },
      },
    },
    notices: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['template'],
        properties: {
          template: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,63}$' },
          when: { $ref: '#/$defs/condition' },
        },
      },
    },
  },
  $defs: { condition, step },
} as const;
