/**
 * RFC 3339 timestamps with an offset, as `--now`, LEAKCTL_NOW and datetime answers take them.
 * Date.parse alone accepts 31 February (it rolls over to 3 March): an evidence log must record
 * the time the responder meant, or refuse it.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** The instant, or undefined when the text is not a real RFC 3339 timestamp with an offset. */
export function parseTimestamp(text: string): Date | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second = 0, , offsetHours = 0, offsetMinutes = 0] = m
    .slice(1)
    .map((part) => (part === undefined || part === '+' || part === '-' ? undefined : Number(part)));
  // The calendar fields as written must survive a round trip through a UTC date.
  const asWritten = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second));
  const valid =
    asWritten.getUTCFullYear() === year &&
    asWritten.getUTCMonth() === month! - 1 &&
    asWritten.getUTCDate() === day &&
    hour! < 24 &&
    minute! < 60 &&
    second < 60 &&
    offsetHours < 24 &&
    offsetMinutes < 60;
  if (!valid) return undefined;
  const time = Date.parse(text.replace(' ', 'T'));
  return Number.isNaN(time) ? undefined : new Date(time);
}
