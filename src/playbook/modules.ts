/**
 * Modules (playbook@2, issue 10): phases that join an incident when an answer calls for them. The
 * playbook of an incident is its own phases with the joined modules' phases put right after the
 * phase of the first step each module's condition names (or at the end), in the order they
 * joined. A module's steps carry its condition too, so an answer changed later that makes it false
 * leaves them not applicable rather than asked.
 */
import type { Condition, Module, Phase, Playbook } from './types.js';

/** The playbook as loaded, behind the playbook of an incident built from it. */
const BASE = new WeakMap<Playbook, Playbook>();

export function withModules(playbook: Playbook, joined: readonly string[]): Playbook {
  const base = BASE.get(playbook) ?? playbook;
  const modules = (base.modules ?? []).filter((m) => joined.includes(m.id)).sort((a, b) => joined.indexOf(a.id) - joined.indexOf(b.id));
  if (modules.length === 0) return base;
  const phases: Phase[] = [...base.phases];
  for (const module of modules) {
    const named = stepsNamed(module.when);
    const at = phases.findIndex((phase) => phase.steps.some((step) => named.includes(step.id)));
    phases.splice(at < 0 ? phases.length : at + 1, 0, ...module.phases.map((phase) => guarded(phase, module)));
  }
  const effective = Object.freeze({ ...base, phases: Object.freeze(phases), joined: Object.freeze(modules.map((m) => m.id)) });
  BASE.set(effective, base);
  return effective;
}

/** The modules the playbook declares, joined or not. */
export function modulesOf(playbook: Playbook): readonly Module[] {
  return (BASE.get(playbook) ?? playbook).modules ?? [];
}

/** Every step id the playbook may come to ask: its own, and those of every module. */
export function allStepIds(playbook: Playbook): Set<string> {
  const base = BASE.get(playbook) ?? playbook;
  const phases = [...base.phases, ...(base.modules ?? []).flatMap((m) => m.phases)];
  return new Set(phases.flatMap((phase) => phase.steps.map((step) => step.id)));
}

function guarded(phase: Phase, module: Module): Phase {
  return Object.freeze({
    ...phase,
    steps: Object.freeze(phase.steps.map((step) => Object.freeze({ ...step, when: step.when ? ({ all: [module.when, step.when] } as Condition) : module.when }))),
  });
}

/** The step ids a condition names, in the order written. */
export function stepsNamed(condition: Condition): string[] {
  const c = condition as unknown as Record<string, unknown>;
  if (Array.isArray(c.all)) return (c.all as Condition[]).flatMap(stepsNamed);
  if (Array.isArray(c.any)) return (c.any as Condition[]).flatMap(stepsNamed);
  if (c.not !== undefined) return stepsNamed(c.not as Condition);
  return typeof c.step === 'string' ? [c.step] : [];
}
