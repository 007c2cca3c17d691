/**
 * `leakctl regimes [ID|PLACE…]`: the regime pack (issue 14) — each legal regime with its clocks,
 * thresholds, citation, review date and confidence. An unconfirmed regime or clock is flagged on
 * its line; partially confirmed ones list what was not checked. `--json` gives the data as loaded.
 */
import { loadSettings } from '../config/settings.js';
import type { CommonOptions } from '../options.js';
import { clockConfidence, countryOf, loadRegimePack, type Regime, type RegimeClock } from '../regimes/pack.js';
import { withinInWords } from '../time/duration.js';
import { cautionOf } from '../deadlines/format.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printableLine } from '../ui/text.js';

export async function run(options: CommonOptions, wanted: string[] = []): Promise<number> {
  const out = await Output.create(options);
  const settings = loadSettings(options);
  const pack = loadRegimePack(settings.regimeDirs);
  // A regime id, a place (us_tx), a jurisdiction (US-TX) or a country (US, CA, EU).
  const matches = (w: string, r: Regime): boolean => w === r.id || w === r.place?.id || w.toUpperCase() === r.jurisdiction.toUpperCase() || w.toUpperCase() === countryOf(r.jurisdiction);
  const chosen = wanted.length === 0 ? pack.regimes : pack.regimes.filter((r) => wanted.some((w) => matches(w, r)));
  const unknown = wanted.filter((w) => !pack.regimes.some((r) => matches(w, r)));
  if (unknown.length > 0) throw new InvalidInput(`no regime ${unknown.map((w) => `"${printableLine(w)}"`).join(', ')} in the regime pack; name a regime id (us_tx_521_053), a place (us_tx) or a jurisdiction (US-TX); leakctl regimes lists them`);

  if (options.json) {
    out.json({ regimes: chosen.map((regime) => ({ ...regime, clocks: regime.clocks.map((c) => ({ ...c, confidence: clockConfidence(regime, c) })) })) });
    return 0;
  }
  const { bold, dim, yellow, red } = out.style;
  for (const regime of chosen) {
    const flag = regime.status === 'proposed' ? red(' PROPOSED, NOT LAW: starts no clock') : regime.confidence === 'unconfirmed' ? red(' ⚠ UNCONFIRMED') : '';
    out.result(`${bold(printableLine(regime.id))}  ${printableLine(regime.name)}  ${dim(`[${regime.jurisdiction}${regime.place ? `, asked as "${regime.place.label}"` : ''}]`)}${flag}`);
    if (regime.status === 'not_yet_in_force') out.result(yellow(`  not yet in force${regime.effective ? `: ${printableLine(regime.effective)}` : ''}`));
    if (regime.clocks.length === 0 && regime.status !== 'proposed') out.result('  no fixed period (without undue delay, or as soon as practicable)');
    for (const clock of regime.clocks) {
      const confidence = clockConfidence(regime, clock);
      const line = `  ${printableLine(clock.title)}: ${periodInWords(clock)}${cautionOf({ confidence: confidence === 'confirmed' ? undefined : confidence, caution: clock.caution })}`;
      out.result(confidence === 'unconfirmed' ? yellow(line) : line);
    }
    out.result(dim(`  ${printableLine(regime.citation)} · ${regime.confidence} · reviewed ${regime.reviewed}`));
    if (regime.unconfirmed?.length) out.result(dim(`  not checked: ${regime.unconfirmed.map(printableLine).join('; ')}`));
    out.result();
  }
  const unconfirmed = chosen.filter((r) => r.confidence === 'unconfirmed' || r.clocks.some((c) => clockConfidence(r, c) === 'unconfirmed')).length;
  out.message(`${chosen.length} regime(s)${unconfirmed ? `, ${unconfirmed} with unconfirmed facts: leakctl shows their clocks with a warning` : ''}. Not legal advice: check with counsel.`);
  return 0;
}

/** "30 days from awareness" and the like (a threshold is in the clock's title). */
function periodInWords(clock: RegimeClock): string {
  const from = clock.from === 'aware' ? 'from awareness' : clock.from === 'told' ? 'from telling the people' : `from when ${clock.start ?? 'it starts'}`;
  return `${withinInWords(clock.within)} ${from}`;
}
