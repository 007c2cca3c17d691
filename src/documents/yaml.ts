/**
 * YAML documents with source positions. Every leakctl document (playbook, answers file, config,
 * template front matter) is read through here so that any problem can be reported as
 * `FILE:LINE:COL message` at the node that caused it (SPEC section 2).
 */
import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import { InvalidDocument, InvalidInput } from '../ui/errors.js';
import type { SourceProblem } from '../ui/errors.js';

export type PathSegment = string | number;
export type DocPath = readonly PathSegment[];

/** Aliases beyond this many are refused: a "billion laughs" document expands exponentially. */
const MAX_ALIASES = 1000;

export interface YamlSource {
  readonly file: string;
  readonly text: string;
  /** Line offset added to every position (a template's front matter starts on line 2). */
  readonly lineOffset: number;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  /** The plain data of the document (a mapping: checked by `parseYaml`). */
  readonly data: Record<string, unknown>;
}

export interface Position {
  readonly line: number;
  readonly col: number;
}

/** Read a file, naming it in the message when it cannot be read. */
export function readSourceFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InvalidInput(`${file}: no such file`);
    if (code === 'EISDIR') throw new InvalidInput(`${file}: is a directory, expected a YAML file`);
    if (code === 'EACCES') throw new InvalidInput(`${file}: permission denied`);
    throw error;
  }
}

/**
 * Parse YAML text into a mapping with positions. Syntax errors, duplicate keys, empty files and
 * documents that are not a mapping are all reported at once as an InvalidDocument.
 */
export function parseYaml(file: string, text: string, what: string, lineOffset = 0): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const problems: SourceProblem[] = doc.errors.map((error) => {
    const at = error.linePos?.[0] ?? { line: 1, col: 1 };
    return {
      file,
      line: at.line + lineOffset,
      col: at.col,
      message: firstLine(error.message).replace(/ at line \d+, column \d+:?$/, ''),
    };
  });
  if (problems.length > 0) throw new InvalidDocument(problems);

  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    throw new InvalidDocument([
      { file, line: 1 + lineOffset, col: 1, message: `the file is empty; expected ${what}` },
    ]);
  }
  if (!isMap(contents)) {
    const at = nodePosition(lines, contents, lineOffset);
    const found = isSeq(contents) ? 'a list' : 'a single value';
    throw new InvalidDocument([
      { file, ...at, message: `expected ${what} (a mapping of key: value pairs), found ${found}` },
    ]);
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    throw new InvalidDocument([
      {
        file,
        line: 1 + lineOffset,
        col: 1,
        message: `the document expands too many aliases (${firstLine((error as Error).message)})`,
      },
    ]);
  }
  return { file, text, lineOffset, doc, lines, data: data as Record<string, unknown> };
}

/** Read and parse a YAML file in one step. */
export function loadYamlFile(file: string, what: string): YamlSource {
  return parseYaml(file, readSourceFile(file), what);
}

/**
 * The position of the node at `path`. With `key: true`, the position of the mapping key that
 * holds it (where a misspelt or unknown field is). When the path does not exist all the way
 * down, the deepest node found is used: a missing field is reported at its parent.
 */
export function positionAt(source: YamlSource, path: DocPath, key = false): Position {
  let node: Node | null = source.doc.contents as Node | null;
  let pair: Pair | null = null;
  for (const segment of path) {
    if (isMap(node)) {
      const found: Pair | undefined = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      ) as Pair | undefined;
      if (!found) break;
      pair = found;
      node = (found.value as Node | null) ?? (found.key as Node);
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      pair = null;
      node = item;
    } else {
      break;
    }
  }
  const target = key && pair && isPair(pair) ? (pair.key as Node) : node;
  return nodePosition(source.lines, target, source.lineOffset);
}

/** A problem at `path` in `source`. */
export function problemAt(
  source: YamlSource,
  path: DocPath,
  message: string,
  key = false,
): SourceProblem {
  return { file: source.file, ...positionAt(source, path, key), message };
}

function nodePosition(lines: LineCounter, node: Node | null, lineOffset: number): Position {
  const offset = node?.range?.[0] ?? 0;
  const pos = lines.linePos(offset);
  return { line: pos.line + lineOffset, col: pos.col };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
