import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlaybookFile } from '../../src/playbook/load.js';
import { InvalidDocument } from '../../src/ui/errors.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const templates = new Set(['member-notice']);

/** Load a broken fixture and return its problems as `LINE:COL message`. */
function problemsOf(name: string): string[] {
  const file = join(fixtures, 'broken', name);
  try {
    loadPlaybookFile(file, { templates });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidDocument);
    const problems = (error as InvalidDocument).problems;
    for (const p of problems) expect(p.file).toBe(file);
    expect((error as InvalidDocument).exitCode).toBe(2);
    return problems.map((p) => `${p.line}:${p.col} ${p.message}`);
  }
  throw new Error(`${name} loaded without problems`);
}

describe('loading a valid playbook', () => {
  it('gives a typed playbook with defaults filled in and the file hash', () => {
    const playbook = loadPlaybookFile(join(fixtures, 'valid.yaml'), { templates });
    expect(playbook.id).toBe('valid');
    expect(playbook.phases[0]?.steps.map((s) => s.id)).toEqual([
      'vulnerability_confirmed',
      'discovered_at',
      'exposed_data',
      'payment_processor_told',
      'jurisdictions',
      'members_affected',
      'authority_notified_at',
    ]);
    expect(playbook.phases[0]?.steps[0]?.required).toBe(true);
    expect(playbook.phases[0]?.steps[6]?.required).toBe(false);
    expect(playbook.deadlines.map((d) => d.within)).toEqual(['PT72H', { business_days: 4 }]);
    expect(playbook.holidays).toEqual([]);
    expect(playbook.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.isFrozen(playbook.phases[0]?.steps[0])).toBe(true);
  });
});

describe('the broken-playbook corpus: every problem at its node, all at once', () => {
  const cases: [string, string[]][] = [
    ['yaml-syntax.yaml', ['11:1 Flow sequence in block collection must be sufficiently indented and end with a ]']],
    ['duplicate-key.yaml', ['13:9 duplicate key "kind" (first at line 11); keep one']],
    ['empty.yaml', ['1:1 the file is empty; expected a leakctl/playbook@1 or @2 document']],
    ['not-mapping.yaml', ['1:1 expected a leakctl/playbook@1 or @2 document (a mapping of key: value pairs), found a list']],
    [
      'schema-errors.yaml',
      [
        '2:5 "id" "Broken_Playbook" does not match ^[a-z][a-z0-9-]{0,63}$',
        '4:8 "cause" is "accident"; expected one of: platform, member, other',
        '10:9 missing required field "prompt"',
        '15:9 unknown field "requierd"',
      ],
    ],
    [
      'unknown-kind.yaml',
      ['11:15 unknown step kind "yesno"; expected one of: info, confirm, text, longtext, number, select, multi, datetime, checklist, attachment'],
    ],
    [
      'duplicate-ids.yaml',
      [
        '10:13 duplicate id "contain" (first used at line 7); ids must be unique across phases and steps',
        '19:13 duplicate id "b" (first used at line 13); ids must be unique across phases and steps',
      ],
    ],
    [
      'condition-later-step.yaml',
      [
        '13:23 condition names step "b", which comes later; a condition may only name earlier steps',
        '17:23 the condition of step "b" names the step itself; name an earlier step',
      ],
    ],
    ['condition-unknown-step.yaml', ['19:23 condition names unknown step "members"']],
    [
      'condition-values.yaml',
      [
        '25:42 step "exposed" does not offer "passwords"; its choices are: names, payment',
        '29:45 step "status" does not offer "paused"; its choices are: ongoing, fixed',
        '33:31 gt: needs a number step; step "status" is a select step',
        '37:15 the condition on "a" has 2 operators (equals, answered); use all: [...] to combine them',
      ],
    ],
    [
      'deadlines.yaml',
      [
        '19:11 "from" names unknown step "discovered"; expected a datetime step id or "opened"',
        '20:13 "within" "72 hours" is not an ISO 8601 duration; write e.g. PT72H (72 hours), P30D (30 days) or { business_days: 4 }',
        '21:13 "met_by" names step "authority_told", a confirm step; expected a datetime step id',
        '22:9 duplicate deadline id "gdpr" (first used at line 17)',
        '25:30 "business_days" must be >= 1',
      ],
    ],
    [
      'unknown-template.yaml',
      [
        '15:15 unknown template "regulator-letter"; templates in the search path: member-notice',
        '16:30 step "a" is a confirm step; compare it with true or false ("yes" is text in YAML 1.2)',
      ],
    ],
    [
      'kind-fields.yaml',
      [
        '13:9 "choices" does not apply to a confirm step (only to select, multi)',
        '15:9 missing required field "choices"',
        '21:18 "pattern" is not a regular expression leakctl can use: missing closing ]: `[a-z`; patterns use RE2 syntax (no backreferences or lookaround), which is matched in linear time',
        '25:14 "min" (10) is greater than "max" (1)',
      ],
    ],
    [
      'wrong-schema.yaml',
      [
        '1:1 missing required field "id"',
        '1:1 missing required field "title"',
        '1:1 missing required field "cause"',
        '1:1 missing required field "summary"',
        '1:1 missing required field "phases"',
        '1:9 "schema" is "leakctl/answers@1"; expected one of: leakctl/playbook@1, leakctl/playbook@2',
        '2:1 unknown field "answers"',
      ],
    ],
  ];

  it.each(cases)('%s', (name, expected) => {
    expect(problemsOf(name)).toEqual(expected);
  });

  it('checks the id against the file name when a playbook is loaded by id', () => {
    expect(() => loadPlaybookFile(join(fixtures, 'valid.yaml'), { templates, expectedId: 'other' })).toThrow(
      /valid\.yaml:2:5 id "valid" does not match the file name valid\.yaml; rename one of them/,
    );
  });

  it('names the file that does not exist', () => {
    expect(() => loadPlaybookFile(join(fixtures, 'missing.yaml'))).toThrow(/missing\.yaml: no such file/);
  });
});
