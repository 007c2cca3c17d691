/**
 * Text from playbooks, answers and file names is shown escaped: ANSI escape sequences, control
 * characters and bidirectional overrides would otherwise let a hostile file rewrite the terminal.
 * The log keeps the text as given.
 */
// C0 and C1 controls except tab and newline, DEL, and the bidi embedding/override/isolate marks.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

export function printable(text: string): string {
  return text.replace(UNSAFE, (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`);
}
