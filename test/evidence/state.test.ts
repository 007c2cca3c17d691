import { describe, expect, it } from 'vitest';
import type { EntryType, EvidenceEntry } from '../../src/evidence/entry.js';
import { answerValues, replay } from '../../src/evidence/state.js';

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
