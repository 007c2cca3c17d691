import { closeSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHAIN_START, openChainFile, scanChain } from '../../src/evidence/chain.js';
import { hashOf, serialiseEntry, type EntryType, type EvidenceEntry } from '../../src/evidence/entry.js';
import { answerValues, Replay, replay } from '../../src/evidence/state.js';

/** Entries as a log would hold them; the hashes are placeholders (replay does not check them: verify does). */
function entries(...list: [EntryType, Record<string, unknown>, string?][]): EvidenceEntry[] {
  return list.map(([type, data, actor], seq) => ({
    seq,
    at: new Date(Date.UTC(2026, 2, 2, 9, seq)).toISOString(),
    type,
    actor: actor ?? 'dana',
    data,
    prev: seq === 0 ? null : `h${seq - 1}`,
    hash: `h${seq}`,
  }));
}

const opened: [EntryType, Record<string, unknown>] = [
  'incident.opened',
  { playbook: { id: 'platform-leak', title: 'Platform-caused leak', sha256: 'ab' }, drill: true, responder: 'dana' },
];

describe('replaying a log into the incident state', () => {
  it('knows the playbook, the drill flag and who opened it', async () => {
    const state = await replay('inc', entries(opened));
    expect(state.opened).toMatchObject({ playbook: { id: 'platform-leak' }, drill: true, responder: 'dana' });
    expect(state.opened?.at.toISOString()).toBe('2026-03-02T09:00:00.000Z');
  });

  it('takes the latest answer to a step; the earlier one is still in the log', async () => {
    const log = entries(
      opened,
      ['step.answered', { step: 'members_affected', value: 40, source: 'answers' }],
      ['step.answered', { step: 'members_affected', value: 55, source: 'prompt' }, 'sam'],
    );
    const state = await replay('inc', log);
    expect(state.answers.get('members_affected')).toMatchObject({ value: 55, actor: 'sam', source: 'prompt', seq: 2 });
    expect(new Map(answerValues(state))).toEqual(new Map([['members_affected', 55]]));
  });

  it('keeps a skip with its reason, and an answer after it replaces the skip', async () => {
    const skippedOnly = await replay('inc', entries(opened, ['step.skipped', { step: 'remarks', reason: 'skipped by the responder' }]));
    expect(skippedOnly.skipped.get('remarks')).toBe('skipped by the responder');
    expect(skippedOnly.answers.has('remarks')).toBe(false);

    const answeredLater = await replay(
      'inc',
      entries(opened, ['step.skipped', { step: 'remarks', reason: 'skipped by the responder' }], ['step.answered', { step: 'remarks', value: 'late', source: 'prompt' }]),
    );
    expect(answeredLater.skipped.has('remarks')).toBe(false);
    expect(answeredLater.answers.get('remarks')?.value).toBe('late');
  });

  it('keeps a deferral and a decline with who, when and why; the latest word on a step wins', async () => {
    const state = await replay(
      'inc',
      entries(
        opened,
        ['step.deferred', { step: 'authority_notified_at', reason: 'not told yet', until: '2026-03-03T09:00:00.000Z' }],
        ['step.declined', { step: 'press_statement', reason: 'no press interest' }, 'sam'],
        ['step.deferred', { step: 'remarks' }],
        ['step.answered', { step: 'remarks', value: 'now', source: 'prompt' }],
      ),
    );
    expect(state.deferred.get('authority_notified_at')).toMatchObject({ reason: 'not told yet', until: '2026-03-03T09:00:00.000Z', actor: 'dana', seq: 1 });
    expect(state.declined.get('press_statement')).toMatchObject({ reason: 'no press interest', actor: 'sam', seq: 2 });
    expect(state.deferred.has('remarks')).toBe(false);
    expect(state.answers.get('remarks')?.value).toBe('now');
    const answeredThenDeclined = await replay(
      'inc',
      entries(opened, ['step.answered', { step: 'remarks', value: 'x', source: 'prompt' }], ['step.declined', { step: 'remarks', reason: 'withdrawn' }]),
    );
    expect(answeredThenDeclined.answers.has('remarks')).toBe(false);
    expect(answeredThenDeclined.declined.get('remarks')?.reason).toBe('withdrawn');
  });

  it('is paused after run.paused until the run resumes', async () => {
    const paused = await replay('inc', entries(opened, ['run.paused', { reason: 'interrupted by the responder' }]));
    expect(paused.paused).toBe(true);
    const resumed = await replay('inc', entries(opened, ['run.paused', {}], ['run.resumed', {}]));
    expect(resumed.paused).toBe(false);
  });

  it('counts the entries, knows the head and records notes, deadlines and the closing', async () => {
    const state = await replay(
      'inc',
      entries(
        opened,
        ['deadline.started', { deadline: 'gdpr_authority', due: '2026-03-05T08:30:00.000Z' }],
        ['note.added', { text: 'called the provider' }],
        ['deadline.met', { deadline: 'gdpr_authority' }],
        ['incident.closed', { open_steps: [] }, 'sam'],
      ),
    );
    expect(state.entries).toBe(5);
    expect(state.head).toBe('h4');
    expect(state.notes).toBe(1);
    expect([...state.deadlinesStarted]).toEqual(['gdpr_authority']);
    expect([...state.deadlinesMet]).toEqual(['gdpr_authority']);
    expect(state.closed?.actor).toBe('sam');
  });
});

