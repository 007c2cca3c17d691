/**
 * What `leakctl report` says of an incident (issue 15), gathered once and written as HTML,
 * Markdown or JSON: the summary, the decisions with who, when and why, the legal clocks, the
 * register's facts (Art. 33(3)) and the record (Art. 33(5)), every notice rendered, the custody
 * of every attachment, the steps still open, put off or declined, and the verification. The
 * timeline, which grows with the log, is not kept: its rows are handed to the caller as the pass
 * that verifies the log reads them, to be set aside and written last.
 */
import type { Settings } from '../config/settings.js';
import type { DeadlineClock } from '../deadlines/compute.js';
import { rulesOf } from '../deadlines/rules.js';
import { custodyOf, type Custody } from '../evidence/custody.js';
import { existsSync } from 'node:fs';
import { loadAllowedSigners, sealedCheckpointInWords } from '../evidence/checkpoints.js';
import { clockSetByHandInWords, SENSITIVE_PLACEHOLDER } from '../evidence/describe.js';
import { ENTRY_TYPES, type EvidenceEntry } from '../evidence/entry.js';
import type { Incident } from '../incident/incident.js';
import { findTemplate, noticesDue, renderAll } from '../notices/drafts.js';
import type { Playbook } from '../playbook/types.js';
import { readiness, renderInputOf } from '../run/drafts.js';
import { progressOf, type Progress } from '../run/progress.js';
import { CONDITION_SKIP } from '../run/steps.js';
import type { RecordField } from '../schemas/playbook.js';
import { factsOf, shownAnswer, stepsById, type Fact } from './facts.js';
import { timelineRow, type TimelineRow } from './timeline.js';
import { markInWords } from './words.js';

export interface ReportSource {
  readonly incident: Incident;
  readonly playbook: Playbook;
  readonly settings: Settings;
  readonly now: Date;
  readonly includeSensitive: boolean;
  /** The zone times are shown in. */
  readonly zone: string;
  /** Given every entry of the log as a timeline row, in order, in the pass that verifies it. */
  readonly timeline?: (row: TimelineRow) => void;
}

export interface Decision {
  readonly step: string;
  readonly prompt: string;
  readonly phase: number;
  /** `answered`: a choice made; the others: a step skipped, put off or refused, with the reason given. */
  readonly kind: 'answered' | 'skipped' | 'deferred' | 'declined';
  readonly answer: string;
  readonly by?: string;
  readonly at?: Date;
  readonly reason?: string;
  readonly until?: string;
}

export interface NoticeRendered {
  readonly template: string;
  readonly file: string;
  readonly at: Date;
  readonly by: string;
  readonly sha256: string;
  readonly entry: number;
  /** `current`: the latest rendering of its file; `replaced` by a later one; `withdrawn`. */
  readonly standing: 'current' | 'replaced' | 'withdrawn';
}

export interface CustodyRow {
  /** The name it was given as (its path when attached with `leakctl attach`), else its stored name. */
  readonly original: string;
  /** The step whose answer it is, when attached at a step rather than with `leakctl attach`. */
  readonly step?: string;
  readonly stored: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly by: string;
  readonly at: Date;
  readonly entry: number;
  /** The original's modification time when it was copied, when recorded. */
  readonly modified?: Date;
  /** Who collected it, from where, when and how, and what it is (leakctl attach, issue 16). */
  readonly custody?: Custody;
}

export interface RecordDraft {
  readonly template: string;
  readonly title: string;
  readonly headings: readonly string[];
  /** The record as the template writes it now, or the steps it still needs. */
  readonly body?: string;
  readonly needs?: readonly string[];
}

export interface Verification {
  readonly ok: boolean;
  readonly entries: number;
  readonly head: string | null;
  readonly attachments: number;
  readonly problems: readonly string[];
  readonly log_file: string;
  /** Each checkpoint that still holds, in words: who sealed how much, and when by a timestamp (issue 16). */
  readonly sealed: readonly string[];
  /** Entries after the last seal, vouched for by the chain alone (all of them when never sealed); null when the log does not verify. */
  readonly unsealed: number | null;
  /** Entries written with the clock set by hand, in words; null when none. */
  readonly clock: string | null;
}

