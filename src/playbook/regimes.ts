/**
 * A playbook and the regime pack (issue 14). A deadline naming `regime:` and `clock:` takes its
 * period, zone, calendar and citation from the regime. A playbook with a `regimes:` block is
 * joined at load by every place of the pack: the place is offered where it asks where the
 * affected people live, a count of its residents is asked right after that question, and each of
 * the place's clocks becomes a deadline of the playbook that runs while the place is chosen and
 * the count is over the clock's threshold or not yet given (the cautious reading); an authority's
 * clock gets a duty step at the end of the block's phase, and a regime with a notice of its own
 * (Massachusetts) adds it for the place's residents. Adding a state is adding a regime file.
 */
import { groupThousands } from '../ui/text.js';
import { clockConfidence, countryOf, placesOf, type Confidence, type Regime, type RegimeClock, type RegimePack } from '../regimes/pack.js';

type Raw = Record<string, unknown>;

export interface RegimesBlock {
  readonly places: string;
  readonly aware: string;
  readonly told: string;
  readonly phase: string;
  /** By country code (US for US-TX): the condition its places' clocks and notices run under too. */
  readonly when?: Readonly<Record<string, unknown>>;
}

/** The fields a deadline takes from its regime's clock. */
export interface FromRegime {
  readonly regime: string;
  readonly clock: string;
  readonly confidence: Confidence;
  readonly caution?: string;
}

/** Choices placed before the first of these that the places step offers; else at its end. */
const PLACED_BEFORE = ['us_other', 'other', 'unsure'];

/** The count step of a place: `us_tx_residents`. */
export const residentsStep = (place: string): string => `${place}_residents`;

/** The playbook's data with the pack's places, counts, clocks, duty steps and notices in it. */
export function withRegimes(data: Raw, pack: RegimePack): Raw {
  const deadlines = ((data.deadlines as Raw[] | undefined) ?? []).map((d) => (typeof d.regime === 'string' ? fromRegime(d, pack) : d));
  const block = data.regimes as RegimesBlock | undefined;
  if (!block) return { ...data, deadlines };
  const named = new Set(deadlines.filter((d) => typeof d.regime === 'string').map((d) => `${d.regime as string}/${d.clock as string}`));
  const places = placesOf(pack);
  // Offered: a place of a regime that is law or soon will be; in force: what may start a clock,
  // ask for an offer or a notice of its own (India's DPDP Rules are listed, not yet applied).
  const offered = pack.regimes.filter((r) => r.place && r.status !== 'proposed');
  // The condition of a regime's country (US for US-TX), if the block names one.
  const countryWhen = (regime: Regime): Raw | undefined => block.when?.[countryOf(regime.jurisdiction)] as Raw | undefined;
  const chosen = (place: string): Raw => ({ step: block.places, includes: place });
  const countSteps: Raw[] = [];
  const dutySteps: Raw[] = [];
  const notices: Raw[] = [];
  for (const place of places) {
    const regimes = offered.filter((r) => r.place!.id === place.id);
    const thresholds = regimes.flatMap((r) => r.clocks.filter((c) => c.threshold).map((c) => `with ${thresholdWords(c.threshold!)} residents, ${lowerFirst(c.title.replace(/ \(.*\)$/, ''))}`));
    countSteps.push({
      id: residentsStep(place.id),
      kind: 'number',
      integer: true,
      min: 0,
      required: false,
      prompt: `About how many of the affected people are ${place.people}?`,
      help: `${thresholds.length > 0 ? `It decides what the law of ${place.name} asks: ${thresholds.join('; ')}. ` : ''}The authorities' forms ask for the number too. If you do not know yet, leave it empty: a duty that depends on it is then counted as due until you give it.`,
      when: chosen(place.id),
    });
    for (const regime of regimes) {
      const extra = countryWhen(regime);
      // A regime not yet in force is listed, but starts no clock (India's DPDP Rules, from 2027).
      for (const clock of regime.status === 'in_force' ? regime.clocks : []) {
        if (clock.from === 'other' || clock.notify === 'none' || named.has(`${regime.id}/${clock.id}`)) continue;
        const conditions: Raw[] = [chosen(place.id)];
        if (clock.threshold) conditions.push({ any: [{ step: residentsStep(place.id), answered: false }, { step: residentsStep(place.id), ...clock.threshold }] });
        if (extra !== undefined) conditions.push(extra);
        const when = { all: conditions };
        const duty = `${place.id}_${clock.id}_at`;
        if (clock.notify === 'authority') {
          dutySteps.push({
            id: duty,
            kind: 'datetime',
            duty: true,
            required: true,
            prompt: `When did you notify the ${clock.authority ?? clock.title}?`,
            help: [clock.title, clock.note, regime.citation].filter(Boolean).map((s) => s!.replace(/\.?$/, '.')).join(' '),
            when,
          });
        }
        deadlines.push({
          id: `${place.id}_${clock.id}`,
          title: clock.title,
          from: clock.from === 'told' ? block.told : block.aware,
          within: clock.within,
          met_by: clock.notify === 'authority' ? duty : block.told,
          source: regime.citation,
          ...(clock.time_zone ? { time_zone: clock.time_zone } : {}),
          ...(clock.calendar ? { calendar: clock.calendar } : {}),
          when,
          ...regimeFields(regime, clock),
        });
      }
      if (regime.variant && regime.status === 'in_force') notices.push({ template: regime.variant, when: extra === undefined ? chosen(place.id) : { all: [chosen(place.id), extra] } });
    }
  }
  const phases = (data.phases as Raw[]).map((phase) => ({
    ...phase,
    steps: [
      ...((phase.steps as Raw[]).flatMap((step) => (step.id === block.places ? [withPlaces(step, places.map((p) => ({ value: p.id, label: p.label }))), ...countSteps] : [step]))),
      ...(phase.id === block.phase ? dutySteps : []),
    ],
  }));
  const own = new Set(((data.notices as Raw[] | undefined) ?? []).map((n) => n.template));
  const regimePlaces = places.map((place) => {
    const months = offered.filter((r) => r.place!.id === place.id && r.status === 'in_force').map((r) => r.offers?.identity_protection_months ?? 0);
    const most = Math.max(0, ...months);
    return { ...place, ...(most > 0 ? { identity_protection_months: most } : {}) };
  });
  return { ...data, phases, deadlines, regime_places: regimePlaces, notices: [...((data.notices as Raw[] | undefined) ?? []), ...notices.filter((n) => !own.has(n.template))] };
}

