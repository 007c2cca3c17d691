/**
 * JSON Schema of `leakctl/playbook@1` (SPEC section 2). The structural rules live here, so that
 * editors can use the same schema through `leakctl schema playbook`; rules that need the whole
 * document (ids unique, conditions naming earlier steps, …) are in src/playbook/checks.ts.
 */
import { DURATION_PATTERN, LIMITS } from './limits.js';

/** The step kinds a playbook may use; src/playbook/types.ts types steps by them. */
export const STEP_KINDS = ['info', 'confirm', 'text', 'longtext', 'number', 'select', 'multi', 'datetime', 'checklist', 'attachment'] as const;

/**
 * The facts of a breach register's entry (GDPR Art. 33(3) and 33(5)), each answered by one or more
 * steps that a playbook@2 names in its `record:` block: the report's summary, its Art. 33(3)
 * table and `leakctl register` read them there, not by step ids written into leakctl (issue 15).
 */
export const RECORD_FIELDS = {
  discovered: 'when the organisation became aware (a datetime step)',
  contained: 'when the leak was contained (a datetime step)',
  nature: 'what happened: the nature of the breach (Art. 33(3)(a))',
  categories: 'the categories of personal data concerned (Art. 33(3)(a))',
  people: 'the approximate number of people concerned (Art. 33(3)(a))',
  records: 'the approximate number of records concerned (Art. 33(3)(a))',
  contact_point: 'the contact point where more can be learned (Art. 33(3)(b))',
  consequences: 'the likely consequences (Art. 33(3)(c))',
  measures: 'the measures taken or proposed (Art. 33(3)(d))',
  risk: 'the assessment of the risk to the people concerned',
  authority_told: 'when the supervisory authority was told (datetime steps)',
  people_told: 'when the people concerned were told (datetime steps)',
  reasons: 'the reasons where the authority or the people were not told (or were told late)',
  status: 'where the leak stands (still exposed, contained, …)',
} as const;
export type RecordField = keyof typeof RECORD_FIELDS;

/** Who or what caused the leak, which picks the playbook. */
export const CAUSES = ['platform', 'member', 'other'] as const;

const phaseOrStepId = {
  type: 'string',
  pattern: '^[a-z][a-z0-9_]{0,63}$',
  description: 'Lowercase letters, digits and _, starting with a letter; unique across the playbook.',
};

const text = { type: 'string', minLength: 1, maxLength: LIMITS.titleChars };
const prose = { type: 'string', minLength: 1, maxLength: LIMITS.proseChars };
const number = { type: 'number', minimum: -LIMITS.number, maximum: LIMITS.number };

const condition = {
  type: 'object',
  description:
    'A condition: { step, <operator> } with one of equals, includes, includes_prefix, in, gt, gte, lt, lte, answered; or { all: [...] }, { any: [...] }, { not: {...} }.',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    step: phaseOrStepId,
    equals: { description: 'The answer equals this value.' },
    includes: { description: 'The answer (an array) includes this value.' },
    includes_prefix: { type: 'string', minLength: 1, maxLength: 64, description: 'The answer (an array) includes a value starting with this (us_: any US state of the regime pack).' },
    in: { type: 'array', minItems: 1, maxItems: LIMITS.conditionItems, description: 'The answer is one of these values.' },
    gt: number,
    gte: number,
    lt: number,
    lte: number,
    answered: { type: 'boolean' },
    all: { type: 'array', minItems: 1, maxItems: LIMITS.conditionItems, items: { $ref: '#/$defs/condition' } },
    any: { type: 'array', minItems: 1, maxItems: LIMITS.conditionItems, items: { $ref: '#/$defs/condition' } },
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
    prompt: prose,
    help: { type: 'string', maxLength: LIMITS.proseChars },
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
      maxItems: LIMITS.choices,
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
      maxItems: LIMITS.choices,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'label'],
        properties: { id: phaseOrStepId, label: text },
      },
    },
    min_length: { type: 'integer', minimum: 0, maximum: LIMITS.longtextAnswerChars },
    max_length: { type: 'integer', minimum: 1, maximum: LIMITS.longtextAnswerChars },
    pattern: {
      type: 'string',
      minLength: 1,
      maxLength: LIMITS.patternChars,
      description: 'A regular expression the answer must match, in RE2 syntax (matched in linear time; no backreferences or lookaround).',
    },
    min: number,
    max: number,
    integer: { type: 'boolean' },
    min_items: { type: 'integer', minimum: 0, maximum: LIMITS.choices },
    needs: {
      type: 'array',
      minItems: 1,
      maxItems: LIMITS.conditionItems,
      uniqueItems: true,
      items: phaseOrStepId,
      description: 'playbook@2: the steps that must be answered before this one is offered.',
    },
    default: { description: 'playbook@2: the answer offered first at the prompt (never on a datetime step).' },
    duty: {
      type: 'boolean',
      description: 'playbook@2, datetime steps: records when a duty was done ("When did you notify…"); it starts as Not yet and never asks for a time first.',
    },
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

