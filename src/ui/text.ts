/**
 * Text from playbooks, answers and file names is shown escaped: ANSI escape sequences, control
 * characters and bidirectional overrides would otherwise let a hostile file rewrite the terminal.
 * The log keeps the text as given.
 */
// C0 and C1 controls except tab and newline, DEL, and the bidi embedding/override/isolate marks.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/** 1240 → "1,240", -1234.5 → "-1,234.5": by hand, since Intl's first use costs milliseconds at every start. */
export function groupThousands(n: number): string {
  const [whole = '', fraction] = String(Math.abs(n)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

export function printable(text: string): string {
  return text.replace(UNSAFE, (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`);
}

/**
 * `printable`, and on one line: a newline is shown as `\n`. For messages that must stay one
 * line, such as a `FILE:LINE:COL message` problem quoting a value from the document.
 */
export function printableLine(text: string): string {
  return printable(text).replace(/\n/g, '\\n');
}

// What JSON.stringify leaves unescaped but a terminal may act on: DEL, C1 controls, bidi marks.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/**
 * JSON text with those characters written as \u escapes. They can only occur inside strings of
 * valid JSON, where the escape means the same character: the value is unchanged.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Prose wrapped at word boundaries to `width` columns, so a terminal does not break it in the
 * middle of a word. A word longer than the width (a URL) stands on a line of its own, unbroken;
 * existing line breaks are kept. Width counts UTF-16 units, close enough for prose.
 */
export function wrapWords(text: string, width: number): string {
  if (width < 20) return text;
  return text
    .split('\n')
    .map((paragraph) => {
      const lines: string[] = [];
      let line = '';
      for (const word of paragraph.split(/ +/)) {
        if (line === '') line = word;
        else if (line.length + 1 + word.length <= width) line += ` ${word}`;
        else {
          lines.push(line);
          line = word;
        }
      }
      lines.push(line);
      return lines.join('\n');
    })
    .join('\n');
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML shows it: markup characters escaped, for an element's content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}
