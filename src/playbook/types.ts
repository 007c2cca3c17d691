/**
 * The typed, immutable form of a playbook (SPEC section 2), produced by the loader only after the
 * schema and the semantic checks have passed.
 */
import type { CAUSES, RecordField, STEP_KINDS } from '../schemas/playbook.js';
import type { Within } from '../time/duration.js';

export type { Within };

export type StepKind = (typeof STEP_KINDS)[number];
export type Cause = (typeof CAUSES)[number];

/** A comparison against one earlier step's answer. Exactly one operator is present. */
export interface Comparison {
  readonly step: string;
  readonly equals?: unknown;
  readonly includes?: unknown;
  /** The answer (an array) includes a value that starts with this: `us_` for any US place of the regime pack. */
  readonly includes_prefix?: string;
  readonly in?: readonly unknown[];
  readonly gt?: number;
  readonly gte?: number;
  readonly lt?: number;
  readonly lte?: number;
  readonly answered?: boolean;
}

export type Condition =
  | Comparison
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition };

export interface Choice {
  readonly value: string;
  readonly label: string;
}

export interface ChecklistItem {
  readonly id: string;
  readonly label: string;
}

export interface Step {
  readonly id: string;
  readonly kind: StepKind;
  readonly prompt: string;
  readonly help?: string;
  readonly required: boolean;
  readonly when?: Condition;
  readonly sensitive?: boolean;
  readonly choices?: readonly Choice[];
  readonly items?: readonly ChecklistItem[];
  readonly min_length?: number;
  readonly max_length?: number;
  readonly pattern?: string;
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  readonly min_items?: number;
  /** playbook@2: offered only once these steps are answered. */
  readonly needs?: readonly string[];
  /** playbook@2: the answer offered first at the prompt. */
  readonly default?: unknown;
  /** playbook@2: a datetime step that records when a duty was done; it starts as Not yet. */
  readonly duty?: boolean;
  /**
   * Worked out at load, not written: the steps its condition names that come after it (playbook@2
   * allows that). Until each has a word on it, the step waits rather than counting as not applicable.
   */
  readonly waits_for?: readonly string[];
}

export interface Phase {
  readonly id: string;
  readonly title: string;
  readonly help?: string;
  readonly steps: readonly Step[];
}


export interface Deadline {
  readonly id: string;
  readonly title: string;
  /** A datetime step id, or `opened` for the incident's opening. */
  readonly from: string;
  readonly within: Within;
  readonly met_by: string;
  readonly when?: Condition;
  /** Reference to the regime the deadline comes from (free text, e.g. `GDPR Art. 33(1)`). */
  readonly source?: string;
  /** The IANA zone its days are counted in; default the config's timezone, else UTC. */
  readonly time_zone?: string;
  /** The holiday calendar its business days skip. */
  readonly calendar?: string;
  /** playbook@2: the regime and clock it comes from (regimes/<regime>.yaml). */
  readonly regime?: string;
  readonly clock?: string;
  /** Filled from the regime at load: how far its facts were checked, and what to check before relying on it. */
  readonly confidence?: 'confirmed' | 'partial' | 'unconfirmed';
  readonly caution?: string;
}

/** playbook@2: phases that join an incident when an answer calls for them. */
export interface Module {
  readonly id: string;
  readonly title: string;
  readonly when: Condition;
  readonly phases: readonly Phase[];
}

export interface Notice {
  readonly template: string;
  readonly when?: Condition;
}

export interface Playbook {
  readonly schema: 'leakctl/playbook@1' | 'leakctl/playbook@2';
  readonly id: string;
  readonly title: string;
  readonly cause: Cause;
  readonly summary: string;
  readonly version?: string;
  /** The cause/scope/blame/control distinctions shown when `start` asks which playbook fits. */
  readonly triage?: { readonly cause: string; readonly scope: string; readonly blame: string; readonly control: string };
  /** The phases of this incident: the playbook's, and those of the modules that joined it. */
  readonly phases: readonly Phase[];
  /** playbook@2: the modules declared, joined or not. */
  readonly modules?: readonly Module[];
  /** The modules joined, in the order they joined (see playbook/modules.ts). */
  readonly joined?: readonly string[];
  readonly deadlines: readonly Deadline[];
  /** Filled in at load from the regime pack: the places offered, with the longest identity-protection offer their laws ask for. */
  readonly regime_places?: readonly { readonly id: string; readonly label: string; readonly name: string; readonly people: string; readonly identity_protection_months?: number }[];
  /** playbook@2: where the regime pack's places and clocks join it (see playbook/regimes.ts). */
  readonly regimes?: { readonly places: string; readonly aware: string; readonly told: string; readonly phase: string; readonly when?: Readonly<Record<string, Condition>> };
  /** playbook@2: the steps answering each fact of the breach register (schemas/playbook.ts, RECORD_FIELDS), as lists. */
  readonly record?: Readonly<Partial<Record<RecordField, readonly string[]>>>;
  readonly notices: readonly Notice[];
  /** Dates (yyyy-MM-dd) that business-day deadlines skip, besides weekends. */
  readonly holidays: readonly string[];
  /** Absolute path of the file it was loaded from. */
  readonly file: string;
  /** SHA-256 (hex) of the file's bytes, recorded in `incident.opened`. */
  readonly sha256: string;
  /** With a regimes block or a deadline from a regime: the regime pack's SHA-256, recorded in `incident.opened` too. */
  readonly regimes_sha256?: string;
}
