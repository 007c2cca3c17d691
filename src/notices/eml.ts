/**
 * `.eml` drafts: RFC 5322 messages, UTF-8 text in quoted-printable (RFC 2045) so that paragraphs
 * stay unwrapped for the reader's mail client, the subject as RFC 2047 encoded words when it is
 * not ASCII, and `X-Unsent: 1` so that Outlook and Thunderbird open the file as a draft to edit.
 */
const CRLF = '\r\n';
const MAX_LINE = 76;

export interface EmlInput {
  readonly subject: string;
  readonly body: string;
  readonly date: Date;
  readonly from?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export function toEml(input: EmlInput): string {
  const headers = [
    'X-Unsent: 1',
    `Date: ${rfc5322Date(input.date)}`,
    ...(input.from ? [`From: ${input.from}`] : []),
    `Subject: ${encodeHeader(input.subject)}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: quoted-printable',
    ...Object.entries(input.headers ?? {}).map(([name, value]) => `${name}: ${encodeHeader(value)}`),
  ];
  return headers.join(CRLF) + CRLF + CRLF + quotedPrintable(input.body) + CRLF;
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