export interface ReportModel {
  readonly generatedAt: Date;
  readonly incident: Incident;
  readonly playbook: Playbook;
  readonly progress: Progress;
  readonly facts: ReadonlyMap<RecordField, Fact>;
  readonly decisions: readonly Decision[];
  readonly clocks: readonly DeadlineClock[];
  readonly records: readonly RecordDraft[];
  readonly notices: readonly NoticeRendered[];
  readonly custody: readonly CustodyRow[];
  readonly verification: Verification;
  readonly includeSensitive: boolean;
  readonly zone: string;
}

/**
 * Art. 33(3)(b) when no step answered it: whom the regulator notice names, the signatory (the
 * config's, or the one named at the start), else the data protection officer of the config.
 */
function contactPointOtherwise(settings: Settings, incident: Incident): Fact['otherwise'] {
  const org = settings.config.org;
  const named = org.signatory ?? incident.state.opened?.signatory;
  if (named) {
    const contact = org.signatory?.contact ?? org.contact_email;
    return { text: `${named.name}${named.role ? ` (${named.role})` : ''}${contact ? `, ${contact}` : ''}`, source: org.signatory ? 'the config (org.signatory)' : 'the signatory named at the start' };
  }
  return org.dpo_contact ? { text: `the data protection officer, ${org.dpo_contact}`, source: 'the config (org.dpo_contact)' } : undefined;
}

