/** JSON Schema of `leakctl/config@1` (SPEC section 6): `leakctl.config.yaml`. */
import { LIMITS } from './limits.js';

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
        name: { type: 'string', minLength: 1, maxLength: LIMITS.titleChars },
        community: { type: 'string', minLength: 1, maxLength: LIMITS.titleChars },
        contact_email: { type: 'string', format: 'email' },
        dpo_contact: { type: 'string', minLength: 1, maxLength: LIMITS.titleChars },
        website: { type: 'string', format: 'uri' },
        platform: { type: 'string', minLength: 1, maxLength: LIMITS.titleChars },
        signatory: {
          type: 'object',
          description: 'Who signs the notices: name, role, contact. Without it, notices are signed with the responder who opened the incident.',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: LIMITS.titleChars },
            role: { type: 'string', minLength: 1, maxLength: LIMITS.titleChars },
            contact: { type: 'string', minLength: 1, maxLength: LIMITS.titleChars },
          },
        },
      },
    },
    responder: { type: 'string', minLength: 1, maxLength: LIMITS.titleChars, description: 'Default responder name.' },
    timezone: {
      type: 'string',
      minLength: 1,
      description:
        "The organisation's IANA time zone, e.g. Europe/Berlin: times are shown in it (else in the system's zone), and deadlines without a zone of their own count their days in it (else in UTC).",
    },
    playbooks: {
      type: 'array',
      description: 'Extra playbook directories (relative to this file), searched before the bundled ones.',
      items: { type: 'string', minLength: 1, maxLength: LIMITS.pathChars },
    },
    templates: {
      type: 'array',
      description: 'Extra template directories (relative to this file), searched before the bundled ones.',
      items: { type: 'string', minLength: 1, maxLength: LIMITS.pathChars },
    },
    calendars: {
      type: 'array',
      description: 'Extra holiday calendar directories (relative to this file), searched before the bundled ones.',
      items: { type: 'string', minLength: 1, maxLength: LIMITS.pathChars },
    },
    regimes: {
      type: 'array',
      description: 'Extra regime directories (relative to this file), searched before the bundled regime pack: a regime file here replaces the bundled one of the same id.',
      items: { type: 'string', minLength: 1, maxLength: LIMITS.pathChars },
    },
    signing_key: {
      type: 'string',
      minLength: 1,
      maxLength: LIMITS.pathChars,
      description: 'The SSH key `leakctl seal` signs checkpoints with (relative to this file): a private key file, or a public key file whose private key is in ssh-agent.',
    },
    allowed_signers: {
      type: 'string',
      minLength: 1,
      maxLength: LIMITS.pathChars,
      description: "The organisation's allowed_signers file (relative to this file; ssh-keygen(1) format): who may seal, with which key. `leakctl verify` checks each checkpoint's signature against it.",
    },
    tsa_url: {
      type: 'string',
      minLength: 1,
      maxLength: LIMITS.pathChars,
      pattern: '^https?://',
      description: 'An RFC 3161 timestamp authority (http:// or https:// URL): each checkpoint `leakctl seal` writes also gets a timestamp token from it, stored beside it. Without one, or without a network, the seal is made without a timestamp and says so.',
    },
    tsa_ca: {
      type: 'string',
      minLength: 1,
      maxLength: LIMITS.pathChars,
      description: "The timestamp authority's CA certificate (PEM, relative to this file): what `leakctl verify` and `openssl ts -verify` check its tokens against.",
    },
    seal_at_session_end: {
      type: 'boolean',
      description: 'Seal the log (as `leakctl seal` does) at the end of each session of `start` or `resume` (completed or paused), when a signing key is configured. Drills are not sealed.',
    },
    holidays: {
      type: 'array',
      maxItems: LIMITS.holidays,
      description: "The organisation's own closing days (yyyy-MM-dd), skipped by every business-day deadline besides weekends and its calendar.",
      items: { type: 'string', format: 'date' },
    },
  },
} as const;
