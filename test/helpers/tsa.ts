/**
 * A timestamp authority on 127.0.0.1 for the tests of issue 16: a test CA and a TSA certificate
 * (extendedKeyUsage critical timeStamping) made with openssl in a temporary directory, and an HTTP
 * server that answers each RFC 3161 request with `openssl ts -reply`. No network.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const noOpenssl = spawnSync('openssl', ['version']).status === 0 ? null : 'openssl is not installed';

export interface LocalTsa {
  readonly url: string;
  /** The CA certificate (PEM) tokens are checked against. */
  readonly ca: string;
  /** Requests answered so far. */
  readonly answered: () => number;
  close(): Promise<void>;
}

function openssl(cwd: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

export async function startTsa(dir: string): Promise<LocalTsa> {
  mkdirSync(dir, { recursive: true });
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=Test Root CA']);
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'tsa.key', '-out', 'tsa.csr', '-subj', '/O=Test TSA/CN=Test Timestamp Authority']);
  writeFileSync(join(dir, 'tsa.ext'), 'extendedKeyUsage = critical,timeStamping\nkeyUsage = critical,digitalSignature\n');
  openssl(dir, ['x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tsa.pem', '-days', '3650', '-extfile', 'tsa.ext']);
  writeFileSync(join(dir, 'serial'), '01\n');
  writeFileSync(
    join(dir, 'tsa.cnf'),
    `[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\nserial = ${join(dir, 'serial')}\nsigner_cert = ${join(dir, 'tsa.pem')}\nsigner_key = ${join(dir, 'tsa.key')}\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\naccuracy = secs:1\nordering = no\ntsa_name = yes\ness_cert_id_alg = sha256\ncrypto_device = builtin\n`,
  );
  let answered = 0;
  let n = 0;
  const run = promisify(execFile);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = ++n;
      const query = join(dir, `q${id}.tsq`);
      const reply = join(dir, `r${id}.tsr`);
      writeFileSync(query, Buffer.concat(chunks));
      run('openssl', ['ts', '-reply', '-config', join(dir, 'tsa.cnf'), '-queryfile', query, '-out', reply]).then(
        () => {
          answered += 1;
          res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(readFileSync(reply));
        },
        (e: Error) => res.writeHead(500).end(e.message),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    ca: join(dir, 'ca.pem'),
    answered: () => answered,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
