/**
 * RFC 3161 trusted timestamps for checkpoints (issue 16, item 2): a timestamp authority (TSA)
 * signs "this hash existed at this time", so that a seal's time does not rest on the sealer's
 * clock. leakctl builds the request (DER, SHA-256, a nonce, the TSA's certificate asked for),
 * reads what it needs back out of the response — status, message imprint, nonce, time, the
 * TSA's name — and leaves the signature and the certificate path to `openssl ts -verify`, the
 * checker the issue names, which a reader without leakctl runs too (VERIFY.md): the CMS and X.509
 * rules are OpenSSL's to apply, not leakctl's to re-implement.
 */
import { spawnSync } from 'node:child_process';
import { hash, randomBytes, X509Certificate } from 'node:crypto';

/** DER of the AlgorithmIdentifier for SHA-256 (OID 2.16.840.1.101.3.4.2.1, NULL parameters). */
const SHA256_ALGORITHM = Buffer.from('300d06096086480165030402010500', 'hex');
const SHA256_OID = Buffer.from('0609608648016503040201', 'hex');

/** DER length octets. */
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

/** A positive DER INTEGER of 8 random bytes: the request's nonce, which the response must repeat. */
function newNonce(): Buffer {
  const n = randomBytes(8);
  n[0] = (n[0]! & 0x7f) | 0x01;
  return n;
}

/** TimeStampReq (RFC 3161 §2.4.1): version 1, SHA-256 imprint of `data`, the nonce, certReq true. */
function timestampRequest(data: Uint8Array, nonce: Buffer): Buffer {
  const imprint = der(0x30, SHA256_ALGORITHM, der(0x04, hash('sha256', data, 'buffer')));
  return der(0x30, der(0x02, Buffer.from([1])), imprint, der(0x02, nonce), der(0x01, Buffer.from([0xff])));
}

interface Tlv {
  readonly tag: number;
  /** Where the content starts and ends. */
  readonly start: number;
  readonly end: number;
}

class DerError extends Error {}

function tlvAt(buf: Buffer, pos: number, limit: number): Tlv {
  if (pos + 2 > limit) throw new DerError('cut short');
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('a tag leakctl does not read');
  let len = buf[pos + 1]!;
  let start = pos + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new DerError('a length leakctl does not read');
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + buf[start + i]!;
    start += count;
  }
  if (start + len > limit) throw new DerError('cut short');
  return { tag, start, end: start + len };
}

function childrenOf(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = parent.start; pos < parent.end; ) {
    const t = tlvAt(buf, pos, parent.end);
    out.push(t);
    pos = t.end;
  }
  return out;
}

function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (t === undefined || t.tag !== tag) throw new DerError(`no ${what}`);
  return t;
}

const integerOf = (buf: Buffer, t: Tlv): bigint => (t.end === t.start ? 0n : BigInt(`0x${buf.toString('hex', t.start, t.end)}`));

/** What leakctl reads out of a time-stamp response. */
export interface TimestampToken {
  /** The time the TSA vouches for (genTime). */
  readonly time: Date;
  /** The SHA-256 the TSA signed, hex. */
  readonly imprint: string;
  readonly nonce: bigint | null;
  readonly serial: bigint;
  /** The TSA's certificate subject, when the response carries its certificate. */
  readonly tsa: string | null;
}

/** GeneralizedTime `YYYYMMDDHHMMSS[.fff]Z`. */
function generalizedTime(text: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,6}))?Z$/.exec(text);
  if (!m) return null;
  const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * A TimeStampResp read back: its token's time, imprint, nonce and serial, or why it is not a
 * granted response. The signature is not checked here (checkWithOpenssl).
 */
