/**
 * `.eml` drafts: RFC 5322 messages, UTF-8 text in quoted-printable (RFC 2045) so that paragraphs
 * stay unwrapped for the reader's mail client, the subject as RFC 2047 encoded words when it is
 * not ASCII, and `X-Unsent: 1` so that Outlook and Thunderbird open the file as a draft to edit.
 * A notice for members also carries an HTML part beside the text (multipart/alternative, RFC
 * 2046): Cal. Civ. Code 1798.82(d)(1) asks for a title and headings that are clear and
 * conspicuous, in type of at least 10 points, which plain text cannot give.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../ui/text.js';

const CRLF = '\r\n';
const MAX_LINE = 76;

export interface EmlInput {
  readonly subject: string;
  readonly body: string;
  readonly date: Date;
  readonly from?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** An HTML alternative of the same text (see `htmlOf`). */
  readonly html?: string;
}

export function toEml(input: EmlInput): string {
  const common = [
    'X-Unsent: 1',
    `Date: ${rfc5322Date(input.date)}`,
    ...(input.from ? [`From: ${input.from}`] : []),
    `Subject: ${encodeHeader(input.subject)}`,
    'MIME-Version: 1.0',
  ];
  const extra = Object.entries(input.headers ?? {}).map(([name, value]) => `${name}: ${encodeHeader(value)}`);
  const part = (type: string, text: string) => [`Content-Type: ${type}; charset=UTF-8`, 'Content-Transfer-Encoding: quoted-printable', '', quotedPrintable(text)].join(CRLF);
  if (input.html === undefined) {
    return [...common, 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: quoted-printable', ...extra].join(CRLF) + CRLF + CRLF + quotedPrintable(input.body) + CRLF;
  }
  // The boundary is a hash of the parts it separates, so neither part can contain it (RFC 2046 5.1.1).
  const boundary = `leakctl-alternative-${hashOf(input.body + input.html)}`;
  return [
    ...common,
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    ...extra,
    '',
    `--${boundary}`,
    part('text/plain', input.body),
    `--${boundary}`,
    part('text/html', input.html),
    `--${boundary}--`,
    '',
  ].join(CRLF);
}

/** A short, stable boundary: the same draft gives the same bytes. */
function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

/**
 * The HTML of a plain-text draft: its first paragraph (a notice's title) an <h1>, each heading the
 * template names an <h2>, a drill's banner in bold, a paragraph of "- " lines a list, every other
 * paragraph a <p>. Styles are inline, the only kind mail clients keep: text in 12 pt, the title in
 * 20 pt and headings in 15 pt, bold.
 */
export function htmlOf(subject: string, body: string, headings: readonly string[], banner?: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:12pt;line-height:1.5;color:#111111;max-width:42em">',
    ...htmlBlocks(body, headings, { banner, level: 1, style: true }),
    '</body>',
    '</html>',
  ].join('\n');
}

/**
 * The blocks of a plain-text draft as HTML elements: the title at `level`, the template's
 * headings one below it (the report nests a record under its own headings, issue 15).
 */
export function htmlBlocks(body: string, headings: readonly string[], opts: { banner?: string; level: number; style: boolean }): string[] {
  const names = new Set(headings);
  const styled = (css: string): string => (opts.style ? ` style="${css}"` : '');
  let titled = false;
  return body.split(/\n{2,}/).map((paragraph) => {
    const text = paragraph.trim();
    if (text === opts.banner) return `<p${styled('margin:0 0 0.8em')}><strong>${escapeHtml(text)}</strong></p>`;
    if (!titled || names.has(text)) {
      const level = titled ? opts.level + 1 : opts.level;
      titled = true;
      const size = level === opts.level ? '20pt' : '15pt';
      return `<h${level}${styled(`font-size:${size};font-weight:bold;margin:1.2em 0 0.4em`)}>${escapeHtml(text)}</h${level}>`;
    }
    const lines = text.split('\n');
    if (lines.every((l) => l.startsWith('- '))) return `<ul>${lines.map((l) => `<li>${escapeHtml(l.slice(2))}</li>`).join('')}</ul>`;
    return `<p${styled('margin:0 0 0.8em')}>${lines.map(escapeHtml).join('<br>')}</p>`;
  });
}

/** "Mon, 02 Mar 2026 09:00:00 +0000". */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** ASCII text as it is; anything else as UTF-8 base64 encoded words, folded to fit a line. */
export function encodeHeader(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(text) && text.length <= 900) return text;
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    // 45 bytes of UTF-8 make 60 base64 characters: with `=?UTF-8?B?` and `?=`, 72 per word.
    if (Buffer.byteLength(chunk + char) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(`${CRLF} `);
}

/** Quoted-printable: hard line breaks as CRLF, soft breaks (`=`) to keep lines within 76. */
export function quotedPrintable(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => {
      const bytes = Buffer.from(line, 'utf8');
      const tokens: string[] = [];
      bytes.forEach((byte, i) => {
        const last = i === bytes.length - 1;
        const literal = (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last);
        tokens.push(literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`);
      });
      const out: string[] = [];
      let current = '';
      for (const token of tokens) {
        if (current.length + token.length > MAX_LINE - 1) {
          out.push(`${current}=`);
          current = '';
        }
        current += token;
      }
      out.push(current);
      return out.join(CRLF);
    })
    .join(CRLF);
}
