/**
 * JSON Schema of `leakctl/regime@1` (issue 14): one legal regime of a regime pack — who must be
 * told, by when and from what, above which counts, what a notice must and must not say, the
 * citation and how far each fact was checked. Playbooks refer to regimes; `leakctl regimes` lists
 * them. The facts come from a reviewed reference table; a clock whose facts were not checked
 * carries `confidence: unconfirmed` and is shown with a warning wherever it runs.
 */
import { DURATION_PATTERN, LIMITS } from './limits.js';

const text = { type: 'string', minLength: 1, maxLength: LIMITS.titleChars };
const prose = { type: 'string', minLength: 1, maxLength: LIMITS.proseChars };
const proseList = { type: 'array', maxItems: 100, items: prose };
const confidence = {
  enum: ['confirmed', 'partial', 'unconfirmed'],
  description: 'confirmed: checked against the legal text or an official page; partial: the deadline and trigger were, the facts under `unconfirmed` were not; unconfirmed: the deadline or trigger itself was not checked.',
};

export const REGIME_CONFIDENCE = ['confirmed', 'partial', 'unconfirmed'] as const;
export const CLOCK_FROM = ['aware', 'told', 'other'] as const;
export const CLOCK_NOTIFY = ['authority', 'residents', 'none'] as const;

const clock = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'notify', 'within', 'from'],
  properties: {
    id: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'Unique within the regime; a playbook names it as `clock:`.' },
    title: text,
    notify: { enum: CLOCK_NOTIFY, description: 'Who the clock is for: an authority, the people the data is about (residents), or nobody (an internal step the law times).' },
    authority: { ...text, description: 'The authority told, in the words its own form uses.' },
    within: {
      type: ['string', 'object'],
      description: `An ISO 8601 duration (PT72H, P30D) or { business_days: N }.`,
      pattern: DURATION_PATTERN,
      additionalProperties: false,
      required: ['business_days'],
      properties: { business_days: { type: 'integer', minimum: 1, maximum: LIMITS.businessDays } },
    },
    from: {
      enum: CLOCK_FROM,
      description: "What starts it: aware (awareness, discovery or determination of the breach: the playbook's awareness step), told (the people were notified), other (see `start`; a playbook places such a clock itself).",
    },
    start: { ...text, description: 'With from: other, what starts it, in words.' },
    threshold: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      description: 'The count of the place\'s residents above which the clock runs (gt: more than N; gte: N or more).',
      properties: { gt: { type: 'integer', minimum: 0, maximum: LIMITS.number }, gte: { type: 'integer', minimum: 1, maximum: LIMITS.number } },
    },
    time_zone: { type: 'string', minLength: 1, description: 'The IANA zone its days are counted in.' },
    calendar: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,63}$', description: 'The holiday calendar its business days skip.' },
    confidence: { ...confidence, description: "This clock's own confidence where it is lower than the regime's." },
    caution: { ...prose, description: 'What to check before relying on it, shown wherever the clock runs.' },
    note: prose,
  },
} as const;

export const regimeSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://leakctl.dev/schema/regime@1.json',
  title: 'leakctl legal regime',
  type: 'object',
  additionalProperties: false,
  required: ['schema', 'id', 'name', 'jurisdiction', 'confidence', 'reviewed', 'citation', 'trigger', 'clocks', 'sources'],
  properties: {
    $schema: { type: 'string' },
    schema: { const: 'leakctl/regime@1' },
    id: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'The id playbooks name it by; the same as the file name.' },
    name: text,
    jurisdiction: { ...text, description: 'EU/EEA, UK, US-CA (ISO 3166-2), US (federal), …' },
    place: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'label', 'name', 'people'],
      description: "A place the question 'where do the affected people live' offers for this regime; choosing it starts the regime's clocks.",
      properties: {
        id: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
        label: { ...text, description: 'As the question offers it ("United States: Texas").' },
        name: { ...text, description: 'As a sentence names it ("Texas").' },
        people: { ...text, description: 'Its residents, as a count question names them ("Texas residents").' },
      },
    },
    status: { enum: ['in_force', 'not_yet_in_force', 'proposed'], description: 'proposed is not law: it starts no clock.' },
    effective: text,
    published: text,
    confidence,
    reviewed: { type: 'string', format: 'date', description: 'When the facts were last checked (yyyy-MM-dd).' },
    citation: prose,
    trigger: prose,
    what_counts: prose,
    threshold: prose,
    clock_start: prose,
    timing: prose,
    applies_to: prose,
    clocks: { type: 'array', maxItems: 20, items: clock },
    stages: proseList,
    notify: proseList,
    content: {
      type: 'object',
      additionalProperties: false,
      properties: {
        must: { ...proseList, description: 'What a notice to the people must say.' },
        must_not: { ...proseList, description: 'What a notice to the people must not say.' },
        people: proseList,
        authority: { ...proseList, description: 'What the notice to the authority must say.' },
        format: proseList,
      },
    },
    offers: {
      type: 'object',
      additionalProperties: false,
      properties: {
        identity_protection_months: { type: 'integer', minimum: 1, maximum: 120, description: 'The shortest identity-protection offer the law asks for, in months.' },
        when: { ...prose, description: 'When the offer is owed.' },
        identity_protection: prose,
      },
    },
    variant: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,63}$', description: "A notice template of the place's own, rendered beside the general member notice when the place is chosen: its residents are sent this one instead (its front matter's audience says so)." },
    delay_grounds: proseList,
    exemptions: proseList,
    methods: proseList,
    substitute_notice: proseList,
    proposed_changes: proseList,
    other_duties: proseList,
    credentials: proseList,
    record_keeping: prose,
    notes: proseList,
    sources: proseList,
    unconfirmed: proseList,
  },
} as const;