const phase = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'steps'],
  properties: {
    id: phaseOrStepId,
    title: text,
    help: { type: 'string', maxLength: LIMITS.proseChars },
    steps: { type: 'array', minItems: 1, maxItems: LIMITS.stepsPerPhase, items: { $ref: '#/$defs/step' } },
  },
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
    schema: { enum: ['leakctl/playbook@1', 'leakctl/playbook@2'] },
    id: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,63}$' },
    title: text,
    cause: { enum: [...CAUSES] },
    summary: prose,
    version: { type: ['string', 'number'] },
    triage: {
      type: 'object',
      description:
        'How this kind of leak differs from the others, shown side by side when `leakctl start` asks which playbook fits: what caused it, how far it reaches, where members put the blame, and who controls the fix.',
      additionalProperties: false,
      required: ['cause', 'scope', 'blame', 'control'],
      properties: {
        cause: text,
        scope: text,
        blame: text,
        control: text,
      },
    },
    holidays: {
      type: 'array',
      maxItems: LIMITS.holidays,
      description: 'Dates (yyyy-MM-dd) that business-day deadlines skip, besides weekends.',
      items: { type: 'string', format: 'date' },
    },
    phases: {
      type: 'array',
      minItems: 1,
      maxItems: LIMITS.phases,
      items: phase,
    },
    modules: {
      type: 'array',
      maxItems: LIMITS.phases,
      description:
        'playbook@2: extra phases that join an incident when an answer calls for them (payment data: the card networks), each joining logged. They come right after the phase of the first step their condition names.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'when', 'phases'],
        properties: {
          id: phaseOrStepId,
          title: text,
          when: { $ref: '#/$defs/condition' },
          phases: { type: 'array', minItems: 1, maxItems: LIMITS.phases, items: phase },
        },
      },
    },
    regimes: {
      type: 'object',
      additionalProperties: false,
      required: ['places', 'aware', 'told', 'phase'],
      description:
        "playbook@2: the regime pack's places and clocks. Each place the pack names is offered at the `places` step, with a count of its residents asked after it; each of its clocks runs from `aware` (or `told`, once the people were told) while the place is chosen and its count is over the threshold (or not yet known); a clock for an authority gets a duty step in `phase`.",
      properties: {
        places: { ...phaseOrStepId, description: 'The multi step that asks where the affected people live.' },
        aware: { ...phaseOrStepId, description: 'The datetime step of awareness (discovery, determination).' },
        told: { ...phaseOrStepId, description: 'The duty step that records when the people were told.' },
        phase: { ...phaseOrStepId, description: 'The phase that the duty steps of the authorities join, at its end.' },
        when: {
          type: 'object',
          description: "By country code (the part of a regime's jurisdiction before '-': US for US-TX): the condition that country's places run their clocks under too (e.g. US: not ruled out by the covered-data question).",
          propertyNames: { pattern: '^[A-Z]{2}$' },
          maxProperties: 300,
          additionalProperties: { $ref: '#/$defs/condition' },
        },
      },
    },
    deadlines: {
      type: 'array',
      maxItems: LIMITS.deadlines,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'from', 'met_by'],
        anyOf: [{ required: ['within'] }, { required: ['regime', 'clock'] }],
        properties: {
          id: phaseOrStepId,
          regime: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'playbook@2: the regime (regimes/<id>.yaml) whose clock this is; its period, zone, calendar and citation apply unless given here.' },
          clock: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$', description: "playbook@2: the regime's clock, by id." },
          title: text,
          from: {
            type: 'string',
            description: 'A datetime step id, or `opened` for the incident opening.',
          },
          within: {
            type: ['string', 'object'],
            description: `An ISO 8601 duration (PT72H, P30D; at most ${LIMITS.withinDays} days) or { business_days: N } (at most ${LIMITS.businessDays}).`,
            pattern: DURATION_PATTERN,
            additionalProperties: false,
            required: ['business_days'],
            properties: { business_days: { type: 'integer', minimum: 1, maximum: LIMITS.businessDays } },
          },
          met_by: { type: 'string', description: 'The datetime step whose answer fulfils it.' },
          when: { $ref: '#/$defs/condition' },
          source: { type: 'string', maxLength: LIMITS.proseChars },
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
    record: {
      type: 'object',
      additionalProperties: false,
      description:
        "playbook@2: the steps whose answers make the incident's entry in the breach register and the report's summary and Art. 33(3) table. Each field names a step, or a list of steps read in order.",
      properties: Object.fromEntries(
        Object.entries(RECORD_FIELDS).map(([field, what]) => [
          field,
          { description: `The step(s) answering ${what}.`, oneOf: [phaseOrStepId, { type: 'array', minItems: 1, maxItems: 8, items: phaseOrStepId }] },
        ]),
      ),
    },
    notices: {
      type: 'array',
      maxItems: LIMITS.notices,
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
