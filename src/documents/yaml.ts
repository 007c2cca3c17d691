/**
 * YAML documents with source positions. Every leakctl document (playbook, answers file, config,
 * template front matter) is read through here so that any problem can be reported as
 * `FILE:LINE:COL message` at the node that caused it (SPEC section 2).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { LIMITS } from '../schemas/limits.js';
import * as YAML from 'yaml';
import type { Document, LineCounter, Node, Pair } from 'yaml';
import { InvalidDocument, InvalidInput } from '../ui/errors.js';
import type { SourceProblem } from '../ui/errors.js';
import { printable, printableLine } from '../ui/text.js';


export type PathSegment = string | number;
export type DocPath = readonly PathSegment[];

/** Aliases beyond this many are refused: a "billion laughs" document expands exponentially. */
const MAX_ALIASES = 1000;
/**
 * Deeper nesting than this is refused before anything walks the data: the deepest leakctl
 * document (conditions inside conditions) needs about 30 levels, and the checks, ajv and the
 * condition evaluator recurse, so an unbounded depth would end in a stack overflow (exit 1).
 */
export const MAX_DEPTH = LIMITS.depth;
/** Nodes that aliases may add to a document when it is expanded (issue 7: alias bombs). */
export const MAX_ALIAS_EXPANSION = 100_000;

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
export function readSourceFile(file: string, what?: string): string {
  return readSourceBytes(file, what).toString('utf8');
}

/**
 * The file's bytes, or exit 2 naming the file and what is wrong with it. Only a regular file is
 * read, and never more than the bound (issue 9): a named pipe would block the read, a device such
 * as /dev/zero never ends, and neither has a size to check first. O_NONBLOCK lets the open itself
 * return on a pipe with no writer.
 */
export function readSourceBytes(file: string, what = 'a YAML file'): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw unreadable(file, what, error);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InvalidInput(`${file}: is a directory, expected ${what}`);
    if (!st.isFile()) {
      const kind = st.isFIFO() ? 'a named pipe' : st.isSocket() ? 'a socket' : 'a device file';
      throw new InvalidInput(`${file}: is ${kind}, not a regular file; save ${what} to a file and name that`);
    }
    const tooBig = (size: number) =>
      new InvalidInput(`${file}: ${(size / 1024 / 1024).toFixed(1)} MiB, more than the ${LIMITS.documentBytes / 1024 / 1024} MiB leakctl reads as ${what}; is it the right file?`);
    if (st.size > LIMITS.documentBytes) throw tooBig(st.size);
    // Read to the end, but no further than the bound, whatever the size said (a file may grow).
    let buffer = Buffer.allocUnsafe(st.size + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > LIMITS.documentBytes) throw tooBig(length);
        const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, LIMITS.documentBytes + 1));
        buffer.copy(bigger);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) return buffer.subarray(0, length);
      length += n;
    }
  } catch (error) {
    if (error instanceof InvalidInput) throw error;
    throw unreadable(file, what, error);
  } finally {
    closeSync(fd);
  }
}

function unreadable(file: string, what: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new InvalidInput(`${file}: no such file`);
  if (code === 'EISDIR') return new InvalidInput(`${file}: is a directory, expected ${what}`);
  if (code === 'EACCES' || code === 'EPERM') return new InvalidInput(`${file}: permission denied; make it readable for your user`);
  if (code === 'ENOTDIR') return new InvalidInput(`${file}: a part of this path is not a directory`);
  if (code === 'ELOOP') return new InvalidInput(`${file}: too many symbolic links (a link that points at itself?); name the file itself`);
  if (code === 'ENAMETOOLONG') return new InvalidInput(`${file}: the path is too long for this system; name a shorter one`);
  // EIO, EAGAIN (a file locked by another program), a network share gone away: still the user's
  // file that cannot be read, which is bad input, named with the system's reason.
  if (typeof code === 'string') return new InvalidInput(`${file}: cannot be read as ${what} (${code}: ${(error as Error).message.split(',')[0]}); check the file and try again`);
  return error as Error;
}

/**
 * Parse YAML text into a mapping with positions. Syntax errors, duplicate keys, empty files and
 * documents that are not a mapping are all reported at once as an InvalidDocument.
 */
export function parseYaml(file: string, text: string, what: string, lineOffset = 0): YamlSource {
  const { doc, lines } = parseNodes(file, text, lineOffset);
  const contents = doc.contents;
  if (contents === null || (YAML.isScalar(contents) && contents.value === null)) {
    throw new InvalidDocument([
      { file, line: 1 + lineOffset, col: 1, message: `the file is empty; expected ${what}` },
    ]);
  }
  if (!YAML.isMap(contents)) {
    const at = nodePosition(lines, contents, lineOffset);
    const found = YAML.isSeq(contents) ? 'a list' : 'a single value';
    throw new InvalidDocument([
      { file, ...at, message: `expected ${what} (a mapping of key: value pairs), found ${found}` },
    ]);
  }
  const data = dataOf(file, doc, lines, lineOffset) as Record<string, unknown>;
  return { file, text, lineOffset, doc, lines, data };
}

