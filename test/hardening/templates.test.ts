/**
 * Issue 7, "Hostile input": notice templates are data a non-programmer edits, and answers are
 * data a responder (or an answers file) types. Through the built binary (`render --stdout`):
 *
 * - a template cannot read a file outside the template directories: `include`, `render` and
 *   `layout` with relative escapes, absolute paths, a symbolic link out of the directory, or a
 *   name taken from an answer are refused (exit 2, naming the template and line), and the file's
 *   content never appears. This rests on LiquidJS's `root`/`partials`/`layouts` being the
 *   template directories and on its default `fs`, whose `contains` check resolves real paths: a
 *   custom `fs` without `contains`, or `root: ['/']`, would let these through.
 * - a template cannot reach JavaScript prototypes (`constructor`, `__proto__`), directly, by
 *   index or through filters: it gets nothing, or an undefined-variable error, never a function.
 * - answers are never run as template code: `{{ 7 | times: 6 }}` typed as an answer is printed as
 *   typed, and so is an include tag.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { leakctl } from '../helpers/exec.js';

const root = mkdtempSync(join(tmpdir(), 'leakctl-templates-hostile-'));
const templates = join(root, 'templates');
const outside = join(root, 'outside');
const SECRET = 'TOPSECRET-OUTSIDE-THE-TEMPLATE-DIRECTORY';
const ANSWER = '{{ 7 | times: 6 }} {% include "../outside/secret" %} {{ answers.who }}';

function render(body: string): ReturnType<typeof leakctl> {
  writeFileSync(join(templates, 'evil.liquid'), `---\nid: evil\ntitle: Evil\naudience: members\nsubject: Evil\n---\n${body}\n`);
  return leakctl(['--dir', join(root, 'incidents'), '--templates', templates, 'render', 'inc', '--stdout', 'evil'], { cwd: root });
}

beforeAll(() => {
  mkdirSync(templates, { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'secret.liquid'), `${SECRET}\n`);
  writeFileSync(join(outside, 'secret'), `${SECRET}\n`);
  symlinkSync(join(outside, 'secret.liquid'), join(templates, 'link.liquid'));
  writeFileSync(join(templates, 'partial.liquid'), 'partial inside the directory\n');
  writeFileSync(
    join(root, 'p.yaml'),
    'schema: leakctl/playbook@1\nid: tpl\ntitle: T\ncause: other\nsummary: S\nphases:\n  - id: p\n    title: P\n    steps:\n      - { id: who, kind: text, prompt: Who? }\n      - { id: name, kind: text, prompt: Name? }\n',
  );
  writeFileSync(join(root, 'a.yaml'), `schema: leakctl/answers@1\nnow: 2026-03-02T09:00:00Z\nanswers:\n  who: ${JSON.stringify(ANSWER)}\n  name: ../outside/secret\n`);
  const r = leakctl(['--dir', join(root, 'incidents'), 'start', join(root, 'p.yaml'), '--answers', join(root, 'a.yaml'), '--id', 'inc'], { cwd: root });
  expect(r.code, r.stderr).toBe(0);
});

describe('templates read only from the template directories', () => {
  const escapes: [string, string][] = [
    ['include with ../', '{% include "../outside/secret" %}'],
    ['include of an absolute path', `{% include "${join(outside, 'secret.liquid')}" %}`],
    ['include of /etc/passwd', '{% include "/etc/passwd" %}'],
    ['render with ../', '{% render "../outside/secret" %}'],
    ['render of an absolute path', `{% render "${join(outside, 'secret')}" %}`],
    ['layout with ../', '{% layout "../outside/secret" %}body'],
    ['layout of an absolute path', `{% layout "${join(outside, 'secret.liquid')}" %}body`],
    ['include through a symbolic link out of the directory', '{% include "link" %}'],
    ['include of a name taken from an answer', '{% include answers.name %}'],
  ];
  for (const [what, body] of escapes) {
    it(`refuses ${what}`, () => {
      const r = render(body);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toContain(`${join(templates, 'evil.liquid')}:7:`);
      expect(r.stderr).toContain('template evil: ');
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      expect(r.stdout + r.stderr).not.toContain('root:x:0:0');
    });
  }

  it('still includes a partial that is inside the directory', () => {
    const r = render('{% include "partial" %}');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('partial inside the directory');
  });
});

describe('templates cannot reach JavaScript prototypes', () => {
  const probes = [
    '{{ answers.constructor }}',
    '{{ org.__proto__ }}',
    '{{ answers.who.constructor.constructor }}',
    '{{ answers["constructor"] }}',
    '{{ incident.constructor.name }}',
    '{% for a in answers %}{{ a[1].constructor }}{% endfor %}',
    '{{ answers | map: "constructor" | join: "," }}',
    '{% assign s = "x" | split: "" %}{{ s | map: "constructor" | join: "," }}{{ s.first.constructor }}',
    '{{ answers.__proto__.polluted }}',
  ];
  for (const probe of probes) {
    it(`${probe} gives nothing or an error`, () => {
      const r = render(probe);
      expect([0, 2]).toContain(r.code);
      if (r.code === 2) expect(r.stderr).toMatch(/template evil: (undefined variable|.*)/);
      // What a reachable constructor would print.
      expect(r.stdout).not.toMatch(/function|native code|Object|String|\[object/);
    });
  }
});

describe('answers are data, never template code', () => {
  it('an answer holding Liquid is printed as typed', () => {
    const r = render('Who: {{ answers.who }}');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Who: ${ANSWER}`);
    expect(r.stdout).not.toContain('Who: 42');
    expect(r.stdout).not.toContain(SECRET);
  });
});
