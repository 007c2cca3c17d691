import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAnswer } from '../../src/run/check-answer.js';
import type { Checked } from '../../src/run/check-answer.js';
import type { Step } from '../../src/playbook/types.js';

const NOW = new Date('2026-03-02T09:14:07.120Z');
const base = mkdtempSync(join(tmpdir(), 'leakctl-answer-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const context = { now: NOW, baseDir: base };

function step(kind: Step['kind'], extra: Partial<Step> = {}): Step {
  return { id: `a_${kind}`, kind, prompt: `A ${kind} question?`, required: true, ...extra };
}

/** The value recorded for an accepted answer (fails the test with the message if it was refused). */
function accepted(s: Step, raw: unknown): unknown {
  const checked = checkAnswer(s, raw, context);
  if (!checked.ok) throw new Error(`refused ${JSON.stringify(raw)}: ${checked.message}`);
  return checked.value;
}

/** The message a responder sees for a refused answer. */
function refused(s: Step, raw: unknown): string {
  const checked: Checked = checkAnswer(s, raw, context);
  if (checked.ok) throw new Error(`accepted ${JSON.stringify(raw)} as ${JSON.stringify(checked.value)}`);
  return checked.message;
}

describe('info and confirm', () => {
  it('acknowledges an info step', () => {
    expect(accepted(step('info'), true)).toBe(true);
    expect(refused(step('info'), 'later')).toBe('an info step is acknowledged with true');
  });

  it('takes yes or no for a confirm step, nothing else', () => {
    expect(accepted(step('confirm'), true)).toBe(true);
    expect(accepted(step('confirm'), false)).toBe(false);
    expect(refused(step('confirm'), 'yes')).toBe('expected yes or no (true or false)');
  });
});

describe('datetime', () => {
  const datetime = step('datetime');

  it('turns `now` into the reading of the run\'s clock', () => {
    expect(accepted(datetime, 'now')).toBe('2026-03-02T09:14:07.120Z');
    expect(accepted(datetime, ' NOW ')).toBe('2026-03-02T09:14:07.120Z');
  });

  it('keeps an RFC 3339 timestamp with an offset as given', () => {
    expect(accepted(datetime, '2026-03-02T08:30:00Z')).toBe('2026-03-02T08:30:00Z');
    expect(accepted(datetime, '2026-03-02T09:30:00+01:00')).toBe('2026-03-02T09:30:00+01:00');
  });

  it('refuses words and dates that do not exist, saying what to write', () => {
    for (const text of ['yesterday', 'last tuesday', '2026-13-45T99:00:00Z', '2026-02-31 10:00']) {
      const message = refused(datetime, text);
      expect(message, text).toMatch(/is not a (time leakctl can read|real date and time)/);
    }
    expect(refused(datetime, 'last tuesday')).toContain('write e.g. 2026-03-02T08:30:00Z, 2026-03-02 09:30 (in UTC), yesterday 21:40, -2h or now');
  });

  it('reads a time without an offset in the zone given, and records it with that offset', () => {
    expect(checkAnswer(datetime, '2026-03-02 09:30', { ...context, zone: 'Europe/Berlin' })).toEqual({ ok: true, value: '2026-03-02T09:30:00+01:00' });
    expect(checkAnswer(datetime, '2026-03-01T21:40', { ...context, zone: 'America/New_York' })).toEqual({ ok: true, value: '2026-03-01T21:40:00-05:00' });
    expect(accepted(datetime, '2026-03-02 08:30')).toBe('2026-03-02T08:30:00Z');
    // Relative to the run's clock (09:14:07.120 UTC), and yesterday in the zone.
    expect(accepted(datetime, '-2h')).toBe('2026-03-02T07:14:07.120Z');
    expect(checkAnswer(datetime, 'yesterday 21:40', { ...context, zone: 'Europe/Berlin' })).toEqual({ ok: true, value: '2026-03-01T21:40:00+01:00' });
    expect(checkAnswer(datetime, '08:00', { ...context, zone: 'Europe/Berlin' })).toEqual({ ok: true, value: '2026-03-02T08:00:00+01:00' });
  });

  it('refuses a time later than the run\'s clock, showing the clock; the current minute is still now', () => {
    expect(refused(datetime, '2026-03-02T10:00:00Z')).toBe(
      '2026-03-02T10:00:00Z is later than now (the clock reads 2026-03-02T09:14:07.120Z); a time that has not come yet cannot be recorded as done',
    );
    expect(accepted(datetime, '2026-03-02T09:15:00Z')).toBe('2026-03-02T09:15:00Z');
    expect(refused(datetime, 'today 23:00')).toMatch(/is later than now/);
  });

  it('refuses a duty done before its clock started, naming both steps', () => {
    const notBefore = { step: 'discovered_at', at: new Date('2026-03-02T08:30:00Z'), incident: 'leak-1' };
    const checked = checkAnswer(datetime, '2026-03-01T12:00:00Z', { ...context, notBefore });
    expect(checked).toEqual({
      ok: false,
      message: '"2026-03-01T12:00:00Z" is before discovered_at (2026-03-02T08:30:00Z), when this duty\'s clock started; a duty is not done before it is due. Check both times (`leakctl amend leak-1 discovered_at` corrects discovered_at)',
    });
    // In the responder's zone, with its offset.
    expect(checkAnswer(datetime, '2026-03-01 12:00', { ...context, zone: 'Europe/Berlin', notBefore })).toMatchObject({ message: expect.stringContaining('before discovered_at (2026-03-02T09:30:00+01:00)') });
    expect(checkAnswer(datetime, '2026-03-02T08:30:00Z', { ...context, notBefore })).toEqual({ ok: true, value: '2026-03-02T08:30:00Z' });
  });

  it('refuses a value that is not text', () => {
    expect(refused(datetime, 1772440200)).toBe('expected a time such as 2026-03-02T08:30:00Z, 2026-03-02 09:30, yesterday 21:40, -2h or now');
  });
});

describe('text and longtext', () => {
  it('trims a one-line answer', () => {
    expect(accepted(step('text'), '  SEC-20931  ')).toBe('SEC-20931');
  });

  it('takes a number written in YAML as its text', () => {
    expect(accepted(step('text'), 12345)).toBe('12345');
  });

  it('refuses a newline in a one-line answer', () => {
    expect(refused(step('text'), 'first line\nsecond line')).toBe('expected a single line of text');
  });

  it('keeps the lines of a longtext answer', () => {
    expect(accepted(step('longtext'), 'first paragraph\nsecond paragraph\n\n')).toBe('first paragraph\nsecond paragraph');
  });

  it('refuses an empty answer to a required step, but not to an optional one', () => {
    expect(refused(step('text'), '   ')).toBe('an answer is required');
    expect(accepted(step('text', { required: false }), '')).toBe('');
  });

  it('holds the answer to its length and pattern', () => {
    const ref = step('text', { min_length: 3, max_length: 8, pattern: '^[A-Z]+-\\d+$' });
    expect(refused(ref, 'A1')).toBe('expected at least 3 characters, got 2');
    expect(refused(ref, 'SEC-209310')).toBe('expected at most 8 characters, got 10');
    expect(refused(ref, 'sec-2093')).toBe('does not match the pattern ^[A-Z]+-\\d+$');
    expect(accepted(ref, 'SEC-2093')).toBe('SEC-2093');
  });
});

describe('number', () => {
  const count = step('number', { integer: true, min: 0, max: 5000 });

  it('takes a number, or the text of one as typed', () => {
    expect(accepted(count, 1240)).toBe(1240);
    expect(accepted(count, ' 42 ')).toBe(42);
  });

  it('refuses what is not a number', () => {
    expect(refused(count, 'many')).toBe('expected a number; got "many"');
    expect(refused(count, '')).toBe('expected a number; got ""');
  });

  it('refuses a fraction when whole numbers are asked for', () => {
    expect(refused(count, 2.5)).toBe('expected a whole number; got 2.5');
    expect(accepted(step('number'), 2.5)).toBe(2.5);
  });

  it('holds the answer between min and max', () => {
    expect(refused(count, -1)).toBe('expected at least 0; got -1');
    expect(refused(count, 5001)).toBe('expected at most 5000; got 5001');
    expect(accepted(count, 0)).toBe(0);
    expect(accepted(count, 5000)).toBe(5000);
  });
});

describe('select and multi', () => {
  const choices = [
    { value: 'names', label: 'Member names' },
    { value: 'emails', label: 'Email addresses' },
    { value: 'payment', label: 'Payment information' },
  ];

  it('takes one offered value for a select step and lists the offered ones otherwise', () => {
    const select = step('select', { choices });
    expect(accepted(select, 'emails')).toBe('emails');
    expect(refused(select, 'Email addresses')).toBe('expected one of: names, emails, payment; got "Email addresses"');
  });

  it('takes a list of offered values for a multi step, or one value alone', () => {
    const multi = step('multi', { choices });
    expect(accepted(multi, ['names', 'payment'])).toEqual(['names', 'payment']);
    expect(accepted(multi, 'emails')).toEqual(['emails']);
  });

  it('names the values that were not offered', () => {
    const multi = step('multi', { choices });
    expect(refused(multi, ['names', 'passwords', 'phones'])).toBe('"passwords", "phones" not offered; choose from: names, emails, payment');
  });

  it('refuses a value listed twice', () => {
    expect(refused(step('multi', { choices }), ['names', 'names'])).toBe('a choice is listed twice');
  });

  it('asks for at least min_items, and for one when the step is required', () => {
    expect(refused(step('multi', { choices, min_items: 2 }), ['names'])).toBe('choose at least 2');
    expect(refused(step('multi', { choices }), [])).toBe('choose at least 1');
    expect(accepted(step('multi', { choices, required: false }), [])).toEqual([]);
  });
});

describe('checklist', () => {
  const items = [
    { id: 'attorney_general', label: 'Attorney General' },
    { id: 'state_police', label: 'State Police' },
    { id: 'dfs', label: 'Department of Financial Services' },
  ];
  const checklist = step('checklist', { items });

  it('takes a state for every item', () => {
    expect(accepted(checklist, { attorney_general: 'done', state_police: 'skipped', dfs: 'n/a' })).toEqual({
      attorney_general: 'done',
      state_police: 'skipped',
      dfs: 'n/a',
    });
  });

  it('reads a list as the items that are done, the others skipped', () => {
    expect(accepted(checklist, ['dfs', 'attorney_general'])).toEqual({ attorney_general: 'done', state_police: 'skipped', dfs: 'done' });
  });

  it('names the items that have no state', () => {
    expect(refused(checklist, { attorney_general: 'done' })).toBe('no state for item(s): state_police, dfs (use done, skipped or n/a)');
  });

  it('names unknown items and wrong states', () => {
    expect(refused(checklist, ['fbi'])).toBe('unknown item(s): fbi; items are: attorney_general, state_police, dfs');
    expect(refused(checklist, { attorney_general: 'maybe', state_police: 'done', dfs: 'done' })).toBe(
      'item(s) attorney_general: the state must be done, skipped or n/a',
    );
  });

  it('refuses a value that is neither a list nor a mapping', () => {
    expect(refused(checklist, 'all done')).toBe('expected { item: done | skipped | n/a } for items: attorney_general, state_police, dfs');
  });
});

describe('attachment', () => {
  const attachment = step('attachment');
  const evidence = join(base, 'access-log.txt');
  writeFileSync(evidence, 'GET /export 200\n');
  mkdirSync(join(base, 'captures'));
  symlinkSync(evidence, join(base, 'latest.txt'));

  it('takes existing files, relative to the base directory or absolute', () => {
    expect(accepted(attachment, ['access-log.txt'])).toEqual([evidence]);
    expect(accepted(attachment, evidence)).toEqual([evidence]);
  });

  it('refuses a missing file, naming it', () => {
    expect(refused(attachment, ['access-log.txt', 'gone.txt'])).toBe('file not found: gone.txt');
  });

  it('refuses a directory', () => {
    expect(refused(attachment, ['captures'])).toBe('captures is a directory; attach the files in it one by one (or an archive of it)');
  });

  it('refuses a symbolic link, even to a file', () => {
    expect(refused(attachment, ['latest.txt'])).toBe('latest.txt is a symbolic link; attach the file it points to instead');
  });

  it('refuses an empty list', () => {
    expect(refused(attachment, [])).toBe('expected one or more file paths');
  });
});
