/**
 * RFC 3161 timestamps on checkpoints (issue 16, item 2), against a local timestamp authority run
 * by `openssl ts -reply` with a test CA made here (helpers/tsa.ts): no network. A seal with
 * `tsa_url:` stores a token that stock `openssl ts -verify` accepts; verify reports the time and
 * the authority; a token moved to another checkpoint or altered fails; an unreachable authority
 * leaves a seal without a timestamp that says so; the bundle's VERIFY.md checks the tokens with
 * openssl alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTimestampResponse } from '../../src/evidence/timestamp.js';
import { inProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/exec.js';
import { commandsOf, readerToolsMissing, runAsReader } from '../helpers/reader.js';
import { noSshKeygen, sealedIncident } from '../helpers/sealed.js';
import { noOpenssl, startTsa, type LocalTsa } from '../helpers/tsa.js';

const skip = noSshKeygen ?? noOpenssl ?? readerToolsMissing;
const tmp = mkdtempSync(join(tmpdir(), 'leakctl-tsa-'));
let tsa: LocalTsa | undefined;
beforeAll(async () => {
  if (!skip) tsa = await startTsa(join(tmp, 'tsa'));
});
afterAll(async () => {
  await tsa?.close();
  rmSync(tmp, { recursive: true, force: true });
});

let made = 0;
const caseDir = (): string => join(tmp, `case-${++made}`);
const checkpointsOf = (dir: string): string[] => readdirSync(join(dir, 's', 'checkpoints')).filter((n) => n.endsWith('.checkpoint')).sort();

describe.skipIf(skip !== null)(`RFC 3161 timestamps${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('a seal with tsa_url stores a token that openssl ts -verify accepts, and verify says when and by whom', async () => {
    const { cwd, dir, sealStderr } = await sealedIncident(caseDir(), { config: `tsa_url: ${tsa!.url}\ntsa_ca: ${tsa!.ca}\n` });
    expect(sealStderr).toMatch(/Timestamped 20\d\d-\d\d-\d\dT[\d:.]+Z by O=Test TSA, CN=Test Timestamp Authority: checkpoints\/\d{8}-[0-9a-f]{12}\.checkpoint\.tsr\./);
    const [checkpoint] = checkpointsOf(dir);
    const where = join(dir, 's', 'checkpoints');
    const stock = spawnSync('openssl', ['ts', '-verify', '-in', join(where, `${checkpoint}.tsr`), '-data', join(where, checkpoint!), '-CAfile', tsa!.ca], { encoding: 'utf8' });
    expect(stock.stdout + stock.stderr).toContain('Verification: OK');
    const verify = await inProcess(['--dir', dir, 'verify', 's'], { cwd });
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stderr).toMatch(/signed by dana@example\.org \(SHA256:\S+\); timestamped 20\d\d-[\d-]+T[\d:.]+Z by O=Test TSA, CN=Test Timestamp Authority\./);
    const log = readFileSync(join(dir, 's', 'evidence.jsonl'), 'utf8');
    expect(log).toMatch(/"type":"checkpoint\.sealed".*"timestamp":"checkpoints\/\d{8}-[0-9a-f]{12}\.checkpoint\.tsr".*"timestamped_at":"20/);
    // Without the CA, the token is read (its imprint must match) but its signature is not checked, and verify says so.
    writeFileSync(join(cwd, 'leakctl.config.yaml'), 'schema: leakctl/config@1\nallowed_signers: allowed_signers\n');
    const unchecked = await inProcess(['--dir', dir, 'verify', 's'], { cwd });
    expect(unchecked.code).toBe(0);
    expect(unchecked.stderr).toContain('(token not checked: no CA certificate of the timestamp authority to check it against (tsa_ca: in leakctl.config.yaml, or verify --tsa-ca FILE))');
    const given = await inProcess(['--dir', dir, 'verify', 's', '--tsa-ca', tsa!.ca], { cwd });
    expect(given.code, given.stderr).toBe(0);
    expect(given.stderr).not.toContain('token not checked');
    expect(given.stderr).toMatch(/timestamped 20\d\d-[\d-]+T[\d:.]+Z by O=Test TSA/);
    // The token's reader never throws, however the bytes are cut or changed: each is a reason or a token.
    const token = readFileSync(join(where, `${checkpoint}.tsr`));
    for (let n = 0; n < token.length; n += 7) expect(typeof parseTimestampResponse(token.subarray(0, n))).toBe('string');
    for (let i = 0; i < token.length; i += 11) {
      const bent = Buffer.from(token);
      bent[i] = (bent[i] as number) ^ 0xff;
      expect(() => parseTimestampResponse(bent)).not.toThrow();
    }
  });

  it('a token moved to another checkpoint, or altered, fails verify with exit 3 naming it', async () => {
    const { cwd, dir } = await sealedIncident(caseDir(), { config: `tsa_url: ${tsa!.url}\ntsa_ca: ${tsa!.ca}\n` });
    expect((await inProcess(['--dir', dir, 'note', 's', 'later'], { cwd })).code).toBe(0);
    expect((await inProcess(['--dir', dir, 'seal', 's'], { cwd })).code).toBe(0);
    const [first, second] = checkpointsOf(dir);
    const where = join(dir, 's', 'checkpoints');
    const token = readFileSync(join(where, `${first}.tsr`));
    writeFileSync(join(where, `${second}.tsr`), token);
    const moved = await inProcess(['--dir', dir, 'verify', 's'], { cwd });
    expect(moved.code).toBe(3);
    expect(moved.stderr).toContain(`checkpoints/${second}.tsr: its timestamp is not good: it stamps the SHA-256`);
    // The bundle's verifier agrees: the token does not stamp that checkpoint.
    const python = spawnSync('python3', [join(ROOT, 'verifier', 'verify.py'), join(dir, 's')], { encoding: 'utf8' });
    expect(python.status).toBe(3);
    expect(python.stdout).toContain(`checkpoints/${second}.tsr: its timestamp is not good: it does not stamp this checkpoint's SHA-256`);
    // The signature inside the token changed: the imprint still matches, and openssl refuses it.
    const altered = Buffer.from(token);
    altered[altered.length - 5] ^= 0x01;
    writeFileSync(join(where, `${first}.tsr`), altered);
    const bad = await inProcess(['--dir', dir, 'verify', 's'], { cwd });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain(`checkpoints/${first}.tsr: its timestamp is not good: openssl ts -verify refused it`);
  });

  it('an authority that cannot be reached: the seal stands, without a timestamp, and says so', async () => {
    const answeredBefore = tsa!.answered();
    // A port nothing listens on: one the system gave out and took back.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/tsa`;
    const { dir, sealStderr } = await sealedIncident(caseDir(), { config: `tsa_url: ${url}\n` });
    expect(sealStderr).toContain(`No timestamp: ${url} could not be reached (ECONNREFUSED). The seal stands without one; seal again later to add one.`);
    expect(readdirSync(join(dir, 's', 'checkpoints')).filter((n) => n.endsWith('.tsr'))).toEqual([]);
    expect(tsa!.answered()).toBe(answeredBefore);
    // Closing seals the closed log, which nothing can follow: no "seal again later" is offered.
    const closing = await inProcess(['--dir', dir, 'close', 's'], { cwd: join(dir, '..') });
    expect(closing.code, closing.stderr).toBe(0);
    expect(closing.stderr).toContain(`No timestamp: ${url} could not be reached (ECONNREFUSED). The seal stands without one.`);
    expect(closing.stderr).not.toContain('seal again later');
  });

  it('an authority that sends far more than a token: nothing of it is kept, and the seal says why', async () => {
    const flood = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/timestamp-reply' });
      res.end(Buffer.alloc(200 * 1024, 0x30));
    });
    await new Promise<void>((resolve) => flood.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(flood.address() as AddressInfo).port}/tsa`;
    try {
      const { dir, sealStderr } = await sealedIncident(caseDir(), { config: `tsa_url: ${url}\n` });
      expect(sealStderr).toContain(`No timestamp: ${url} sent more than 64 KiB, far more than a timestamp token. The seal stands without one; seal again later to add one.`);
      expect(readdirSync(join(dir, 's', 'checkpoints')).filter((n) => n.endsWith('.tsr'))).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => flood.close(() => resolve()));
    }
  });

  it("the bundle carries the tokens and the TSA's certificate, and VERIFY.md checks them with openssl alone", async () => {
    const { cwd, dir } = await sealedIncident(caseDir(), { config: `tsa_url: ${tsa!.url}\ntsa_ca: ${tsa!.ca}\n` });
    const r = await inProcess(['--dir', dir, 'export', 's', '--bundle', 'b'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const bundle = join(cwd, 'b');
    expect(existsSync(join(bundle, 'tsa-ca.pem'))).toBe(true);
    const commands = commandsOf(readFileSync(join(bundle, 'VERIFY.md'), 'utf8'));
    expect(commands.map((c) => c.split(' ')[0])).toEqual(['sha256sum', 'python3', 'ssh-keygen', 'openssl']);
    for (const command of commands) {
      const ran = runAsReader(tmp, bundle, command);
      expect(ran.status, `${command}\n${ran.out}`).toBe(0);
    }
    expect(runAsReader(tmp, bundle, commands[3]!).out).toContain('Verification: OK');
  });
});
