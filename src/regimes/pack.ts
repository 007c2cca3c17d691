/**
 * The regime pack (issue 14): one `leakctl/regime@1` file per legal regime in `regimes/` (bundled)
 * or a directory the config lists, validated like every document (FILE:LINE:COL, exit 2). A
 * playbook refers to regimes by id; the places the pack names are offered where the playbook asks
 * where the affected people live, and their clocks start from that answer.
 */
import { checkSchema } from '../documents/check.js';
import { listRegimeFiles } from '../documents/files.js';
import { loadDocument } from '../documents/load.js';
import { idNotFileName, problemAt } from '../documents/yaml.js';
import type { REGIME_CONFIDENCE, CLOCK_FROM, CLOCK_NOTIFY } from '../schemas/regime.js';
import type { Within } from '../time/duration.js';
import { createHash } from 'node:crypto';
import { isTimeZone } from '../time/zoned-date.js';
import { InvalidDocument, InvalidInput } from '../ui/errors.js';

export type Confidence = (typeof REGIME_CONFIDENCE)[number];

export interface Place {
  /** The answer value of the place (`us_tx`). */
  readonly id: string;
  readonly label: string;
  /** As a sentence names it ("Texas"). */
  readonly name: string;
  /** Its residents, as a count question names them. */
  readonly people: string;
}

export interface RegimeClock {
  readonly id: string;
  readonly title: string;
  readonly notify: (typeof CLOCK_NOTIFY)[number];
  readonly authority?: string;
  readonly within: Within;
  readonly from: (typeof CLOCK_FROM)[number];
  readonly start?: string;
  readonly threshold?: { readonly gt?: number; readonly gte?: number };
  readonly time_zone?: string;
  readonly calendar?: string;
  readonly confidence?: Confidence;
  readonly caution?: string;
  readonly note?: string;
}

export interface Regime {
  readonly id: string;
  readonly name: string;
  readonly jurisdiction: string;
  readonly place?: Place;
  readonly status: 'in_force' | 'not_yet_in_force' | 'proposed';
  readonly effective?: string;
  readonly confidence: Confidence;
  readonly reviewed: string;
  readonly citation: string;
  readonly trigger: string;
  readonly clocks: readonly RegimeClock[];
  readonly content?: { readonly must?: readonly string[]; readonly must_not?: readonly string[]; readonly people?: readonly string[]; readonly authority?: readonly string[]; readonly format?: readonly string[] };
  readonly offers?: { readonly identity_protection_months?: number; readonly when?: string; readonly identity_protection?: string };
  readonly variant?: string;
  readonly unconfirmed?: readonly string[];
  readonly file: string;
  /** SHA-256 (hex) of the file's text. */
  readonly sha256: string;
}

export interface RegimePack {
  readonly regimes: readonly Regime[];
  get(id: string): Regime | undefined;
  /**
   * SHA-256 of every regime's id and file hash, in id order: an incident records it at its start,
   * so that a pack changed since (an upgrade, another config) is said, not silently applied.
   */
  readonly sha256: string;
  /** Where it was read from. */
  readonly dirs: readonly string[];
}

export const REGIME_WHAT = 'a leakctl/regime@1 document';

const ORDER: readonly Confidence[] = ['unconfirmed', 'partial', 'confirmed'];

/** How far a clock's facts were checked: its own confidence, never more than its regime's. */
export function clockConfidence(regime: Regime, clock: RegimeClock): Confidence {
  const own = clock.confidence ?? regime.confidence;
  return ORDER[Math.min(ORDER.indexOf(own), ORDER.indexOf(regime.confidence))]!;
}