/** The places step with the pack's places among its choices. */
function withPlaces(step: Raw, places: readonly Raw[]): Raw {
  const own = (step.choices as Raw[] | undefined) ?? [];
  const values = new Set(own.map((c) => c.value));
  const added = places.filter((p) => !values.has(p.value));
  const at = own.findIndex((c) => PLACED_BEFORE.includes(c.value as string));
  const choices = at < 0 ? [...own, ...added] : [...own.slice(0, at), ...added, ...own.slice(at)];
  return { ...step, choices };
}

/** A playbook's deadline that names a regime's clock, with what it leaves to the regime filled in. */
function fromRegime(deadline: Raw, pack: RegimePack): Raw {
  const regime = pack.get(deadline.regime as string)!;
  const clock = regime.clocks.find((c) => c.id === deadline.clock)!;
  return {
    within: clock.within,
    source: regime.citation,
    ...(clock.time_zone ? { time_zone: clock.time_zone } : {}),
    ...(clock.calendar ? { calendar: clock.calendar } : {}),
    ...deadline,
    ...regimeFields(regime, clock),
  };
}

function regimeFields(regime: Regime, clock: RegimeClock): FromRegime {
  const confidence = clockConfidence(regime, clock);
  const caution = clock.caution ?? (confidence === 'unconfirmed' ? 'this clock was not checked against the law' : undefined);
  return { regime: regime.id, clock: clock.id, confidence, ...(caution ? { caution } : {}) };
}

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

/** "over 500", "1,000 or more". */
function thresholdWords(threshold: { gt?: number; gte?: number }): string {
  return threshold.gt !== undefined ? `over ${groupThousands(threshold.gt)}` : `${groupThousands(threshold.gte!)} or more`;
}

/** The place ids the pack offers (for checking the playbook's own conditions on its places step). */
export function placeIds(pack: RegimePack): string[] {
  return placesOf(pack).map((p) => p.id);
}
