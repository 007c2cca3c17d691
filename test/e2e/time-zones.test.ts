/**
 * The same drills give the same clocks, verdicts and logs under any time zone of the machine
 * (issue 9): each is run under five TZ values (UTC, zones either side of it, one with a 30-minute
 * summer-time shift) and everything it writes and prints is compared.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/exec.js';
import { startLeakctl } from '../helpers/processes.js';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
const tmp = mkdtempSync(join(tmpdir(), 'leakctl-zones-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const drills = [
  { name: 'the bundled platform drill', args: ['drill', 'platform-leak', '--answers', join(ROOT, 'playbooks', 'drills', 'platform-leak.yaml')] },
  { name: 'the bundled member drill', args: ['drill', 'member-leak', '--answers', join(ROOT, 'playbooks', 'drills', 'member-leak.yaml')] },
  {
    name: 'a drill with 72 hours over a weekend and 4 business days',
    args: ['drill', join(ROOT, 'test', 'e2e', 'fixtures', 'drill', 'drill-72h.yaml'), '--answers', join(ROOT, 'test', 'e2e', 'fixtures', 'drill', 'on-time.yaml')],
  },
];

describe('drills under five machine time zones', () => {
  for (const drill of drills) {
    it(`${drill.name}: identical verdict, clocks, JSON and evidence log`, async () => {
      const runs = await Promise.all(
        ZONES.map(async (zone) => {
          const dir = join(tmp, drill.name.replace(/\W+/g, '-'), zone.replace('/', '-'));
          const r = await startLeakctl([...drill.args, '--id', 'tz', '--dir', dir, '--json'], { env: { TZ: zone }, timeoutMs: 120_000 }).ended;
          return { zone, code: r.code, json: r.stdout.split(dir).join('<dir>'), stderr: r.stderr, log: readFileSync(join(dir, 'tz', 'evidence.jsonl'), 'utf8') };
        }),
      );
      const [first, ...rest] = runs;
      expect(first!.code, first!.stderr).toBe(0);
      const verdict = JSON.parse(first!.json) as { result: string; deadlines: unknown[] };
      expect(verdict.result).toBe('pass');
      expect(verdict.deadlines.length).toBeGreaterThan(0);
      for (const run of rest) {
        expect({ zone: run.zone, code: run.code }).toEqual({ zone: run.zone, code: first!.code });
        expect(run.json, run.zone).toBe(first!.json);
        expect(run.log, run.zone).toBe(first!.log);
      }
    }, 180_000);
  }
});

/**
 * Times on screen are in the config's `timezone`, else the machine's zone, and always carry their
 * offset (issue 9: they were always UTC, whatever the machine's zone, when the config set none).
 */
describe('the zone times are shown in', () => {
  const dir = join(tmp, 'display');
  const drillArgs = ['drill', 'platform-leak', '--answers', join(ROOT, 'playbooks', 'drills', 'platform-leak.yaml'), '--id', 'shown', '--dir', dir];
  const status = (zone: string, cwd: string) => startLeakctl(['status', 'shown', '--dir', dir, '--now', '2026-03-03T09:00:00Z'], { cwd, env: { TZ: zone }, timeoutMs: 60_000 }).ended;

  it("is the machine's when the config names none, and the config's when it does; the log is the same UTC either way", async () => {
    const made = await startLeakctl(drillArgs, { cwd: tmp, env: { TZ: 'UTC' }, timeoutMs: 120_000 }).ended;
    expect(made.code, made.stderr).toBe(0);

    const berlin = await status('Europe/Berlin', tmp);
    expect(berlin.code, berlin.stderr).toBe(0);
    expect(berlin.stdout).toContain('Opened Mon 2 Mar 2026 10:00 CET (UTC+01:00) by drill-bot');
    const kolkata = await status('Asia/Kolkata', tmp);
    expect(kolkata.stdout).toContain('Opened Mon 2 Mar 2026 14:30 GMT+5:30 (UTC+05:30) by drill-bot');

    // A zone no database knows is shown as UTC, as the C library takes it, not a crash (exit 1).
    const unknown = await status('Mars/Olympus_Mons', tmp);
    expect(unknown.code, unknown.stderr).toBe(0);
    expect(unknown.stdout).toContain('Opened Mon 2 Mar 2026 09:00 UTC by drill-bot');

    const configured = join(tmp, 'configured');
    mkdirSync(configured);
    writeFileSync(join(configured, 'leakctl.config.yaml'), 'schema: leakctl/config@1\ntimezone: UTC\n');
    const utc = await status('Europe/Berlin', configured);
    expect(utc.code, utc.stderr).toBe(0);
    expect(utc.stdout).toContain('Opened Mon 2 Mar 2026 09:00 UTC by drill-bot');
    expect(readFileSync(join(dir, 'shown', 'evidence.jsonl'), 'utf8')).toMatch(/^\{"seq":0,"at":"2026-03-02T09:00:00\.000Z"/);
  }, 180_000);
});