/**
 * A value given as YAML on the command line (`amend --value`), within the same bounds as a
 * document: its data, and for a scalar its characters as written. Undefined when the text is not
 * YAML at all (the caller takes it as text); exit 2, labelled `label`, for nesting or aliases
 * beyond the bounds.
 */
export function parseYamlValue(label: string, text: string): { value: unknown } | undefined {
  let parsed: { doc: Document.Parsed; lines: LineCounter };
  try {
    parsed = parseNodes(label, text, 0);
  } catch (error) {
    if (error instanceof InvalidDocument) return undefined;
    throw error;
  }
  const contents = parsed.doc.contents;
  return { value: contents === null ? null : dataOf(label, parsed.doc, parsed.lines, 0) };
}

/** The parse itself: syntax errors, all at once, and nesting that exhausts the parser, as one. */
function parseNodes(file: string, text: string, lineOffset: number): { doc: Document.Parsed; lines: LineCounter } {
  const lines = new (YAML.LineCounter)();
  let doc: Document.Parsed;
  try {
    // The YAML 1.2 core schema, whatever a `%YAML 1.1` directive says: 1.1's !!set, !!omap,
    // !!binary and timestamps would turn into Set, Map, Buffer and Date objects that no schema
    // or check expects. Log level `error`: the yaml library must not print warnings itself.
    // uniqueKeys: false, and duplicates found by shapeProblems instead: the library compares each
    // new key with every earlier one, which takes seconds for a mapping of 20,000 keys (issue 9).
    doc = YAML.parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: false, schema: 'core', logLevel: 'error' });
  } catch (error) {
    // The parser recursing past the stack (it catches this itself in most places).
    if (error instanceof RangeError) throw tooDeep(file, { line: 1 + lineOffset, col: 1 });
    throw error;
  }
  // Nesting deep enough to exhaust the parser's stack: one clear problem, not a cascade.
  const exhausted = doc.errors.find((error) => error.code === 'RESOURCE_EXHAUSTION');
  if (exhausted) {
    const at = exhausted.linePos?.[0] ?? { line: 1, col: 1 };
    throw tooDeep(file, { line: at.line + lineOffset, col: at.col });
  }
  const problems: SourceProblem[] = doc.errors.map((error) => {
    const at = error.linePos?.[0] ?? { line: 1, col: 1 };
    return {
      file,
      line: at.line + lineOffset,
      col: at.col,
      message: printableLine(firstLine(error.message).replace(/ at line \d+, column \d+:?$/, '')),
    };
  });
  if (problems.length > 0) throw new InvalidDocument(problems);
  return { doc, lines };
}

/** The plain data of a parsed document, once its shape is within the bounds (shapeProblems). */
function dataOf(file: string, doc: Document.Parsed, lines: LineCounter, lineOffset: number): unknown {
  const shape = shapeProblems(doc.contents as Node, (node) => nodePosition(lines, node, lineOffset));
  if (shape.length > 0) throw new InvalidDocument(shape.map((p) => ({ file, ...p })));
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
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
}

function tooDeep(file: string, at: Position): InvalidDocument {
  return new InvalidDocument([
    { file, ...at, message: `the document is nested too deeply (more than ${MAX_DEPTH} levels of lists and mappings)` },
  ]);
}

/**
 * What the parser accepts but leakctl refuses before turning the document into data: nesting
 * deeper than MAX_DEPTH (counted through aliases), an alias inside the node it names (a cycle:
 * the data would contain itself), an alias with no anchor before it, aliases that expand the
 * document by more than MAX_ALIAS_EXPANSION nodes ("billion laughs"), and keys that are lists or
 * mappings. One walk of the node tree, in document order; an alias reuses the figures of the
 * node it names, so the walk is linear in the size of the text however the aliases multiply.
 */