/** `attachments/<12 hex>-<name>` → `<name>`: the name a file was stored under, less its hash prefix. */
function storedName(stored: string): string {
  return stored.replace(/^.*\//, '').replace(/^[0-9a-f]{12}-/, '');
}

const COLLECTED: ReadonlySet<string> = new Set(['evidence.attached', 'notice.rendered', 'notice.withdrawn', 'step.skipped']);
const EVERY_ENTRY: ReadonlySet<string> = new Set(ENTRY_TYPES);

/** The kinds of step whose answer is a choice made: the decisions of the report. */
const CHOICES = new Set(['select', 'multi', 'confirm']);

export async function reportOf(source: ReportSource): Promise<ReportModel> {
  const { incident, playbook, settings, now } = source;
  const state = incident.state;
  const rules = rulesOf(playbook, settings);
  const progress = progressOf(playbook, state, now, rules);
  const steps = stepsById(playbook);
  const shown = { includeSensitive: source.includeSensitive };

  // Custody, notices and who skipped what, gathered in the pass that checks the log as `leakctl
  // verify` does: the chain again, and every attachment re-hashed. Only the entries they need are
  // decoded, or every entry when the caller makes the timeline in the same pass.
  const notices: NoticeRendered[] = [];
  const custody: CustodyRow[] = [];
  const latest = new Map<string, number>();
  const skips = new Map<string, { by: string; at: Date }>();
  // The stored names of files answering sensitive steps: a verification problem names them too.
  const hiddenPaths = new Set<string>();
  // The timeline's rows too, when asked for: answers to sensitive steps as [sensitive].
  const sensitive = new Set(source.includeSensitive ? [] : [...steps.values()].filter((step) => step.sensitive).map((step) => step.id));
  const seen = (e: EvidenceEntry): void => {
    source.timeline?.(timelineRow(e, sensitive));
    if (e.type === 'step.skipped') {
      skips.set(String(e.data.step), { by: e.actor, at: new Date(e.at) });
      return;
    }
    const files = e.type === 'evidence.attached' ? e.data.files : e.type === 'step.answered' && steps.get(String(e.data.step))?.kind === 'attachment' ? e.data.value : undefined;
    if (Array.isArray(files)) {
      // A file answering a sensitive step is named as its answer is shown: [sensitive]. Its hash,
      // size, who and when stay: they say nothing of its content.
      const hidden = e.type === 'step.answered' && steps.get(String(e.data.step))?.sensitive === true && !source.includeSensitive;
      const held = e.type === 'evidence.attached' ? custodyOf(e.data) : undefined;
      for (const f of files as { original?: unknown; path?: unknown; sha256?: unknown; bytes?: unknown; modified?: unknown }[]) {
        if (hidden) hiddenPaths.add(String(f.path));
        const stored = hidden ? SENSITIVE_PLACEHOLDER : String(f.path);
        const original = hidden ? SENSITIVE_PLACEHOLDER : typeof f.original === 'string' ? f.original : storedName(stored);
        const when = typeof f.modified === 'string' && !hidden ? new Date(f.modified) : undefined;
        const modified = when && !Number.isNaN(when.getTime()) ? { modified: when } : {};
        custody.push({ original, stored, sha256: String(f.sha256), bytes: Number(f.bytes ?? 0), by: e.actor, at: new Date(e.at), entry: e.seq, ...(e.type === 'step.answered' ? { step: String(e.data.step) } : {}), ...modified, ...(held ? { custody: held } : {}) });
      }
    } else if (e.type === 'notice.rendered') {
      const file = String(e.data.file);
      const earlier = latest.get(file);
      if (earlier !== undefined) notices[earlier] = { ...notices[earlier]!, standing: 'replaced' };
      latest.set(file, notices.length);
      notices.push({ template: String(e.data.template), file, at: new Date(e.at), by: e.actor, sha256: String(e.data.sha256), entry: e.seq, standing: 'current' });
    } else if (e.type === 'notice.withdrawn') {
      const earlier = latest.get(String(e.data.file));
      if (earlier !== undefined) notices[earlier] = { ...notices[earlier]!, standing: 'withdrawn' };
    }
  };
  // Checked as verify checks them: the seals' signatures against the config's allowed_signers, their timestamps against tsa_ca.
  // A signers file or CA certificate that cannot be read leaves them "not checked" here, as the
  // seals say; `leakctl verify` is where that file is the reader's to fix.
  const { allowedSigners, tsaCa } = settings.config;
  const signersUsable = allowedSigners !== undefined && typeof loadAllowedSigners(allowedSigners) !== 'string';
  const caUsable = tsaCa !== undefined && existsSync(tsaCa);
  const verified = await incident.verify({ types: source.timeline ? EVERY_ENTRY : COLLECTED, seen }, { now, ...(signersUsable ? { allowedSigners } : {}), ...(caUsable ? { tsaCa } : {}) });
  const sealed = verified.checkpoints ?? [];
  const lastSeal = sealed.reduce((most, c) => Math.max(most, c.size), 0);

  const decisions: Decision[] = [];
  for (const s of progress.steps) {
    const step = steps.get(s.id)!;
    const base = { step: s.id, prompt: s.prompt, phase: s.phase };
    if (s.state === 'answered' && CHOICES.has(step.kind)) {
      decisions.push({ ...base, kind: 'answered', answer: shownAnswer(steps, state, s.id, shown) ?? '', by: s.by!, at: s.at! });
    } else if (s.state === 'deferred' || s.state === 'declined') {
      decisions.push({ ...base, kind: s.state, answer: markInWords(s, source.zone), by: s.by!, at: s.at!, reason: s.reason ?? '', ...(s.until ? { until: s.until } : {}) });
    } else if (s.state === 'skipped' && !(s.reason ?? '').startsWith(CONDITION_SKIP)) {
      const skip = skips.get(s.id);
      decisions.push({ ...base, kind: 'skipped', answer: 'skipped', reason: s.reason ?? '', ...(skip ? { by: skip.by, at: skip.at } : {}) });
    }
  }

  // The record (Art. 33(5)): every template written for the record that applies, as it reads now.
  const draftSource = { incident, playbook, settings, rules };
  const records: RecordDraft[] = [];
  for (const id of noticesDue(playbook, state)) {
    const template = findTemplate(id, settings.templateDirs);
    if (template.reader !== 'record') continue;
    const { waiting } = await readiness(draftSource, [id], now);
    const base = { template: id, title: template.title, headings: template.headings };
    if (waiting.length > 0) records.push({ ...base, needs: waiting[0]!.steps });
    else records.push({ ...base, body: (await renderAll({ ...renderInputOf(draftSource, now), maskSensitive: !source.includeSensitive }, [id]))[0]!.body });
  }

  return {
    generatedAt: now,
    incident,
    playbook,
    progress,
    facts: factsOf(playbook, state, shown, { contact_point: contactPointOtherwise(settings, incident) }),
    decisions,
    clocks: progress.deadlines,
    records,
    notices,
    custody,
    verification: { ok: verified.ok, entries: verified.entries, head: verified.head, attachments: verified.attachments, problems: verified.problems.map((p) => [...hiddenPaths].reduce((message, hidden) => message.split(hidden).join(SENSITIVE_PLACEHOLDER), p.message)), log_file: incident.logFile, sealed: sealed.map(sealedCheckpointInWords), unsealed: verified.ok ? verified.entries - lastSeal : null, clock: clockSetByHandInWords(verified.clockSetByHand ?? null) },
    includeSensitive: source.includeSensitive,
    zone: source.zone,
  };
}
