/**
 * File paths as a person puts them on a prompt line: typed with commas between them, or dropped
 * from a file manager, which writes them shell-quoted (`/tmp/shot\ 1.png` on macOS,
 * `'/tmp/shot 1.png'` on GNOME), space-separated, or as `file://` URLs. Read the way a POSIX
 * shell reads words, with commas also separating; on Windows a backslash is a path separator,
 * never an escape.
 */
import { fileURLToPath } from 'node:url';
import type { Checked } from './check-answer.js';

/**
 * The paths a prompt line names. Three readings, the first that names files wins: as dropped
 * (shell words), as typed with commas (`/tmp/my dir/a.png, b.png`), and the whole line as one
 * path. When none does, the problem shown is that of the reading the line looks written for.
 */
export function readTypedPaths(text: string, check: (paths: string[]) => Checked): string[] {
  const words = splitTypedPaths(text);
  const commas = text.split(',').map((p) => p.trim()).filter(Boolean);
  const whole = text.trim() === '' ? [] : [text.trim()];
  for (const reading of [words, commas, whole]) if (reading.length > 0 && check(reading).ok) return reading;
  if (/['"\\]|file:\/\//.test(text)) return words;
  return text.includes(',') ? commas : whole;
}

/** Characters a backslash escapes inside double quotes (POSIX shell). */
const ESCAPED_IN_DOUBLE = '"\\$`';

export function splitTypedPaths(text: string, platform: NodeJS.Platform = process.platform): string[] {
  const escapes = platform !== 'win32';
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && escapes && ESCAPED_IN_DOUBLE.includes(text[i + 1] ?? '')) word += text[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && escapes && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (ch === ',' || /\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words.map(fromFileUrl);
}

function fromFileUrl(word: string): string {
  if (!word.startsWith('file://')) return word;
  try {
    return fileURLToPath(word);
  } catch {
    return word;
  }
}