function shapeProblems(root: Node, position: (node: Node) => Position): (Position & { message: string })[] {
  type Figures = { readonly height: number; readonly size: number };
  const problems: (Position & { message: string })[] = [];
  const stop = (node: Node, message: string): never => {
    problems.push({ ...position(node), message });
    throw STOP;
  };
  const anchors = new Map<string, Node>();
  const figuresOf = new Map<Node, Figures>();
  const open = new Set<Node>();
  let added = 0;

  // height: levels of lists and mappings (a scalar is 0); size: nodes once aliases are expanded.
  const walk = (node: Node | null | undefined, level: number): Figures => {
    if (!node) return { height: 0, size: 0 };
    if (YAML.isAlias(node)) {
      const name = printable(node.source);
      const target = anchors.get(node.source);
      if (!target) {
        problems.push({ ...position(node), message: `alias *${name} names no anchor (&${name}) defined before it` });
        return { height: 0, size: 1 };
      }
      if (open.has(target)) stop(node, `alias *${name} is inside the node it names, so the data would contain itself`);
      const figures = figuresOf.get(target) ?? { height: 0, size: 1 };
      if (level + figures.height > MAX_DEPTH) stop(node, `alias *${name} nests the document more than ${MAX_DEPTH} levels deep`);
      added += figures.size - 1;
      if (added > MAX_ALIAS_EXPANSION) {
        stop(
          node,
          `aliases (*name) would expand this document by more than ${MAX_ALIAS_EXPANSION.toLocaleString('en-GB')} nodes (an alias bomb?); write the repeated parts out, or refer to them less`,
        );
      }
      return figures;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    if (!YAML.isCollection(node)) {
      if (YAML.isScalar(node) && typeof node.value === 'string' && LONE_SURROGATE.test(node.value)) {
        problems.push({ ...position(node), message: 'the text holds half of a surrogate pair (a \\uD800-\\uDFFF escape without its other half), which UTF-8 cannot carry and the evidence log cannot record; write the character itself, or both halves of the pair' });
      }
      const figures = { height: 0, size: 1 };
      figuresOf.set(node, figures);
      return figures;
    }
    if (level >= MAX_DEPTH) stop(node, `the document is nested too deeply (more than ${MAX_DEPTH} levels of lists and mappings)`);
    open.add(node);
    let height = 1;
    let size = 1;
    const keys = YAML.isMap(node) ? new Map<string, Node>() : null;
    for (const item of node.items as unknown[]) {
      if (YAML.isPair(item) && YAML.isCollection(item.key)) {
        problems.push({ ...position(item.key as Node), message: 'a key must be a single value (text), not a list or mapping' });
      } else if (keys && YAML.isPair(item) && YAML.isScalar(item.key)) {
        const k = String(item.key.value);
        const first = keys.get(k);
        if (first) problems.push({ ...position(item.key as Node), message: `duplicate key "${printableLine(k)}" (first at line ${position(first).line}); keep one` });
        else keys.set(k, item.key as Node);
      }
      const children = YAML.isPair(item) ? [item.key as Node | null, item.value as Node | null] : [item as Node];
      for (const child of children) {
        const figures = walk(child, level + 1);
        height = Math.max(height, figures.height + 1);
        size += figures.size;
      }
    }
    open.delete(node);
    const figures = { height, size };
    figuresOf.set(node, figures);
    return figures;
  };

  try {
    walk(root, 0);
  } catch (error) {
    if (error !== STOP) throw error;
  }
  return problems;
}

const STOP = new Error('stop');

/** Half of a UTF-16 surrogate pair without the other: what a `\uD83D` escape alone in YAML makes. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

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
    if (YAML.isMap(node)) {
      const found = pairsByKey(node).get(String(segment));
      if (!found) break;
      pair = found;
      node = (found.value as Node | null) ?? (found.key as Node);
    } else if (YAML.isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      pair = null;
      node = item;
    } else {
      break;
    }
  }
  const target = key && pair && YAML.isPair(pair) ? (pair.key as Node) : node;
  return nodePosition(source.lines, target, source.lineOffset);
}

/**
 * A mapping's pairs by key, built once per mapping: a document with thousands of keys that each
 * need a position (20,000 unknown answers) is reported in linear time, not quadratic (issue 9).
 */
const keyIndex = new WeakMap<object, Map<string, Pair>>();
function pairsByKey(map: { items: unknown[] }): Map<string, Pair> {
  let index = keyIndex.get(map);
  if (!index) {
    index = new Map();
    for (const item of map.items as Pair[]) {
      if (YAML.isScalar(item.key)) {
        const k = String(item.key.value);
        if (!index.has(k)) index.set(k, item);
      }
    }
    keyIndex.set(map, index);
  }
  return index;
}

/** The source characters of the scalar at `path` (`00123` where YAML reads 123), or undefined. */
export function scalarSource(source: YamlSource, path: DocPath): string | undefined {
  let node: unknown = source.doc.contents;
  for (const segment of path) {
    if (YAML.isMap(node)) node = pairsByKey(node).get(String(segment))?.value;
    else if (YAML.isSeq(node) && typeof segment === 'number') node = node.items[segment];
    else return undefined;
  }
  return YAML.isScalar(node) && typeof node.source === 'string' ? node.source : undefined;
}

/** A problem at `path` in `source`. */
/**
 * A document found by its id (a calendar, a regime) declares the id its file is named after: the
 * problem when it does not, at the id, naming the file as it is.
 */
export function idNotFileName(source: YamlSource, file: string): SourceProblem | undefined {
  const id = source.data.id;
  const name = file.split(/[\\/]/).pop() ?? file;
  const expected = name.replace(/\.ya?ml$/, '');
  if (typeof id !== 'string' || id === expected) return undefined;
  return problemAt(source, ['id'], `id "${id}" does not match the file name ${name}; rename one of them`);
}

export function problemAt(
  source: YamlSource,
  path: DocPath,
  message: string,
  key = false,
): SourceProblem {
  // One line, escaped: messages quote values from the document, which may hold anything.
  return { file: source.file, ...positionAt(source, path, key), message: printableLine(message) };
}

function nodePosition(lines: LineCounter, node: Node | null, lineOffset: number): Position {
  const offset = node?.range?.[0] ?? 0;
  const pos = lines.linePos(offset);
  return { line: pos.line + lineOffset, col: pos.col };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