export function loadRegimeFile(file: string): Regime {
  const source = loadDocument(file, REGIME_WHAT);
  const problems = checkSchema(source, 'regime');
  const data = source.data as Record<string, unknown> & { clocks?: Record<string, unknown>[] };
  const misnamed = idNotFileName(source, file);
  if (misnamed) problems.push(misnamed);
  const clocks = Array.isArray(data.clocks) ? data.clocks : [];
  const seen = new Set<unknown>();
  clocks.forEach((clock, i) => {
    if (seen.has(clock?.id)) problems.push(problemAt(source, ['clocks', i, 'id'], `clock "${String(clock?.id)}" is named twice in this regime; give each clock its own id`));
    seen.add(clock?.id);
    if (clock?.from === 'other' && clock.start === undefined) problems.push(problemAt(source, ['clocks', i, 'from'], 'a clock from "other" says what starts it in `start:`'));
    if (typeof clock?.time_zone === 'string' && !isTimeZone(clock.time_zone)) problems.push(problemAt(source, ['clocks', i, 'time_zone'], `unknown time zone "${clock.time_zone}"; use an IANA name such as America/Chicago`));
    if (clock?.calendar !== undefined && typeof clock.within === 'string') problems.push(problemAt(source, ['clocks', i, 'calendar'], '"calendar" names the holidays a business-day clock skips; this clock counts in hours or days ("within" is a duration): remove it'));
    if (clock?.threshold !== undefined && data.place === undefined) problems.push(problemAt(source, ['clocks', i, 'threshold'], 'a threshold counts the residents of the regime\'s place; add `place:` or remove the threshold'));
  });
  // A proposal is not law: nothing may be counted from it (reference table, eu_digital_omnibus_gdpr).
  if (data.status === 'proposed' && clocks.length > 0) problems.push(problemAt(source, ['clocks'], 'a proposed regime is not law and starts no clock; leave `clocks: []` until it is adopted'));
  if (problems.length > 0) throw new InvalidDocument(problems);
  return { ...(data as unknown as Omit<Regime, 'file' | 'sha256'>), status: (data.status as Regime['status'] | undefined) ?? 'in_force', reviewed: String(data.reviewed), file, sha256: createHash('sha256').update(source.text).digest('hex') };
}

const packs = new Map<string, RegimePack>();

/** Every regime in the search path (the first directory with an id wins), loaded once per process. */
export function loadRegimePack(dirs: readonly string[]): RegimePack {
  const key = dirs.join('\0');
  const known = packs.get(key);
  if (known) return known;
  // Ids and labels are compared by code unit: a collator costs milliseconds to start, at every load.
  const regimes = [...listRegimeFiles(dirs).values()].map(loadRegimeFile).sort((a, b) => byText(a.id, b.id));
  if (regimes.length === 0) {
    throw new InvalidInput(`the regime pack is empty: no regime files (.yaml) in ${dirs.join(', ')}; reinstall leakctl, or fix the config's regimes: directories`);
  }
  const problems = placeConflicts(regimes);
  if (problems.length > 0) throw new InvalidDocument(problems);
  const byId = new Map(regimes.map((r) => [r.id, r]));
  const sha256 = createHash('sha256').update(regimes.map((r) => `${r.id} ${r.sha256}\n`).join('')).digest('hex');
  const pack: RegimePack = { regimes, get: (id) => byId.get(id), sha256, dirs };
  packs.set(key, pack);
  return pack;
}

/** Two regimes may share a place (California has two) only under the same label. */
function placeConflicts(regimes: readonly Regime[]) {
  const first = new Map<string, Regime>();
  const problems = [];
  for (const regime of regimes) {
    if (!regime.place) continue;
    const earlier = first.get(regime.place.id);
    if (earlier && earlier.place!.label !== regime.place.label) {
      problems.push({ file: regime.file, line: 1, col: 1, message: `place "${regime.place.id}" is labelled "${regime.place.label}" here and "${earlier.place!.label}" in ${earlier.file}; use one label` });
    }
    if (!earlier) first.set(regime.place.id, regime);
  }
  return problems;
}

/** The country of a jurisdiction: US for US-TX and "US (federal)", CA for CA-QC, EU for EU/EEA. */
export function countryOf(jurisdiction: string): string {
  return jurisdiction.split(/[-\s/(]/)[0]!.toUpperCase();
}

/** The places the pack offers, in the order of their labels, each once. */
export function placesOf(pack: RegimePack): Place[] {
  const seen = new Map<string, Place>();
  for (const regime of pack.regimes) if (regime.place && regime.status !== 'proposed' && !seen.has(regime.place.id)) seen.set(regime.place.id, regime.place);
  return [...seen.values()].sort((a, b) => byText(a.label, b.label));
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
