/**
 * CSV as RFC 4180 writes it: CRLF between records, a field quoted when it holds a comma, a quote,
 * CR or LF, a quote doubled inside one. A field that a spreadsheet would run as a formula (one
 * starting with =, +, -, @, a tab or CR: OWASP's "CSV injection") starts with a ' instead, so that
 * a note typed as `=HYPERLINK(…)` opens as the text it is (issue 15).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(text: string): string {
  const inert = FORMULA_START.test(text) ? `'${text}` : text;
  // Quoted with a ; too: a spreadsheet set to a locale whose separator is ; would split it there.
  return /[",;\r\n]/.test(inert) ? `"${inert.replace(/"/g, '""')}"` : inert;
}

export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}
