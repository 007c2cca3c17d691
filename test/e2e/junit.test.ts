/**
 * `drill --junit` writes what CI servers read: checked with xmllint against the JUnit schema CI
 * servers use (test/fixtures/junit/junit-10.xsd), with characters XML 1.0 does not allow in the
 * playbook and the answers, and a step that did not apply reported as skipped (issue 9).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { inProcess } from '../helpers/cli.js';

const xsd = join(import.meta.dirname, '..', 'fixtures', 'junit', 'junit-10.xsd');
const xmllint = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
const noXmllint = xmllint.error ? 'xmllint is not installed (Debian: libxml2-utils; .ci/run installs it)' : null;
if (noXmllint) console.log(`test/e2e/junit.test.ts: skipped: ${noXmllint}`);

const tmp = mkdtempSync(join(tmpdir(), 'leakctl-junit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const playbook = `schema: leakctl/playbook@1
id: odd-characters
title: "A drill \\uFFFE with odd characters \\u0007"
cause: other
summary: Characters XML 1.0 cannot carry, in a title, a prompt and an answer.
phases:
  - id: first
    title: First
    steps:
      - { id: discovered_at, kind: datetime, prompt: "When \\uFFFF did you learn of it?" }
      - { id: note, kind: text, prompt: "Anything \\u0001 to say?" }
      - { id: payment_told, kind: confirm, prompt: "Was the card processor told?", when: { step: note, equals: payment } }
      - { id: told_at, kind: datetime, prompt: "When was the authority told?" }
deadlines:
  - { id: authority, title: "Tell the authority \\uFFFE", from: discovered_at, within: PT72H, met_by: told_at }
`;

describe.skipIf(noXmllint !== null)(`drill --junit checked by xmllint against the JUnit schema${noXmllint ? ` (skipped: ${noXmllint})` : ''}`, () => {
  it('is valid XML 1.0 and valid JUnit, shows the odd characters as \\u{…}, and reports a step that did not apply as skipped', async () => {
    writeFileSync(join(tmp, 'odd.yaml'), playbook);
    writeFileSync(
      join(tmp, 'answers.yaml'),
      'schema: leakctl/answers@1\nnow: 2026-03-02T09:00:00Z\nanswers:\n  discovered_at: 2026-03-02T08:00:00Z\n  note: "an answer \\uFFFE here"\n  told_at: { value: 2026-03-06T09:00:00Z, after: P4D }\n',
    );
    const r = await inProcess(['drill', join(tmp, 'odd.yaml'), '--answers', join(tmp, 'answers.yaml'), '--junit', join(tmp, 'report.xml'), '--dir', join(tmp, 'inc')]);
    expect(r.code, r.stderr).toBe(3);
    const lint = spawnSync('xmllint', ['--noout', '--schema', xsd, join(tmp, 'report.xml')], { encoding: 'utf8', timeout: 30_000 });
    expect(lint.status, lint.stderr).toBe(0);
    expect(lint.stderr).toContain('validates');
    const text = readFileSync(join(tmp, 'report.xml'), 'utf8');
    expect(text).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
    expect(text).toContain('Tell the authority \\u{fffe}');
    const report = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' }).parse(text) as {
      testsuites: { skipped: string; failures: string; testsuite: { skipped: string; testcase: { name: string; skipped?: { message: string }; failure?: unknown }[] } };
    };
    const suite = report.testsuites.testsuite;
    const skipped = suite.testcase.filter((c) => c.skipped);
    expect(skipped.map((c) => c.name)).toEqual(['payment_told: Was the card processor told?']);
    expect(skipped[0]!.skipped!.message).toBe('did not apply: condition not met: note is "payment"');
    expect([suite.skipped, report.testsuites.skipped]).toEqual(['1', '1']);
    // The authority was told after 96 hours: the one failure.
    expect(suite.testcase.filter((c) => c.failure).map((c) => c.name)).toEqual(['authority: Tell the authority \\u{fffe}']);
  });

  it('reports a required step left deferred or declined as a failure with its reason, still valid JUnit', async () => {
    writeFileSync(join(tmp, 'odd.yaml'), playbook);
    writeFileSync(
      join(tmp, 'marked.yaml'),
      'schema: leakctl/answers@1\nnow: 2026-03-02T09:00:00Z\nanswers:\n  discovered_at: 2026-03-02T08:00:00Z\n  note: { decline: "no <notes> & \\u0007 none" }\n  told_at: { defer: "counsel first" }\n',
    );
    const r = await inProcess(['drill', join(tmp, 'odd.yaml'), '--answers', join(tmp, 'marked.yaml'), '--junit', join(tmp, 'marked.xml'), '--dir', join(tmp, 'inc2')]);
    expect(r.code, r.stderr).toBe(3);
    const lint = spawnSync('xmllint', ['--noout', '--schema', xsd, join(tmp, 'marked.xml')], { encoding: 'utf8', timeout: 30_000 });
    expect(lint.status, lint.stderr).toBe(0);
    const report = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' }).parse(readFileSync(join(tmp, 'marked.xml'), 'utf8')) as {
      testsuites: { testsuite: { testcase: { name: string; failure?: { message: string } }[] } };
    };
    const failures = report.testsuites.testsuite.testcase.filter((c) => c.failure).map((c) => c.failure!.message);
    expect(failures).toEqual([
      'required step note (Anything \\u{1} to say?) was declined: no <notes> & \\u{7} none',
      'required step told_at (When was the authority told?) was left open, deferred: counsel first',
    ]);
  });
});
