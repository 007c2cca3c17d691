/**
 * Issue 7, "Hostile input": property-based fuzzing of the playbook loader, the answers loader
 * (and the answer checker behind it), the config loader and the condition evaluator — the
 * bounded run that `npm test` does every time (a few thousand cases, seconds). The long run is
 * test/stress/fuzz.stress.ts. The properties are in fuzz-properties.ts.
 *
 * Guards: any document ends in a value or in exit 2 with FILE:LINE:COL problems; never another
 * exception, never a hang (each case is timed), never prototype pollution. Replay a failure
 * with FUZZ_SEED=<seed printed by fast-check>.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePlaybook } from '../../src/playbook/load.js';
import { ROOT } from '../helpers/exec.js';
import {
  conditionCase,
  CORPUS,
  evaluateEverywhere,
  generatedAnswers,
  generatedConfigText,
  generatedPlaybook,
  loadAnswersText,
  loadConfigText,
  loadPlaybookText,
  mutate,
  mutations,
  report,
  runs,
  stepIdsOf,
  tallies,
  validateBatch,
  answersMap,
} from './fuzz-properties.js';

const platformFile = join(ROOT, 'playbooks', 'platform-leak.yaml');
const platform = parsePlaybook(platformFile, readFileSync(platformFile));
const platformSteps = platform.phases.flatMap((p) => p.steps);

afterAll(() => {
  // The figures for the note on issue 7.
  console.info(`fuzz (npm test):\n${report()}`);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe('fuzzing the loaders (bounded run)', () => {
  it('generated playbooks load or are refused with FILE:LINE:COL; loaded conditions evaluate', () => {
    fc.assert(
      fc.property(generatedPlaybook, answersMap, (text, answers) => {
        const playbook = loadPlaybookText(text);
        for (const step of playbook?.phases.flatMap((p) => p.steps) ?? []) if (step.when) evaluateEverywhere(step.when, answers);
      }),
      runs(800),
    );
    expect(tallies.get('playbook')!.loaded).toBeGreaterThan(0);
  }, 60_000);

  it('mutated bundled playbooks load or are refused with FILE:LINE:COL', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CORPUS.playbooks), mutations, (text, ops) => {
        loadPlaybookText(mutate(text, ops));
      }),
      runs(150),
    );
  }, 60_000);

  it('generated answers files load or are refused; every loaded answer gets a verdict', () => {
    fc.assert(
      fc.property(generatedAnswers(stepIdsOf(platform)), (text) => loadAnswersText(text, platformSteps)),
      runs(800),
    );
  }, 60_000);

  it('mutated bundled drills load or are refused; every loaded answer gets a verdict', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CORPUS.drills), mutations, (text, ops) => loadAnswersText(mutate(text, ops), platformSteps)),
      runs(500),
    );
  }, 60_000);

  it('generated and mutated config files load or are refused with FILE:LINE:COL', () => {
    fc.assert(fc.property(generatedConfigText, (text) => loadConfigText(text)), runs(500));
    fc.assert(fc.property(fc.constantFrom(...CORPUS.configs), mutations, (text, ops) => loadConfigText(mutate(text, ops))), runs(300));
  }, 60_000);

  it('the condition evaluator gives a boolean for any condition and any answers', () => {
    fc.assert(fc.property(conditionCase, ([condition, answers]) => evaluateEverywhere(condition, answers)), runs(2000));
  }, 60_000);

  it('leakctl validate: a batch of mutated documents exits 0 or 2, every message FILE:LINE:COL', () => {
    const documents = fc.sample(
      fc.oneof(
        fc.tuple(fc.constantFrom(...CORPUS.playbooks, ...CORPUS.drills, ...CORPUS.configs), mutations).map(([t, ops]) => mutate(t, ops)),
        generatedPlaybook,
        generatedConfigText,
      ),
      { numRuns: 60, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) },
    );
    const { files } = validateBatch(documents);
    expect(files).toBe(60);
  }, 60_000);
});
