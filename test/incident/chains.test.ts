/**
 * The door with several responders' chains (issue 17), in-process: each copy writes its own chain
 * (the opener's evidence.jsonl, another copy chains/<name>.jsonl begun by responder.joined), every
 * open replays the merged order, a door hands out only what others wrote, and a broken cross-link
 * or a chain cut back under a seal is refused with exit 3 and nothing written.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/evidence/entry.js';
import { verifyIncident } from '../../src/evidence/verify.js';
import { SimulatedClock } from '../../src/incident/clock.js';
import { Incident, type Writer } from '../../src/incident/incident.js';
import { LeakctlError } from '../../src/ui/errors.js';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const PLAYBOOK = { id: 'member-leak', title: 'Member-caused leak', sha256: '0'.repeat(64), file: '/nowhere/member-leak.yaml' };

let incidents: string;
beforeEach(() => {
  incidents = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leakctl-chains-')), 'incidents');
});
afterEach(() => fs.rmSync(path.dirname(incidents), { recursive: true, force: true }));

/** A copy's writer: its chain, and a clock `skew` minutes off, set to `minute`. */
const copy = (chain: string, minute: number, skew = 0): Writer => ({ actor: chain, chain, clock: new SimulatedClock(new Date(T0 + (minute + skew) * 60_000)) });
const open = (w?: Writer): Promise<Incident> => Incident.open({ incidentsDir: incidents, id: 'i', ...(w ? { writer: w } : {}) });
const lines = (rel: string): Record<string, unknown>[] =>
  fs.readFileSync(path.join(incidents, 'i', rel), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

/** Rewrites line `n` (1-based) of a chain with `change`, its hash recomputed and the lines after it relinked. */
function forge(rel: string, n: number, change: (e: Record<string, unknown>) => void): void {
  const file = path.join(incidents, 'i', rel);
  const entries = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  change(entries[n - 1]!);
  let prev: string | null = (entries[n - 2]?.hash as string | undefined) ?? null;
  const out = entries.map((e, i) => {
    if (i < n - 1) return JSON.stringify(e);
    const { hash: _old, ...rest } = e;
    const text = JSON.stringify({ ...rest, prev });
    const hash = sha256Hex(text);
    prev = hash;
    return `${text.slice(0, -1)},"hash":"${hash}"}`;
  });
  fs.writeFileSync(file, `${out.join('\n')}\n`);
}

async function team(): Promise<{ dana: Incident; lee: Incident }> {
  const first = await Incident.create({ incidentsDir: incidents, id: 'i', writer: copy('dana', 0), opening: { playbook: PLAYBOOK, drill: false } });
  first.close();
  return { dana: await open(copy('dana', 1)), lee: await open(copy('lee', 2, -30)) };
}

describe('an incident with several chains', () => {
  it('gives each copy its own chain, links what each had read, and hands out only what the others wrote', async () => {
    const { dana, lee } = await team();
    await lee.record('note.added', { text: 'from lee' });
    expect(lines('chains/lee.jsonl').map((e) => e.type)).toEqual(['responder.joined', 'note.added']);
    const joined = lines('chains/lee.jsonl')[0]!;
    expect(joined.data).toMatchObject({ responder: 'lee', writer: 'lee', sees: { dana: { seq: 0, hash: lines('evidence.jsonl')[0]!.hash } } });
    // sees is written again only when it changed: lee's note had read nothing new.
    expect(lines('chains/lee.jsonl')[1]!.data).not.toHaveProperty('sees');
    expect(joined.data).toHaveProperty('clock', 'set by hand');

    const fromLee = await dana.refresh();
    expect(fromLee.map((e) => [e.actor, e.type])).toEqual([
      ['lee', 'responder.joined'],
      ['lee', 'note.added'],
    ]);
    await dana.record('note.added', { text: 'from dana' });
    expect(lines('evidence.jsonl').at(-1)!.data).toMatchObject({ text: 'from dana', sees: { lee: { seq: 1 } } });
    // lee is not told of lee's own entries, only of dana's.
    expect((await lee.refresh()).map((e) => e.data.text)).toEqual(['from dana']);
    // lee's clock runs 30 minutes behind: what lee had read still comes before what lee wrote.
    const order = async (i: Incident): Promise<string[]> => {
      const out: string[] = [];
      for await (const e of i.entries()) out.push(`${e.actor}:${e.type}:${String(e.data.text ?? '')}`);
      return out;
    };
    expect(await order(dana)).toEqual(['dana:incident.opened:', 'lee:responder.joined:', 'lee:note.added:from lee', 'dana:note.added:from dana']);
    expect(await order(lee)).toEqual(await order(dana));
    expect(dana.state.notes).toBe(2);
    expect(lee.state.entries).toBe(4);
    const reopened = await open();
    expect(reopened.state.notes).toBe(2);
    expect((await verifyIncident(path.join(incidents, 'i'), { incident: 'i' })).ok).toBe(true);
    for (const i of [dana, lee, reopened]) i.close();
  });

  it('shows two answers to one step given without seeing each other, until one is given after both', async () => {
    const { dana, lee } = await team();
    await dana.record('step.answered', { step: 'data_role', value: 'controller', source: 'prompt' });
    // On one machine a record catches up first: lee's answer is given after reading dana's, and
    // is simply the later answer, not a conflict.
    await lee.record('step.answered', { step: 'data_role', value: 'joint', source: 'prompt' });
    expect((await open()).state.conflicts).toEqual([]);

    // Now two copies that had not read each other: ana's chain is begun on a copy of the
    // incident taken before lee's answer, then put back beside it, as sync does.
    const elsewhere = path.join(path.dirname(incidents), 'elsewhere');
    fs.cpSync(path.join(incidents, 'i'), path.join(elsewhere, 'i'), { recursive: true });
    await lee.record('step.answered', { step: 'contract_commitment', value: 'hours_72', source: 'prompt' });
    const ana = await Incident.open({ incidentsDir: elsewhere, id: 'i', writer: copy('ana', 10) });
    await ana.record('step.answered', { step: 'contract_commitment', value: 'none', source: 'prompt' });
    fs.copyFileSync(path.join(elsewhere, 'i', 'chains', 'ana.jsonl'), path.join(incidents, 'i', 'chains', 'ana.jsonl'));
    const both = (await open()).state.conflicts;
    expect(both.map((c) => [c.step, c.positions.map((p) => `${p.actor}=${String(p.value)}`).sort()])).toEqual([['contract_commitment', ['ana=none', 'lee=hours_72']]]);
    expect(both[0]!.positions.map((p) => p.chain).sort()).toEqual(['chains/ana.jsonl', 'chains/lee.jsonl']);
    // dana, having read both, settles it.
    await dana.record('step.answered', { step: 'contract_commitment', value: 'hours_72', source: 'prompt' });
    const settled = await open();
    expect(settled.state.conflicts).toEqual([]);
    expect(settled.state.answers.get('contract_commitment')?.value).toBe('hours_72');
    for (const i of [dana, lee, ana, settled]) i.close();
  });

  it('refuses, with exit 3 and nothing written, an entry that claims to have seen one that is not there', async () => {
    const { dana, lee } = await team();
    await lee.record('note.added', { text: 'from lee' });
    await dana.record('note.added', { text: 'from dana' });
    dana.close();
    lee.close();
    forge('evidence.jsonl', 2, (e) => ((e.data as { sees: { lee: { seq: number } } }).sees.lee.seq = 7));
    const before = fs.readFileSync(path.join(incidents, 'i', 'evidence.jsonl'));
    const refused = await open(copy('dana', 5)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LeakctlError);
    expect((refused as LeakctlError).exitCode).toBe(3);
    expect((refused as Error).message).toMatch(/dana's entry #1 has seen entry #7 of lee's chain, which has only 2 entries/);
    expect(fs.readFileSync(path.join(incidents, 'i', 'evidence.jsonl'))).toEqual(before);
    const report = await verifyIncident(path.join(incidents, 'i'), { incident: 'i' });
    expect(report.ok).toBe(false);
  });

  it('refuses a log whose entries saw a chain that is no longer beside it, and takes a chain created but never written as none', async () => {
    const { dana, lee } = await team();
    await lee.record('note.added', { text: 'from lee' });
    await dana.record('note.added', { text: 'from dana' });
    dana.close();
    lee.close();
    const chains = path.join(incidents, 'i', 'chains');
    fs.renameSync(chains, `${chains}-aside`);
    const refused = await open().catch((e: unknown) => e);
    expect((refused as LeakctlError).exitCode).toBe(3);
    expect((refused as Error).message).toMatch(/line 2: it names entries of other responders' chains it had read \(data\.sees\), and the incident has no chains\//);
    expect((await verifyIncident(path.join(incidents, 'i'), { incident: 'i' })).problems.map((p) => p.message)).toEqual([expect.stringMatching(/^line 2: it names entries of other responders' chains/)]);
    fs.renameSync(`${chains}-aside`, chains);
    fs.writeFileSync(path.join(chains, 'kim.jsonl'), '');
    expect((await open()).state.notes).toBe(2);
    expect((await verifyIncident(path.join(incidents, 'i'), { incident: 'i' })).ok).toBe(true);
  });

  it('refuses an entry written after reading the close, and a joined chain that had not read the opening', async () => {
    const { dana, lee } = await team();
    await lee.record('note.added', { text: 'from lee' });
    await dana.record('incident.closed', {});
    // lee's door now refuses: it reads the close before it writes.
    await expect(lee.record('note.added', { text: 'too late' })).rejects.toThrow(/was closed by dana/);
    dana.close();
    lee.close();
    const closing = lines('evidence.jsonl').at(-1)!;
    const file = path.join(incidents, 'i', 'chains', 'lee.jsonl');
    const last = lines('chains/lee.jsonl').at(-1)!;
    const unhashed = JSON.stringify({ seq: 2, at: '2026-03-02T10:00:00.000Z', type: 'note.added', actor: 'lee', data: { text: 'after the close', sees: { dana: { seq: closing.seq, hash: closing.hash } } }, prev: last.hash });
    fs.appendFileSync(file, `${unhashed.slice(0, -1)},"hash":"${sha256Hex(unhashed)}"}\n`);
    await expect(open()).rejects.toThrow(/chains\/lee\.jsonl line 3: written after reading that the incident was closed \(evidence\.jsonl line 2\)/);
    expect((await verifyIncident(path.join(incidents, 'i'), { incident: 'i' })).ok).toBe(false);
  });

  it('refuses a joined chain that does not say it had read the opening', async () => {
    const { dana, lee } = await team();
    await lee.record('note.added', { text: 'from lee' });
    dana.close();
    lee.close();
    forge('chains/lee.jsonl', 1, (e) => ((e.data as { sees: object }).sees = {}));
    await expect(open()).rejects.toThrow(/chains\/lee\.jsonl line 1: responder\.joined does not say it had read the incident's opening/);
    expect((await verifyIncident(path.join(incidents, 'i'), { incident: 'i' })).ok).toBe(false);
  });

  it("seals a copy's own new chain, settles a conflict at once in the door that answers over it, and keeps each copy's drafts apart", async () => {
    const { dana, lee } = await team();
    await dana.record('step.answered', { step: 'data_role', value: 'controller', source: 'prompt' });
    // A copy of the incident taken before dana's answer, where ana answers too.
    const elsewhere = path.join(path.dirname(incidents), 'elsewhere');
    fs.cpSync(path.join(incidents, 'i'), path.join(elsewhere, 'i'), { recursive: true });
    fs.rmSync(path.join(elsewhere, 'i', 'evidence.jsonl'));
    fs.writeFileSync(path.join(elsewhere, 'i', 'evidence.jsonl'), `${fs.readFileSync(path.join(incidents, 'i', 'evidence.jsonl'), 'utf8').split('\n')[0]}\n`);
    const ana = await Incident.open({ incidentsDir: elsewhere, id: 'i', writer: copy('ana', 5) });
    await ana.record('step.answered', { step: 'data_role', value: 'joint', source: 'prompt' });
    fs.mkdirSync(path.join(incidents, 'i', 'chains'), { recursive: true });
    fs.copyFileSync(path.join(elsewhere, 'i', 'chains', 'ana.jsonl'), path.join(incidents, 'i', 'chains', 'ana.jsonl'));
    await lee.refresh();
    expect(lee.state.conflicts.map((c) => c.step)).toEqual(['data_role']);
    const settled = await lee.record('step.answered', { step: 'data_role', value: 'joint', source: 'prompt' });
    expect(settled.data.resolves).toEqual(expect.arrayContaining([{ chain: 'evidence.jsonl', seq: 1 }, { chain: 'chains/ana.jsonl', seq: 1 }]));
    expect(lee.state.conflicts).toEqual([]);
    expect((await open()).state.conflicts).toEqual([]);

    // lee's chain began in this door: its heads include it.
    expect(lee.chainHeads().map((c) => [c.writer, c.entries])).toEqual([
      [null, 2],
      ['ana', 2],
      ['lee', 2],
    ]);
    // Drafts: the opener's in drafts/, lee's in drafts/lee/, and neither withdraws the other's.
    const [mine] = await lee.recordDrafts([{ template: 'member-notice', format: 'eml', text: 'lee' }]);
    const [theirs] = await dana.recordDrafts([{ template: 'member-notice', format: 'eml', text: 'dana' }]);
    expect([mine!.file, theirs!.file]).toEqual(['drafts/lee/member-notice.eml', 'drafts/member-notice.eml']);
    expect(fs.readFileSync(path.join(incidents, 'i', 'drafts', 'lee', 'member-notice.eml'), 'utf8')).toBe('lee');
    expect(fs.readFileSync(path.join(incidents, 'i', 'drafts', 'member-notice.eml'), 'utf8')).toBe('dana');
    for (const i of [dana, lee, ana]) i.close();
  });

  it('sets aside a torn first line of a copy\'s own chain, and goes on writing it', async () => {
    const { dana, lee } = await team();
    dana.close();
    lee.close();
    fs.mkdirSync(path.join(incidents, 'i', 'chains'));
    fs.writeFileSync(path.join(incidents, 'i', 'chains', 'lee.jsonl'), '{"seq":0,"at":"2026-03-02T0');
    const warned: string[] = [];
    const again = await Incident.open({ incidentsDir: incidents, id: 'i', writer: copy('lee', 3), warn: (t) => warned.push(t) });
    await again.record('note.added', { text: 'after the crash' });
    expect(warned.join('\n')).toMatch(/The last line of chains\/lee\.jsonl was cut short by a crash; its 27 bytes were set aside/);
    expect(lines('chains/lee.jsonl').map((e) => e.type)).toEqual(['responder.joined', 'note.added']);
    expect((await verifyIncident(path.join(incidents, 'i'), { incident: 'i' })).ok).toBe(true);
    again.close();
  });

  it('refuses a chain renamed to another writer, and a chain whose first entry is not responder.joined', async () => {
    const { dana, lee } = await team();
    await lee.record('note.added', { text: 'from lee' });
    dana.close();
    lee.close();
    const chains = path.join(incidents, 'i', 'chains');
    fs.renameSync(path.join(chains, 'lee.jsonl'), path.join(chains, 'kim.jsonl'));
    await expect(open()).rejects.toThrow(/chains\/kim\.jsonl line 1: it begins the chain lee, whose file is chains\/lee\.jsonl/);
    fs.renameSync(path.join(chains, 'kim.jsonl'), path.join(chains, 'lee.jsonl'));
    forge('chains/lee.jsonl', 1, (e) => (e.type = 'note.added'));
    await expect(open()).rejects.toThrow(/chains\/lee\.jsonl line 1: the first entry is note\.added; a responder's chain begins with responder\.joined/);
  });
});