describe('the replay done while verifying (Replay) gives the state of the plain fold', () => {
  const STEPS = ['a', 'b', 'c_d', 'e'];
  const entryArb = fc.oneof(
    fc.record({ type: fc.constant('step.answered' as const), data: fc.record({ step: fc.constantFrom(...STEPS), value: fc.oneof(fc.integer(), fc.string(), fc.array(fc.string(), { maxLength: 3 })), source: fc.constantFrom('prompt', 'answers') }) }),
    fc.record({ type: fc.constant('step.skipped' as const), data: fc.record({ step: fc.constantFrom(...STEPS), reason: fc.string() }) }),
    fc.record({ type: fc.constant('step.deferred' as const), data: fc.record({ step: fc.constantFrom(...STEPS), reason: fc.string(), until: fc.constant('2026-03-03T09:00:00.000Z') }, { requiredKeys: ['step'] }) }),
    fc.record({ type: fc.constant('step.declined' as const), data: fc.record({ step: fc.constantFrom(...STEPS), reason: fc.string() }) }),
    fc.record({ type: fc.constant('note.added' as const), data: fc.record({ text: fc.string() }) }),
    fc.record({ type: fc.constantFrom('run.paused' as const, 'run.resumed' as const), data: fc.record({ at_step: fc.constantFrom(...STEPS) }) }),
    fc.record({ type: fc.constantFrom('deadline.started' as const, 'deadline.met' as const), data: fc.record({ deadline: fc.constantFrom('gdpr', 'ccpa') }) }),
    fc.record({ type: fc.constant('notice.rendered' as const), data: fc.record({ template: fc.constantFrom('t1', 't2'), file: fc.constantFrom('drafts/t1.txt', 'drafts/t2.eml'), sha256: fc.constant('a'.repeat(64)) }) }),
    fc.record({ type: fc.constant('evidence.attached' as const), data: fc.record({ files: fc.array(fc.record({ path: fc.constant('attachments/x'), sha256: fc.constant('b'.repeat(64)), bytes: fc.nat() }), { maxLength: 2 }) }) }),
    // A step id the byte scan cannot read (escapes): the decode path.
    fc.record({ type: fc.constant('step.answered' as const), data: fc.record({ source: fc.constant('prompt'), step: fc.constant('q"uote'), value: fc.boolean() }) }),
  );

  /**
   * The log of `list`, after incident.opened, each entry marked (as record() marks it: last in
   * data) when its draw says so, and closed at the end when `closed`.
   */
  function written(list: { type: EntryType; data: Record<string, unknown>; marked: boolean }[], drill: boolean, dir: string, openedMarked = false, closed = false): EvidenceEntry[] {
    const all: EvidenceEntry[] = [];
    let prev: string | null = null;
    const mark = (data: Record<string, unknown>, marked: boolean) => (marked ? { ...data, clock: 'set by hand' } : data);
    const typed = [
      { type: 'incident.opened' as EntryType, data: mark({ playbook: { id: 'p', title: 'P', sha256: 'c' }, drill, responder: 'dana' }, openedMarked) },
      ...list.map(({ type, data, marked }) => ({ type, data: mark(data, marked) })),
      ...(closed ? [{ type: 'incident.closed' as EntryType, data: { open_steps: [] } }] : []),
    ];
    typed.forEach(({ type, data }, seq) => {
      const unhashed = { seq, at: new Date(Date.UTC(2026, 2, 2, 9) + seq * 1000).toISOString(), type, actor: 'dana', data, prev };
      const entry = { ...unhashed, hash: hashOf(unhashed) };
      all.push(entry);
      prev = entry.hash;
    });
    writeFileSync(join(dir, 'evidence.jsonl'), all.map((e) => `${serialiseEntry(e)}\n`).join(''));
    return all;
  }

  it('for any mix of entries, in any order, drill or real', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakctl-replay-'));
    try {
      fc.assert(
        fc.property(fc.array(fc.tuple(entryArb, fc.boolean()), { maxLength: 60 }), fc.boolean(), fc.boolean(), fc.boolean(), (drawn, drill, openedMarked, closed) => {
          const entries = written(drawn.map(([e, marked]) => ({ ...e, marked })), drill, dir, openedMarked, closed);
          const { fd, size } = openChainFile(join(dir, 'evidence.jsonl'));
          try {
            const fast = new Replay('inc');
            const scan = scanChain(fd, CHAIN_START, size, fast.visit);
            expect(scan.problem).toBeNull();
            const finished = fast.finish(fd, scan.position);
            if (!('state' in finished)) throw new Error(finished.problem.message);
            const state = finished.state;
            const folded = replay('inc', entries);
            expect(state).toEqual(folded);
            // Map order too: templates iterate the answers.
            expect([...state.answers.keys()]).toEqual([...folded.answers.keys()]);
            expect([...state.skipped.keys()]).toEqual([...folded.skipped.keys()]);
            expect([...state.drafts.keys()]).toEqual([...folded.drafts.keys()]);
          } finally {
            closeSync(fd);
          }
        }),
        { numRuns: 300 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
