/**
 * Notice templates (SPEC section 5): `<id>.liquid` files with YAML front matter, found in the
 * template search path. Rendering lives elsewhere; this module only finds and reads them.
 */
import { checkSchema } from '../documents/check.js';
import { TEMPLATE_EXTENSION } from '../documents/files.js';
import { parseDocument } from '../documents/load.js';
import { problemAt, readSourceFile } from '../documents/yaml.js';
import { InvalidDocument } from '../ui/errors.js';
import type { TEMPLATE_READERS } from '../schemas/template.js';

export type DraftFormat = 'txt' | 'md' | 'eml';

export interface Template {
  readonly id: string;
  readonly title: string;
  readonly audience: string;
  /** Who reads it (front matter `reader`, default authority). */
  readonly reader: (typeof TEMPLATE_READERS)[number];
  readonly subject: string;
  readonly formats: readonly DraftFormat[];
  /** A step listing locations, one per line: one draft per host (front matter `each_host`). */
  readonly each_host?: string;
  /** Paragraphs shown as headings in the HTML part of an .eml (front matter `headings`). */
  readonly headings: readonly string[];
  readonly file: string;
  /** The Liquid text after the front matter, and the line it starts on. */
  readonly body: string;
  readonly bodyLine: number;
  /** The front matter's YAML text, for positions of its fields. */
  readonly frontMatter: string;
}


export const TEMPLATE_WHAT = 'template front matter (id, title, audience, subject)';

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)^---[ \t]*(?:\r?\n|$)/m;

/** A template's front matter (its YAML text) and where its body starts, or null when it has none. */
export function splitFrontMatter(text: string): { yaml: string; bodyStart: number; bodyLine: number } | null {
  const match = text.startsWith('---') ? FRONT_MATTER.exec(text) : null;
  if (!match || match.index !== 0) return null;
  return { yaml: match[1] ?? '', bodyStart: match[0].length, bodyLine: match[0].split('\n').length };
}

/** Read a template file and check its front matter. */
export function readTemplate(file: string): Template {
  const text = readSourceFile(file, 'a notice template (.liquid)');
  const front = splitFrontMatter(text);
  if (!front) {
    throw new InvalidDocument([
      {
        file,
        line: 1,
        col: 1,
        message: 'missing front matter: a template starts with a --- line, then id, title, audience and subject, then a --- line',
      },
    ]);
  }
  const yamlText = front.yaml;
  const source = parseDocument(file, yamlText, TEMPLATE_WHAT, 1);
  const problems = checkSchema(source, 'template');
  const expected = file.split(/[\\/]/).pop()?.slice(0, -TEMPLATE_EXTENSION.length);
  if (typeof source.data.id === 'string' && expected !== undefined && source.data.id !== expected) {
    problems.push(problemAt(source, ['id'], `id "${source.data.id}" does not match the file name ${expected}${TEMPLATE_EXTENSION}; rename one of them`));
  }
  if (problems.length > 0) throw new InvalidDocument(problems);
  const data = source.data;
  const body = text.slice(front.bodyStart);
  return {
    id: data.id as string,
    title: data.title as string,
    audience: data.audience as string,
    reader: (data.reader as Template['reader'] | undefined) ?? 'authority',
    subject: data.subject as string,
    formats: (data.formats as DraftFormat[] | undefined) ?? ['txt'],
    headings: (data.headings as string[] | undefined) ?? [],
    ...(typeof data.each_host === 'string' ? { each_host: data.each_host } : {}),
    file,
    body,
    bodyLine: front.bodyLine,
    frontMatter: yamlText,
  };
}