export function parseTimestampResponse(buf: Buffer): TimestampToken | string {
  try {
    const resp = expectTag(tlvAt(buf, 0, buf.length), 0x30, 'TimeStampResp');
    if (resp.end !== buf.length) return 'bytes after the response';
    const [statusInfo, token] = childrenOf(buf, resp);
    const status = expectTag(childrenOf(buf, expectTag(statusInfo, 0x30, 'status'))[0], 0x02, 'status');
    const code = integerOf(buf, status);
    if (code !== 0n && code !== 1n) return `the authority refused the request (status ${code}${code === 2n ? ': rejection' : code === 3n ? ': waiting' : ''})`;
    const content = childrenOf(buf, expectTag(token, 0x30, 'time-stamp token'));
    const signedData = expectTag(childrenOf(buf, expectTag(content[1], 0xa0, 'signed data'))[0], 0x30, 'signed data');
    const parts = childrenOf(buf, signedData);
    const encap = childrenOf(buf, expectTag(parts[2], 0x30, 'content'));
    const octets = expectTag(childrenOf(buf, expectTag(encap[1], 0xa0, 'TSTInfo'))[0], 0x04, 'TSTInfo');
    const info = childrenOf(buf, expectTag(tlvAt(buf, octets.start, octets.end), 0x30, 'TSTInfo'));
    const imprint = childrenOf(buf, expectTag(info[2], 0x30, 'message imprint'));
    const algorithm = childrenOf(buf, expectTag(imprint[0], 0x30, 'hash algorithm'))[0];
    if (!algorithm || !buf.subarray(algorithm.start - 2, algorithm.end).equals(SHA256_OID)) return 'the message imprint is not a SHA-256';
    const hashed = expectTag(imprint[1], 0x04, 'hashed message');
    const serial = integerOf(buf, expectTag(info[3], 0x02, 'serial number'));
    const genTime = expectTag(info[4], 0x18, 'time');
    const time = generalizedTime(buf.toString('latin1', genTime.start, genTime.end));
    if (!time) return 'its time is not a GeneralizedTime';
    const nonceTlv = info.slice(5).find((t) => t.tag === 0x02);
    let tsa: string | null = null;
    const certificates = parts.find((t) => t.tag === 0xa0);
    if (certificates) {
      const first = childrenOf(buf, certificates)[0];
      if (first) {
        // The certificate's full encoding: its header starts before its content.
        const header = derLength(first.end - first.start).length + 1;
        try {
          tsa = new X509Certificate(buf.subarray(first.start - header, first.end)).subject.replace(/\n/g, ', ');
        } catch {
          tsa = null;
        }
      }
    }
    return { time, imprint: buf.toString('hex', hashed.start, hashed.end), nonce: nonceTlv ? integerOf(buf, nonceTlv) : null, serial, tsa };
  } catch (e) {
    if (e instanceof DerError) return `not a time-stamp response (${e.message})`;
    throw e;
  }
}

/** The token's checks that need no CA: it answers this request (nonce) and stamps these bytes (imprint). */
export function tokenMatches(token: TimestampToken, data: Uint8Array, nonce?: Buffer): string | null {
  const want = hash('sha256', data, 'hex');
  if (token.imprint !== want) return `it stamps the SHA-256 ${token.imprint}, not the checkpoint's ${want}`;
  if (nonce !== undefined && token.nonce !== BigInt(`0x${nonce.toString('hex')}`)) return 'its nonce is not the one asked for (a replayed response?)';
  return null;
}

/** A token with its certificates is a few KiB; verify reads no more than this beside a checkpoint. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** The body, or null as soon as it passes `cap` bytes (the rest is not read). */
async function readCapped(res: Response, cap: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks, total);
    total += value.length;
    if (total > cap) {
      await reader.cancel();
      return null;
    }
    chunks.push(Buffer.from(value));
  }
}

/** Asks the TSA at `url` to stamp `data`; the response, or why there is none. */
export async function requestTimestamp(url: string, data: Uint8Array, timeoutMs = 15_000): Promise<{ response: Buffer; token: TimestampToken } | { problem: string }> {
  const nonce = newNonce();
  let body: Buffer;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body: timestampRequest(data, nonce),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return { problem: `${url} answered HTTP ${res.status}` };
    const got = await readCapped(res, MAX_RESPONSE_BYTES);
    if (got === null) return { problem: `${url} sent more than ${MAX_RESPONSE_BYTES / 1024} KiB, far more than a timestamp token` };
    body = got;
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = (e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (cause?.code ?? cause?.message ?? (e as Error).message);
    return { problem: `${url} could not be reached (${why})` };
  }
  const token = parseTimestampResponse(body);
  if (typeof token === 'string') return { problem: `${url} sent ${token}` };
  const mismatch = tokenMatches(token, data, nonce);
  if (mismatch) return { problem: `${url} sent a token that does not answer the request: ${mismatch}` };
  return { response: body, token };
}

/**
 * `openssl ts -verify` on a response file against the CA certificate `ca`, for the file `data`:
 * null when it says OK, the reason when it does not, `unavailable` when there is no openssl.
 */
export function checkWithOpenssl(responseFile: string, dataFile: string, ca: string): null | { problem: string } | 'unavailable' {
  const r = spawnSync('openssl', ['ts', '-verify', '-in', responseFile, '-data', dataFile, '-CAfile', ca], { encoding: 'utf8', timeout: 30_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return 'unavailable';
  if (r.status === 0 && /Verification: OK/.test(r.stdout)) return null;
  const said = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^Using configuration/.test(l));
  return { problem: said.find((l) => /error|fail/i.test(l)) ?? said[0] ?? `openssl exited with status ${r.status}` };
}
