import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeEntry } from '../../src/evidence/chain.js';
import {
  ENTRY_TYPES,
  formatAt,
  hashOf,
  serialiseEntry,
  type EvidenceEntry,
} from '../../src/evidence/entry.js';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

// The SPEC's example entry, with the text the hash covers written out by hand.
const UNHASHED_TEXT =
  '{"seq":3,"at":"2026-03-02T09:14:07.120Z","type":"step.answered","actor":"dana",' +
  '"data":{"step":"exposed_data","value":["names","emails"],"source":"prompt"},"prev":null}';

describe('hashOf', () => {
  it('is the SHA-256 of the entry without hash, members in SPEC order, whatever order the object has', () => {
    const scrambled = {
      prev: null,
      data: { step: 'exposed_data', value: ['names', 'emails'], source: 'prompt' },
      actor: 'dana',
      type: 'step.answered' as const,
      at: '2026-03-02T09:14:07.120Z',
      seq: 3,
    };
    expect(hashOf(scrambled)).toBe(sha256(UNHASHED_TEXT));
  });

  it('hashes the UTF-8 bytes of non-ASCII text', () => {
    const u = { seq: 0, at: '2026-03-02T09:00:00.000Z', type: 'note.added' as const, actor: 'Zoë', data: { text: 'Daten geleakt 🔥' }, prev: null };
    const text = '{"seq":0,"at":"2026-03-02T09:00:00.000Z","type":"note.added","actor":"Zoë","data":{"text":"Daten geleakt 🔥"},"prev":null}';
    expect(hashOf(u)).toBe(createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'));
  });
});

describe('serialiseEntry', () => {
  it('writes the members in the order seq, at, type, actor, data, prev, hash with no spaces', () => {
    const e = {
      hash: 'a'.repeat(64),
      prev: 'b'.repeat(64),
      data: { note: 'x' },
      actor: 'dana',
      type: 'note.added',
      at: '2026-03-02T09:14:07.120Z',
      seq: 4,
    } as EvidenceEntry;
    expect(serialiseEntry(e)).toBe(
      `{"seq":4,"at":"2026-03-02T09:14:07.120Z","type":"note.added","actor":"dana","data":{"note":"x"},"prev":"${'b'.repeat(64)}","hash":"${'a'.repeat(64)}"}`,
    );
  });

  it('is the hashed text with the hash member added at the end', () => {
    const line = serialiseEntry({ ...JSON.parse(UNHASHED_TEXT), hash: sha256(UNHASHED_TEXT) } as EvidenceEntry);
    expect(line).toBe(UNHASHED_TEXT.slice(0, -1) + `,"hash":"${sha256(UNHASHED_TEXT)}"}`);
  });
});

describe('formatAt', () => {
  it('gives RFC 3339 UTC with milliseconds', () => {
    expect(formatAt(new Date('2026-03-02T10:14:07.12+01:00'))).toBe('2026-03-02T09:14:07.120Z');
  });

  it('refuses an invalid date', () => {
    expect(() => formatAt(new Date('not a date'))).toThrow(RangeError);
  });
});

describe('decodeEntry (a line the hash vouches for, decoded)', () => {
  const good = UNHASHED_TEXT.slice(0, -1) + `,"hash":"${sha256(UNHASHED_TEXT)}"}`;

  it('reads a well-formed line', () => {
    expect((decodeEntry(good, 4) as { seq: number }).seq).toBe(3);
  });

  it('says a line is not JSON, naming the line', () => {
    expect(decodeEntry('{"seq":3,"at":"2026', 4)).toMatch(/^line 4: not valid JSON/);
  });

  it('names members that are out of order', () => {
    const swapped = good.replace('"seq":3,"at":"2026-03-02T09:14:07.120Z"', '"at":"2026-03-02T09:14:07.120Z","seq":3');
    expect(decodeEntry(swapped, 4)).toMatch(/^line 4: has members at, seq, type.*expected exactly seq, at, type/);
  });

  it('refuses an unknown type, a bad time and a malformed hash', () => {
    expect(decodeEntry(good.replace('step.answered', 'step.invented'), 4)).toMatch(/type "step.invented"/);
    expect(decodeEntry(good.replace('2026-03-02T09:14:07.120Z', '2026-13-02T09:14:07.120Z'), 4)).toMatch(/not an RFC 3339/);
    expect(decodeEntry(good.replace(/"hash":"[0-9a-f]{64}"/, '"hash":"XYZ"'), 4)).toMatch(/hash is not/);
  });

  it('knows every entry type the SPEC lists, the board\'s deferral and decline (issue 10), a withdrawn draft (issue 14), owners and the lead (issue 17)', () => {
    expect(ENTRY_TYPES).toHaveLength(19);
    expect(ENTRY_TYPES).toContain('responder.joined');
    expect(ENTRY_TYPES).toContain('step.assigned');
    expect(ENTRY_TYPES).toContain('lead.handed');
    expect(ENTRY_TYPES).toContain('checkpoint.sealed');
    expect(ENTRY_TYPES).toContain('notice.withdrawn');
    expect(ENTRY_TYPES).toContain('incident.closed');
    expect(ENTRY_TYPES).toContain('step.deferred');
    expect(ENTRY_TYPES).toContain('step.declined');
  });
});
