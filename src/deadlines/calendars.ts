/**
 * Holiday calendars (`leakctl/calendar@1`): data, one YAML file per calendar in `calendars/`
 * (bundled) or a directory the config lists, with the source of its dates and the years it
 * covers. Validated like every document (FILE:LINE:COL, exit 2).
 */
import { checkSchema } from '../documents/check.js';
import { listCalendarFiles } from '../documents/files.js';
import { loadDocument } from '../documents/load.js';
import { idNotFileName, problemAt } from '../documents/yaml.js';
import { InvalidDocument, InvalidInput } from '../ui/errors.js';

export interface Calendar {
  readonly id: string;
  readonly title: string;
  readonly source: string;
  readonly years: { readonly from: number; readonly to: number };
  /** yyyy-MM-dd */
  readonly dates: readonly string[];
  readonly file: string;
}

export const CALENDAR_WHAT = 'a leakctl/calendar@1 document';

export function loadCalendarFile(file: string): Calendar {
  const source = loadDocument(file, CALENDAR_WHAT);
  const problems = checkSchema(source, 'calendar');
  const data = source.data as { id?: unknown; years?: { from?: unknown; to?: unknown }; holidays?: { date?: unknown }[] };
  const from = typeof data.years?.from === 'number' ? data.years.from : undefined;
  const to = typeof data.years?.to === 'number' ? data.years.to : undefined;
  if (from !== undefined && to !== undefined && from > to) problems.push(problemAt(source, ['years'], `"years" runs from ${from} to ${to}; write the first year, then the last`));
  const misnamed = idNotFileName(source, file);
  if (misnamed) problems.push(misnamed);
  (Array.isArray(data.holidays) ? data.holidays : []).forEach((h, i) => {
    const year = typeof h?.date === 'string' ? Number(h.date.slice(0, 4)) : NaN;
    if (from !== undefined && to !== undefined && (year < from || year > to)) {
      problems.push(problemAt(source, ['holidays', i, 'date'], `${String(h.date)} is outside the years this calendar covers (${from} to ${to})`));
    }
  });
  if (problems.length > 0) throw new InvalidDocument(problems);
  const d = source.data as unknown as { id: string; title: string; source: string; years: { from: number; to: number }; holidays: { date: string }[] };
  return { id: d.id, title: d.title, source: d.source, years: d.years, dates: d.holidays.map((h) => h.date), file };
}

/** Finds calendars by id in the search path, loading each once. */
export function calendarFinder(dirs: readonly string[]): (id: string) => Calendar {
  const loaded = new Map<string, Calendar>();
  let files: Map<string, string> | undefined;
  return (id) => {
    let calendar = loaded.get(id);
    if (calendar) return calendar;
    files ??= listCalendarFiles(dirs);
    const file = files.get(id);
    if (!file) throw new InvalidInput(`unknown holiday calendar "${id}"; available: ${[...files.keys()].sort().join(', ') || 'none'}`);
    calendar = loadCalendarFile(file);
    loaded.set(id, calendar);
    return calendar;
  };
}
