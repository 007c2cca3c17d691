/**
 * One loading path and one YAML parser for every document (issue 9): `yaml`, with the YAML 1.2
 * core schema, keeping the source positions every FILE:LINE:COL message needs and the source
 * text of every scalar (an answer `00123` given to a text step is the five characters written).
 *
 * Parsing the bundled platform playbook takes tens of milliseconds, on every command that opens
 * an incident. So the build parses the bundled documents with this same code and keeps their
 * data by the SHA-256 of their text (dist/documents.json): a document whose text is unchanged
 * is taken from there, and parsed again with positions only when a position is asked for, that
 * is, when there is a problem to report. Any other text, a user's playbook or an edited bundled
 * one, is parsed.
 */
import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { parseYaml, readSourceFile } from './yaml.js';
import type { YamlSource } from './yaml.js';

/** Where the build keeps the parsed bundled documents: SHA-256 of the text → the data as JSON. */
export const PARSED_DOCUMENTS = 'dist/documents.json';

let parsed: Record<string, string> | null | undefined;

function cached(text: string): unknown {
  if (parsed === undefined) {
    try {
      parsed = JSON.parse(readFileSync(join(packageRoot(), PARSED_DOCUMENTS), 'utf8')) as Record<string, string>;
    } catch {
      // Not built (tests run from src/): every document is parsed.
      parsed = null;
    }
  }
  if (parsed === null) return undefined;
  const json = parsed[hash('sha256', text, 'hex')];
  // A copy for each caller: nothing can change what the next one reads.
  return json === undefined ? undefined : JSON.parse(json);
}

export function parseDocument(file: string, text: string, what: string, lineOffset = 0): YamlSource {
  const data = cached(text);
  if (data === undefined) return parseYaml(file, text, what, lineOffset);
  let positioned: YamlSource | undefined;
  const slow = (): YamlSource => (positioned ??= parseYaml(file, text, what, lineOffset));
  return {
    file,
    text,
    lineOffset,
    data: data as Record<string, unknown>,
    get doc() {
      return slow().doc;
    },
    get lines() {
      return slow().lines;
    },
  };
}

/** Read and parse a document. */
export function loadDocument(file: string, what: string): YamlSource {
  return parseDocument(file, readSourceFile(file, what), what);
}
