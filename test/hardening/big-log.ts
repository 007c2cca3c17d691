/**
 * Writes large evidence logs for the load tests of issue 7, with the log's own entry helpers
 * (src/evidence/entry.ts: hashOf, serialiseEntry), so every line verifies. The entries are what a
 * long drill or a long incident produces: answers and amended answers, skips, deadline events,
 * pauses and resumes, rendered notices. Written in batches of 10,000 lines.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { hashOf, serialiseEntry } from '../../src/evidence/entry.js';
import type { EntryType, EvidenceEntry } from '../../src/evidence/entry.js';

export const BIG_PLAYBOOK = `schema: leakctl/playbook@1
id: long-drill
title: Long drill
cause: other
summary: A drill that runs for a very long time.
phases:
  - id: contain
    title: Contain
    steps:
      - { id: discovered_at, kind: datetime, prompt: When? }
      - { id: summary, kind: longtext, prompt: What happened? }
      - { id: members_affected, kind: number, prompt: How many? }
      - { id: channels, kind: multi, prompt: Which channels?, choices: [{ value: email, label: Email }, { value: app, label: App }] }
      - { id: notified_at, kind: datetime, prompt: Authority notified?, required: false }
deadlines:
  - { id: authority, title: Notify the authority, from: discovered_at, within: PT72H, met_by: notified_at }
`;

/** The entry at `seq` (after incident.opened): a deterministic mix of what a run writes. */
function entryFor(seq: number): { type: EntryType; data: Record<string, unknown> } {
  switch (seq % 20) {
    case 0:
      return { type: 'step.skipped', data: { step: 'notified_at', reason: 'skipped by the responder' } };
    case 1:
      return { type: 'run.paused', data: { at_step: 'summary' } };
    case 2:
      return { type: 'run.resumed', data: { at_step: 'summary' } };
    case 3:
      return { type: 'deadline.started', data: { deadline: 'authority', title: 'Notify the authority', due: '2026-03-05T08:30:00.000Z' } };
    case 4:
      return { type: 'notice.rendered', data: { template: 'status-update', file: 'drafts/status-update.txt', sha256: 'a'.repeat(64) } };
    case 5:
      return { type: 'step.answered', data: { step: 'channels', value: ['email', 'app'], source: 'answers' } };
    case 6:
      return { type: 'step.answered', data: { step: 'members_affected', value: seq, source: 'prompt' } };
    default:
      return { type: 'step.answered', data: { step: 'summary', value: `Update ${seq}: the provider is still investigating the export endpoint.`, source: 'prompt' } };
  }
}

/**
 * Creates `<incidents>/<id>/` with a log of `entries` entries (the first is incident.opened for
 * the playbook written beside it) and returns the log's head hash.
 */
export function writeBigLog(incidents: string, id: string, entries: number): string {
  const dir = join(incidents, id);
  mkdirSync(join(dir, 'attachments'), { recursive: true, mode: 0o700 });
  mkdirSync(join(dir, 'drafts'), { recursive: true, mode: 0o700 });
  const playbookFile = join(incidents, '..', 'long-drill.yaml');
  writeFileSync(playbookFile, BIG_PLAYBOOK);
  const fd = openSync(join(dir, 'evidence.jsonl'), 'w', 0o600);
  const start = Date.parse('2026-03-02T09:00:00.000Z');
  let prev: string | null = null;
  let batch: string[] = [];
  try {
    for (let seq = 0; seq < entries; seq++) {
      const { type, data } =
        seq === 0
          ? {
              type: 'incident.opened' as const,
              data: { playbook: { id: 'long-drill', title: 'Long drill', sha256: 'b'.repeat(64), file: playbookFile }, drill: true, responder: 'drill-bot' },
            }
          : seq === 1
            ? { type: 'step.answered' as const, data: { step: 'discovered_at', value: '2026-03-02T08:30:00Z', source: 'answers' } }
            : entryFor(seq);
      const unhashed = { seq, at: new Date(start + seq).toISOString(), type, actor: 'drill-bot', data, prev };
      const entry: EvidenceEntry = { ...unhashed, hash: hashOf(unhashed) };
      prev = entry.hash;
      batch.push(serialiseEntry(entry));
      if (batch.length === 10_000) {
        writeSync(fd, `${batch.join('\n')}\n`);
        batch = [];
      }
    }
    if (batch.length > 0) writeSync(fd, `${batch.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
  return prev!;
}
