/**
 * The bounds of what leakctl accepts (issue 9): nothing a file or a person gives it can make it
 * hang, run out of memory or crash. The JSON Schemas carry them, so that editors flag them
 * (`leakctl schema`), and `validate` reports them as FILE:LINE:COL. README, "Limits", lists them.
 */
export const LIMITS = {
  /** Any document leakctl reads (playbook, answers, config, template, calendar): bytes. */
  documentBytes: 4 * 1024 * 1024,
  /** Nesting of lists and mappings (conditions within conditions need about 30). */
  depth: 100,
  /** A period in a playbook (`within`): ten years. */
  withinDays: 3660,
  /** One step's `after` in an answers file: one year of simulated time. */
  afterDays: 366,
  businessDays: 1000,
  /** Any number in a document or an answer: beyond counts of people and records, within exact integers. */
  number: 1e15,
  /** Characters of one-line text in a document (titles, labels, sources). */
  titleChars: 500,
  /** Characters of a directory path in the config (Linux's PATH_MAX). */
  pathChars: 4096,
  /** Characters of prompts, help and summaries. */
  proseChars: 10_000,
  /** Characters of a text answer, and of a longtext answer or a note. */
  textAnswerChars: 10_000,
  longtextAnswerChars: 200_000,
  /** Characters of a step's `pattern`. */
  patternChars: 1000,
  phases: 100,
  stepsPerPhase: 500,
  choices: 500,
  deadlines: 500,
  notices: 200,
  holidays: 5000,
  conditionItems: 200,
  /** Answers in one answers file, and files in one attachment answer. */
  answers: 5000,
  attachmentFiles: 200,
} as const;

/** An ISO 8601 duration with at most six digits a part: bounded in the text as well as in days. */
export const DURATION_PATTERN = '^P(?!$)(\\d{1,6}Y)?(\\d{1,6}M)?(\\d{1,6}W)?(\\d{1,6}D)?(T(?!$)(\\d{1,6}H)?(\\d{1,6}M)?(\\d{1,6}(\\.\\d{1,3})?S)?)?$';
