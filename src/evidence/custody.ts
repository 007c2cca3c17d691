/**
 * The custody of attached evidence (issue 16, item 6; RFC 3227 §4.1, ISO/IEC 27037): who
 * collected it, from where, when (which may be before it was attached), how, and what it is;
 * with each file's original name and modification time, recorded by `leakctl attach` in its
 * `evidence.attached` entry and shown by `log`, `status` and the report.
 */
export interface Custody {
  /** Who collected it: the responder attaching, unless someone else is named. */
  readonly collected_by: string;
  /** When it was collected, RFC 3339 with the offset it was given in. */
  readonly collected_at?: string;
  /** Where from: a system, a URL, a path. */
  readonly from?: string;
  /** How: the tool or command. */
  readonly how?: string;
  readonly description?: string;
}

/** The fields a responder states (collected_by has a default), in the order they are asked and shown. */
export const STATED_FIELDS = ['description', 'from', 'collected_at', 'how'] as const;
export type StatedField = (typeof STATED_FIELDS)[number];

/** The option that gives each field in a script. */
export const CUSTODY_OPTIONS: Readonly<Record<StatedField, string>> = { description: '--description', from: '--from', collected_at: '--collected-at', how: '--how' };

/** Custody as an entry holds it, read back tolerantly (an entry of an earlier version has none). */
export function custodyOf(data: Readonly<Record<string, unknown>>): Custody | undefined {
  const c = data.custody;
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return undefined;
  const o = c as Record<string, unknown>;
  const text = (k: string): Record<string, string> => (typeof o[k] === 'string' && o[k] !== '' ? { [k]: o[k] as string } : {});
  return { collected_by: typeof o.collected_by === 'string' ? o.collected_by : '', ...text('collected_at'), ...text('from'), ...text('how'), ...text('description') };
}

/** One line: `"description"; collected by X at T from F, with H`. Callers escape it for where it goes. */
export function custodyInWords(c: Custody, time: (iso: string) => string = (iso) => iso): string {
  // A time that is not one (an entry written by hand) is shown as written, never formatted.
  const at = c.collected_at === undefined ? undefined : Number.isNaN(Date.parse(c.collected_at)) ? c.collected_at : time(c.collected_at);
  const parts = [
    c.description ? `"${c.description}"` : '',
    `collected by ${c.collected_by || 'someone unnamed'}${at ? ` at ${at}` : ''}${c.from ? ` from ${c.from}` : ''}${c.how ? `, with ${c.how}` : ''}`,
  ];
  return parts.filter((p) => p !== '').join('; ');
}
