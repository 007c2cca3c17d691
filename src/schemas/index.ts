/** The JSON Schemas by document kind, as `leakctl schema KIND` prints them. */
import { answersSchema } from './answers.js';
import { calendarSchema } from './calendar.js';
import { configSchema } from './config.js';
import { playbookSchema } from './playbook.js';
import { regimeSchema } from './regime.js';
import { templateSchema } from './template.js';

export const SCHEMAS = {
  playbook: playbookSchema,
  answers: answersSchema,
  config: configSchema,
  template: templateSchema,
  calendar: calendarSchema,
  regime: regimeSchema,
} as const;

export type SchemaName = keyof typeof SCHEMAS;
