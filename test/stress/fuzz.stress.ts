/**
 * Issue 7, "Hostile input": the long fuzzing run (`npm run test:stress`), the same properties as
 * test/hardening/fuzz.test.ts with about ten times the cases (~60,000 by default; FUZZ_SCALE=2
 * doubles them). Guards the same promise: any document ends in a value or in exit 2 with
 * FILE:LINE:COL problems, never another exception or a hang. Replay a failure with FUZZ_SEED.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePlaybook } from '../../src/playbook/load.js';
import { ROOT } from '../helpers/exec.js';
import {
  answersMap,
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
  validateBatch,
} from '../hardening/fuzz-properties.js';

const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const n = (count: number): number => Math.max(1, Math.round(count * SCALE));
const LONG = 900_000;

const platformFile = join(ROOT, 'playbooks', 'platform-leak.yaml');
const platform = parsePlaybook(platformFile, readFileSync(platformFile));
const platformSteps = platform.phases.flatMap((p) => p.steps);

afterAll(() => {
  console.info(`fuzz (test:stress, scale ${SCALE}):\n${report()}`);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe('fuzzing the loaders (long run)', () => {
  it('generated playbooks', () => {
    fc.assert(
      fc.property(generatedPlaybook, answersMap, (text, answers) => {
        const playbook = loadPlaybookText(text);
        for (const step of playbook?.phases.flatMap((p) => p.steps) ?? []) if (step.when) evaluateEverywhere(step.when, answers);
      }),
      runs(n(10_000)),
    );
  }, LONG);

  it('mutated bundled playbooks', () => {
    fc.assert(fc.property(fc.constantFrom(...CORPUS.playbooks), mutations, (text, ops) => void loadPlaybookText(mutate(text, ops))), runs(n(2_000)));
  }, LONG);

  it('generated answers files', () => {
    fc.assert(fc.property(generatedAnswers(stepIdsOf(platform)), (text) => loadAnswersText(text, platformSteps)), runs(n(10_000)));
  }, LONG);

  it('mutated bundled drills', () => {
    fc.assert(fc.property(fc.constantFrom(...CORPUS.drills), mutations, (text, ops) => loadAnswersText(mutate(text, ops), platformSteps)), runs(n(6_000)));
  }, LONG);

  it('generated and mutated config files', () => {
    fc.assert(fc.property(generatedConfigText, (text) => loadConfigText(text)), runs(n(6_000)));
    fc.assert(fc.property(fc.constantFrom(...CORPUS.configs), mutations, (text, ops) => loadConfigText(mutate(text, ops))), runs(n(4_000)));
  }, LONG);

  it('the condition evaluator', () => {
    fc.assert(fc.property(conditionCase, ([condition, answers]) => evaluateEverywhere(condition, answers)), runs(n(20_000)));
  }, LONG);

  it('leakctl validate on batches of mutated documents', () => {
    for (let batch = 0; batch < n(5); batch++) {
      const documents = fc.sample(
        fc.oneof(
          fc.tuple(fc.constantFrom(...CORPUS.playbooks, ...CORPUS.drills, ...CORPUS.configs), mutations).map(([t, ops]) => mutate(t, ops)),
          generatedPlaybook,
          generatedConfigText,
        ),
        200,
      );
      expect(validateBatch(documents).files).toBe(200);
    }
  }, LONG);
});
