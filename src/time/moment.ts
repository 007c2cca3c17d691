/**
 * A moment as people type it (issue 9): RFC 3339 with an offset, as before; or without one,
 * `2026-12-01 21:40`, `today 21:40`, `yesterday 21:40`, `21:40`, read in the zone the person
 * works in; or relative to now: `now`, `-2h`, `-1d 3h`, `-30m`. A moment later than now is
 * refused with the clock shown: a duty cannot have been done in the future.
 */
import { parseTimestamp } from './timestamp.js';
import { fromWall, inZone, isUtc } from './zoned-date.js';

export type Moment = { ok: true; at: Date; value: string } | { ok: false; message: string };

/** A minute's grace: a time typed to the minute (`21:40`) may name the minute that is running. */
const SAME_MINUTE_MS = 60_000;

const WALL = /^(?:(\d{4})-(\d{2})-(\d{2})[T ]|(today|yesterday)\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?$/i;
const RELATIVE = /^-\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?$/i;

/** `text` as a moment: its instant and the value to record (RFC 3339, with the offset it was read in). */
export function parseMoment(text: string, now: Date, zone: string): Moment {
  const t = text.trim();
  if (t.toLowerCase() === 'now') return { ok: true, at: now, value: now.toISOString() };
  const exact = parseTimestamp(t);
  if (exact) return notLater({ ok: true, at: exact, value: t }, now, zone);
  const rel = RELATIVE.exec(t);
  if (rel && (rel[1] ?? rel[2] ?? rel[3]) !== undefined) {
    const ms = ((Number(rel[1] ?? 0) * 24 + Number(rel[2] ?? 0)) * 60 + Number(rel[3] ?? 0)) * 60_000;
    if (!Number.isSafeInteger(ms) || ms > 10 * 366 * 86_400_000) return { ok: false, message: `${t} goes back more than ten years; write the date itself` };
    const at = new Date(now.getTime() - ms);
    return { ok: true, at, value: inOffset(at, zone) };
  }
  const wall = WALL.exec(t);
  if (wall) {
    let [year, month, day] = [Number(wall[1]), Number(wall[2]), Number(wall[3])];
    if (wall[1] === undefined) {
      const today = inZone(now, zone);
      const base = wall[4]?.toLowerCase() === 'yesterday' ? inZone(fromWall(today.getFullYear(), today.getMonth() + 1, today.getDate() - 1, 12, 0, 0, zone), zone) : today;
      [year, month, day] = [base.getFullYear(), base.getMonth() + 1, base.getDate()];
    }
    const [hour, minute, second] = [Number(wall[5]), Number(wall[6]), Number(wall[7] ?? 0)];
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return { ok: false, message: `${t} is not a real date and time` };
    const at = fromWall(year, month, day, hour, minute, second, zone);
    // 31 February rolls over to March: refused, as for RFC 3339.
    const back = inZone(at, zone);
    if (back.getDate() !== day || back.getMonth() !== month - 1) return { ok: false, message: `${t} is not a real date and time` };
    return notLater({ ok: true, at, value: inOffset(at, zone) }, now, zone);
  }
  return {
    ok: false,
    message: `${t} is not a time leakctl can read; write e.g. 2026-03-02T08:30:00Z, 2026-03-02 09:30 (in ${zone}), yesterday 21:40, -2h or now`,
  };
}

const AHEAD = /^(?:\+|in\s+)\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?$/i;
const WALL_AHEAD = /^(?:(\d{4})-(\d{2})-(\d{2})[T ]|(today|tomorrow)\s+)(\d{1,2}):(\d{2})$/i;

/**
 * A time still to come, as a reminder is set (`defer --until`): RFC 3339, `2026-12-04 09:00` or
 * `tomorrow 09:00` in the person's zone, or ahead of now: `+2h`, `in 1d 4h`. One not later than
 * now is refused: a reminder in the past would never be of use.
 */
export function parseReminder(text: string, now: Date, zone: string): Moment {
  const t = text.trim();
  let at: Date | undefined;
  const ahead = AHEAD.exec(t);
  const wall = WALL_AHEAD.exec(t);
  if (ahead && (ahead[1] ?? ahead[2] ?? ahead[3]) !== undefined) {
    const ms = ((Number(ahead[1] ?? 0) * 24 + Number(ahead[2] ?? 0)) * 60 + Number(ahead[3] ?? 0)) * 60_000;
    if (!Number.isSafeInteger(ms) || ms > 366 * 86_400_000) return { ok: false, message: `${t} is more than a year ahead; write the date itself` };
    at = new Date(now.getTime() + ms);
  } else if (wall) {
    let [year, month, day] = [Number(wall[1]), Number(wall[2]), Number(wall[3])];
    if (wall[1] === undefined) {
      const today = inZone(now, zone);
      const base = wall[4]?.toLowerCase() === 'tomorrow' ? inZone(fromWall(today.getFullYear(), today.getMonth() + 1, today.getDate() + 1, 12, 0, 0, zone), zone) : today;
      [year, month, day] = [base.getFullYear(), base.getMonth() + 1, base.getDate()];
    }
    const [hour, minute] = [Number(wall[5]), Number(wall[6])];
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return { ok: false, message: `${t} is not a real date and time` };
    at = fromWall(year, month, day, hour, minute, 0, zone);
    const back = inZone(at, zone);
    if (back.getDate() !== day || back.getMonth() !== month - 1) return { ok: false, message: `${t} is not a real date and time` };
  } else {
    at = parseTimestamp(t) ?? undefined;
  }
  if (!at) return { ok: false, message: `${t} is not a time leakctl can read; write e.g. +4h, tomorrow 09:00, 2026-03-03 09:00 (in ${zone}) or 2026-03-03T09:00:00Z` };
  if (at.getTime() <= now.getTime()) return { ok: false, message: `${inOffset(at, zone)} is not later than now (the clock reads ${inOffset(now, zone)}); a reminder is for a time still to come` };
  return { ok: true, at, value: at.toISOString() };
}

function notLater(moment: Moment & { ok: true }, now: Date, zone: string): Moment {
  if (moment.at.getTime() <= now.getTime() + SAME_MINUTE_MS) return moment;
  return { ok: false, message: `${moment.value} is later than now (the clock reads ${inOffset(now, zone)}); a time that has not come yet cannot be recorded as done` };
}

/** RFC 3339 in `zone`'s offset at that moment: 2026-12-01T21:40:00+01:00 (Z for UTC). */
export function inOffset(at: Date, zone: string): string {
  if (isUtc(zone)) return at.toISOString().replace('.000Z', 'Z');
  const z = inZone(at, zone);
  const offset = -z.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const pad = (n: number): string => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const wall = `${z.getFullYear()}-${pad(z.getMonth() + 1)}-${pad(z.getDate())}T${pad(z.getHours())}:${pad(z.getMinutes())}:${pad(z.getSeconds())}`;
  return `${wall}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}
