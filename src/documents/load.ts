/**
 * The fast road for documents that are fine, which is nearly all of them. `yaml` keeps the
 * source positions that every FILE:LINE:COL message needs, but parsing the bundled platform
 * playbook and its answers with it costs about 70 ms; js-yaml does the same in about 20 ms
 * without positions. So: parse with js-yaml, and build the positioned document with `yaml` only
 * when a position is asked for — that is, only when there is a problem to report. Anything
 * unusual (a parse error, anchors and aliases, a document that is not a mapping) takes the
 * positioned road from the start, so its messages are always `yaml`'s.
 */
import { CORE_SCHEMA, load } from 'js-yaml';
import { MAX_DEPTH, parseYaml, readSourceFile } from './yaml.js';
import type { YamlSource } from './yaml.js';

/** Anchors and aliases go to `yaml`, which limits alias expansion ("billion laughs"). */
const ANCHOR_OR_ALIAS = /(?:^|[\s[{,:-])[&*][^\s,[\]{}]/m;
/**
 * Keys that may be lists or mappings (`? [a]` or `[a]: x`): js-yaml turns them into text, where
 * the positioned road refuses them. A false alarm only costs the slower road.
 */
const COMPLEX_KEY = /(?:^|[\s,{[])\?(?:\s|$)|[\]}]\s*:/m;

export function parseYamlFast(file: string, text: string, what: string, lineOffset = 0): YamlSource {
  if (ANCHOR_OR_ALIAS.test(text) || COMPLEX_KEY.test(text)) return parseYaml(file, text, what, lineOffset);
  let data: unknown;
  try {
    // CORE_SCHEMA: YAML 1.2's core types, as `yaml` reads them (no timestamps, `yes` is text).
    data = load(text, { schema: CORE_SCHEMA, filename: file });
  } catch {
    return parseYaml(file, text, what, lineOffset);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data) || depthOf(data) > MAX_DEPTH) {
    return parseYaml(file, text, what, lineOffset);
  }
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

/** Read and parse a YAML file on the fast road. */
export function loadYamlFileFast(file: string, what: string): YamlSource {
  return parseYamlFast(file, readSourceFile(file), what);
}

/** Levels of lists and mappings, counted the way the positioned road counts them. */
function depthOf(value: unknown, level = 0): number {
  if (typeof value !== 'object' || value === null) return level;
  if (level > MAX_DEPTH) return level;
  let deepest = level + 1;
  for (const inner of Object.values(value)) deepest = Math.max(deepest, depthOf(inner, level + 1));
  return deepest;
}
