import { escapeField, unescapeField, type Brief, type BriefRemediation } from './brief.js';
import { Column } from './column.js';

/**
 * Every incident's brief (`brief.ts`), column by column: short values as codes into one
 * dictionary, times as numbers, lists as offsets into one array. The pages over many incidents
 * read 10,000 incidents from these without making an object per incident (decoding 10,000
 * briefs into objects, and collecting the garbage, cost a quarter of a second), and the state
 * keeps them as a few typed arrays.
 *
 * Codes are private to one set of facts: digests are always taken over values, never codes.
 */
const STATUS = 0;
const SEVERITY = 1;
const CATEGORY = 2;
const PROVIDER = 3;
const COMMANDER = 4;
const DATE = 5;
const SCALARS = 6;

/** A list per incident: incident `i`'s values are `values[offsets[i]]` to `values[offsets[i + 1]]`. */
interface Lists {
  offsets: Uint32Array;
  values: Uint32Array;
}

/** The columns, as the state keeps them. */
export interface FactColumns {
  ids: string[];
  dict: string[];
  /** Escaped (see `escapeField`), separated by \u0000. */
  titles: Column;
  /** One per line. */
  textDigests: Column;
  trendDigests: Column;
  groupDigests: Column;
  rowDigests: Column;
  actionDigests: Column;
  ownerDigests: Column;
  scalars: Uint32Array;
  times: Float64Array;
  services: Lists;
  /** Minutes of impact of each service in `services.values` (same offsets). */
  serviceMinutes: Float64Array;
  authors: Lists;
  reviewers: Lists;
  related: Lists;
  /** Four codes per remediation: id, owner, status, due. */
  remediations: Lists;
}

const LISTS = ['services', 'authors', 'reviewers', 'related'] as const;

export class Facts {
  readonly n: number;

  constructor(readonly c: FactColumns) {
    this.n = c.ids.length;
  }

  /** Facts again from the structured clone of their columns (sent to a worker thread). */
  static revive(c: FactColumns): Facts {
    const columns = ['titles', 'textDigests', 'trendDigests', 'groupDigests', 'rowDigests', 'actionDigests', 'ownerDigests'] as const;
    return new Facts({ ...c, ...Object.fromEntries(columns.map((k) => [k, Column.revive(c[k])])) } as FactColumns);
  }

  id(i: number): string {
    return this.c.ids[i]!;
  }
  title(i: number): string {
    return unescapeField(this.c.titles.get(i));
  }
  textDigest(i: number): string {
    return this.c.textDigests.get(i);
  }
  trendDigest(i: number): string {
    return this.c.trendDigests.get(i);
  }
  groupDigest(i: number): string {
    return this.c.groupDigests.get(i);
  }
  rowDigest(i: number): string {
    return this.c.rowDigests.get(i);
  }
  value(code: number): string {
    return this.c.dict[code]!;
  }
  status(i: number): string {
    return this.c.dict[this.c.scalars[SCALARS * i + STATUS]!]!;
  }
  severity(i: number): string {
    return this.c.dict[this.c.scalars[SCALARS * i + SEVERITY]!]!;
  }
  category(i: number): string {
    return this.c.dict[this.c.scalars[SCALARS * i + CATEGORY]!]!;
  }
  provider(i: number): string {
    return this.c.dict[this.c.scalars[SCALARS * i + PROVIDER]!]!;
  }
  commander(i: number): string {
    return this.c.dict[this.c.scalars[SCALARS * i + COMMANDER]!]!;
  }
  startedDate(i: number): string {
    return this.c.dict[this.c.scalars[SCALARS * i + DATE]!]!;
  }
  statusCode(i: number): number {
    return this.c.scalars[SCALARS * i + STATUS]!;
  }
  severityCode(i: number): number {
    return this.c.scalars[SCALARS * i + SEVERITY]!;
  }
  categoryCode(i: number): number {
    return this.c.scalars[SCALARS * i + CATEGORY]!;
  }
  providerCode(i: number): number {
    return this.c.scalars[SCALARS * i + PROVIDER]!;
  }
  /** 0 when none. */
  commanderCode(i: number): number {
    return this.c.scalars[SCALARS * i + COMMANDER]!;
  }
  started(i: number): number {
    return this.c.times[4 * i]!;
  }
  detected(i: number): number | undefined {
    return time(this.c.times[4 * i + 1]!);
  }
  mitigated(i: number): number | undefined {
    return time(this.c.times[4 * i + 2]!);
  }
  resolved(i: number): number | undefined {
    return time(this.c.times[4 * i + 3]!);
  }
  /** Minutes of impact of each of incident `i`'s services, in the order of `codes('services', i)`. */
  serviceMinutes(i: number): Float64Array {
    return this.c.serviceMinutes.subarray(this.c.services.offsets[i]!, this.c.services.offsets[i + 1]!);
  }

  /** The values of a column that some incident has. */
  used(column: 'status' | 'severity' | 'category' | 'provider' | 'startedDate'): string[] {
    const at = { status: STATUS, severity: SEVERITY, category: CATEGORY, provider: PROVIDER, startedDate: DATE }[column];
    const codes = new Set<number>();
    const { scalars } = this.c;
    for (let k = at; k < scalars.length; k += SCALARS) codes.add(scalars[k]!);
    return [...codes].map((c) => this.c.dict[c]!);
  }

  /**
   * Visits the incidents whose status has this code from the last position to the first, with
   * each one's start, until `visit` returns false: one pass over the columns, no call per
   * incident besides `visit` (which V8 optimises after its first few thousand calls).
   */
  fromLastWithStatus(code: number, visit: (i: number, started: number) => boolean): void {
    const { scalars, times } = this.c;
    for (let i = this.n - 1, k = SCALARS * i + STATUS; i >= 0; i--, k -= SCALARS) {
      if (scalars[k] === code && !visit(i, times[4 * i]!)) return;
    }
  }

  /** Codes of a list of incident `i` (a view, not a copy). */
  codes(list: (typeof LISTS)[number], i: number): Uint32Array {
    const l = this.c[list];
    return l.values.subarray(l.offsets[i]!, l.offsets[i + 1]!);
  }

  list(list: (typeof LISTS)[number], i: number): string[] {
    return Array.from(this.codes(list, i), (code) => this.c.dict[code]!);
  }

  remediationCount(i: number): number {
    const o = this.c.remediations.offsets;
    return (o[i + 1]! - o[i]!) / 4;
  }

  /** Codes of remediation `k` of incident `i`: id, owner, status, due. */
  remediation(i: number, k: number): [id: number, owner: number, status: number, due: number] {
    const at = this.c.remediations.offsets[i]! + 4 * k;
    const v = this.c.remediations.values;
    return [v[at]!, v[at + 1]!, v[at + 2]!, v[at + 3]!];
  }

  /** Facts these were patched from (see `with`), and the values they added: their codes come from there. */
  private base?: { facts: Facts; added: ReadonlyMap<string, number> };

  /**
   * The code of a value, or -1 when no incident has it. Looked for in the dictionary's list until
   * its map is made (by `dictionary`): a build after an edit asks for a few dozen values, and
   * making the map of ~9,000 values, once, unoptimised, costs more than those searches.
   */
  codeOf(value: string): number {
    if (this.base) return this.base.added.get(value) ?? this.base.facts.codeOf(value);
    return this.dictCodes ? (this.dictCodes.get(value) ?? -1) : this.c.dict.indexOf(value);
  }

  /** The index of an incident (ids are sorted: a binary search, no table of 10,000 to make). */
  indexOf(id: string): number | undefined {
    const { ids } = this.c;
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const x = ids[mid]!;
      if (x === id) return mid;
      if (x < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  private dictCodes?: Map<string, number>;
  dictionary(): Map<string, number> {
    if (!this.dictCodes && this.base) this.dictCodes = new Map([...this.base.facts.dictionary(), ...this.base.added]);
    if (!this.dictCodes) {
      this.dictCodes = new Map();
      this.c.dict.forEach((v, code) => {
        if (!this.dictCodes!.has(v)) this.dictCodes!.set(v, code);
      });
    }
    return this.dictCodes;
  }

  brief(i: number): Brief {
    const remediations: BriefRemediation[] = [];
    for (let k = 0; k < this.remediationCount(i); k++) {
      const [id, owner, status, due] = this.remediation(i, k).map((code) => this.c.dict[code]!) as [string, string, string, string];
      remediations.push({ id, owner, status, due });
    }
    return {
      id: this.id(i),
      title: this.title(i),
      status: this.status(i),
      severity: this.severity(i),
      services: this.list('services', i),
      serviceMinutes: Array.from(this.serviceMinutes(i)),
      category: this.category(i),
      provider: this.provider(i),
      started: this.started(i),
      detected: this.detected(i),
      mitigated: this.mitigated(i),
      resolved: this.resolved(i),
      startedDate: this.startedDate(i),
      commander: this.commander(i),
      authors: this.list('authors', i),
      reviewers: this.list('reviewers', i),
      remediations,
      related: this.list('related', i),
      textDigest: this.textDigest(i),
      trendDigest: this.trendDigest(i),
      groupDigest: this.groupDigest(i),
      rowDigest: this.c.rowDigests.get(i),
      actionDigest: this.c.actionDigests.get(i),
      ownerDigest: this.c.ownerDigests.get(i),
    };
  }

  /**
   * These facts with some incidents' briefs replaced, when their lists keep their lengths (the
   * usual edit: a title, a status, a date); else undefined (see `FactsBuilder`).
   */
  with(changes: ReadonlyMap<number, Brief>): Facts | undefined {
    for (const [i, b] of changes) {
      for (const list of LISTS) if (b[list].length !== this.codes(list, i).length) return undefined;
      if (b.remediations.length !== this.remediationCount(i)) return undefined;
    }
    const dict = [...this.c.dict];
    // new values get new codes; the dictionary of these facts is shared, not copied
    const added = new Map<string, number>();
    const code = (value: string) => {
      let c = this.codeOf(value);
      if (c < 0) c = added.get(value) ?? -1;
      if (c < 0) {
        added.set(value, (c = dict.length));
        dict.push(value);
      }
      return c;
    };
    const scalars = this.c.scalars.slice();
    const times = this.c.times.slice();
    const serviceMinutes = this.c.serviceMinutes.slice();
    const lists = Object.fromEntries(
      [...LISTS, 'remediations' as const].map((l) => [l, { offsets: this.c[l].offsets, values: this.c[l].values.slice() }]),
    ) as Record<(typeof LISTS)[number] | 'remediations', Lists>;
    const strings = {
      titles: new Map<number, string>(),
      textDigests: new Map<number, string>(),
      trendDigests: new Map<number, string>(),
      groupDigests: new Map<number, string>(),
      rowDigests: new Map<number, string>(),
      actionDigests: new Map<number, string>(),
      ownerDigests: new Map<number, string>(),
    };
    for (const [i, b] of changes) {
      const s = SCALARS * i;
      scalars[s + STATUS] = code(b.status);
      scalars[s + SEVERITY] = code(b.severity);
      scalars[s + CATEGORY] = code(b.category);
      scalars[s + PROVIDER] = code(b.provider);
      scalars[s + COMMANDER] = code(b.commander);
      scalars[s + DATE] = code(b.startedDate);
      times.set([b.started, b.detected ?? NaN, b.mitigated ?? NaN, b.resolved ?? NaN], 4 * i);
      serviceMinutes.set(b.serviceMinutes, lists.services.offsets[i]!);
      for (const list of LISTS) lists[list].values.set(b[list].map(code), lists[list].offsets[i]!);
      lists.remediations.values.set(
        b.remediations.flatMap((r) => [code(r.id), code(r.owner), code(r.status), code(r.due)]),
        lists.remediations.offsets[i]!,
      );
      strings.titles.set(i, escapeField(b.title));
      strings.textDigests.set(i, b.textDigest);
      strings.trendDigests.set(i, b.trendDigest);
      strings.groupDigests.set(i, b.groupDigest);
      strings.rowDigests.set(i, b.rowDigest);
      strings.actionDigests.set(i, b.actionDigest);
      strings.ownerDigests.set(i, b.ownerDigest);
    }
    const patched = new Facts({
      ids: this.c.ids,
      dict,
      scalars,
      times,
      serviceMinutes,
      ...lists,
      titles: this.c.titles.with(strings.titles),
      textDigests: this.c.textDigests.with(strings.textDigests),
      trendDigests: this.c.trendDigests.with(strings.trendDigests),
      groupDigests: this.c.groupDigests.with(strings.groupDigests),
      rowDigests: this.c.rowDigests.with(strings.rowDigests),
      actionDigests: this.c.actionDigests.with(strings.actionDigests),
      ownerDigests: this.c.ownerDigests.with(strings.ownerDigests),
    });
    patched.base = { facts: this, added };
    return patched;
  }

  private sorted?: Uint32Array;

  /** Display order (newest first, then by id), as indices: worked out once, or kept (see `keepOrder`). */
  order(): Uint32Array {
    if (!this.sorted) {
      const order = Uint32Array.from({ length: this.n }, (_, i) => i);
      const { times, ids } = this.c;
      order.sort((a, b) => times[4 * b]! - times[4 * a]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
      this.sorted = order;
    }
    return this.sorted;
  }

  /** The display order of other facts of the same incidents with the same start times. */
  keepOrder(order: Uint32Array | undefined): this {
    if (order && order.length === this.n) this.sorted = order;
    return this;
  }

  /** The display order, if worked out. */
  knownOrder(): Uint32Array | undefined {
    return this.sorted;
  }
}

const time = (t: number) => (Number.isNaN(t) ? undefined : t);

/**
 * Makes facts incident by incident, each either copied from earlier facts (same dictionary, so
 * their codes stay valid) or from a brief. Incidents must come in id order.
 */
export class FactsBuilder {
  private readonly dict: string[];
  private readonly codes: Map<string, number>;
  private readonly ids: string[] = [];
  /** Escaped. */
  private readonly titles: string[] = [];
  private readonly textDigests: string[] = [];
  private readonly trendDigests: string[] = [];
  private readonly groupDigests: string[] = [];
  private readonly rowDigests: string[] = [];
  private readonly actionDigests: string[] = [];
  private readonly ownerDigests: string[] = [];
  private scalars: Uint32Array;
  private times: Float64Array;
  private readonly serviceMinutes: number[] = [];
  private readonly lists: Record<(typeof LISTS)[number] | 'remediations', { offsets: number[]; values: Uint32Array; length: number }>;

  constructor(
    private readonly from: Facts | undefined,
    capacity: number,
  ) {
    this.dict = from ? [...from.c.dict] : [''];
    this.codes = from ? new Map(from.dictionary()) : new Map([['', 0]]);
    this.scalars = new Uint32Array(SCALARS * capacity);
    this.times = new Float64Array(4 * capacity);
    const list = (size: number) => ({ offsets: [0], values: new Uint32Array(Math.max(16, size)), length: 0 });
    this.lists = {
      services: list(from?.c.services.values.length ?? 2 * capacity),
      authors: list(from?.c.authors.values.length ?? capacity),
      reviewers: list(from?.c.reviewers.values.length ?? capacity),
      related: list(from?.c.related.values.length ?? capacity),
      remediations: list(from?.c.remediations.values.length ?? 8 * capacity),
    };
  }

  private code(value: string): number {
    let c = this.codes.get(value);
    if (c === undefined) {
      c = this.dict.length;
      this.dict.push(value);
      this.codes.set(value, c);
    }
    return c;
  }

  private push(list: keyof FactsBuilder['lists'], values: ArrayLike<number>): void {
    const l = this.lists[list];
    if (l.length + values.length > l.values.length) {
      const bigger = new Uint32Array(Math.max(2 * l.values.length, l.length + values.length));
      bigger.set(l.values.subarray(0, l.length));
      l.values = bigger;
    }
    l.values.set(values, l.length);
    l.length += values.length;
    l.offsets.push(l.length);
  }

  private grow(): void {
    const n = this.ids.length;
    if (SCALARS * (n + 1) > this.scalars.length) {
      const s = new Uint32Array(2 * this.scalars.length + SCALARS);
      s.set(this.scalars);
      this.scalars = s;
      const t = new Float64Array(2 * this.times.length + 4);
      t.set(this.times);
      this.times = t;
    }
  }

  /** Incident `i` of the facts this builder started from, as it was. */
  copy(i: number): void {
    const f = this.from!;
    this.grow();
    const n = this.ids.length;
    this.ids.push(f.c.ids[i]!);
    this.titles.push(f.c.titles.get(i));
    this.textDigests.push(f.c.textDigests.get(i));
    this.trendDigests.push(f.c.trendDigests.get(i));
    this.groupDigests.push(f.c.groupDigests.get(i));
    this.rowDigests.push(f.c.rowDigests.get(i));
    this.actionDigests.push(f.c.actionDigests.get(i));
    this.ownerDigests.push(f.c.ownerDigests.get(i));
    this.scalars.set(f.c.scalars.subarray(SCALARS * i, SCALARS * (i + 1)), SCALARS * n);
    this.times.set(f.c.times.subarray(4 * i, 4 * (i + 1)), 4 * n);
    for (const list of LISTS) this.push(list, f.codes(list, i));
    this.serviceMinutes.push(...f.serviceMinutes(i));
    const o = f.c.remediations.offsets;
    this.push('remediations', f.c.remediations.values.subarray(o[i]!, o[i + 1]!));
  }

  add(b: Brief): void {
    this.grow();
    const n = this.ids.length;
    this.ids.push(b.id);
    this.titles.push(escapeField(b.title));
    this.textDigests.push(b.textDigest);
    this.trendDigests.push(b.trendDigest);
    this.groupDigests.push(b.groupDigest);
    this.rowDigests.push(b.rowDigest);
    this.actionDigests.push(b.actionDigest);
    this.ownerDigests.push(b.ownerDigest);
    const s = SCALARS * n;
    this.scalars[s + STATUS] = this.code(b.status);
    this.scalars[s + SEVERITY] = this.code(b.severity);
    this.scalars[s + CATEGORY] = this.code(b.category);
    this.scalars[s + PROVIDER] = this.code(b.provider);
    this.scalars[s + COMMANDER] = this.code(b.commander);
    this.scalars[s + DATE] = this.code(b.startedDate);
    this.times[4 * n] = b.started;
    this.times[4 * n + 1] = b.detected ?? NaN;
    this.times[4 * n + 2] = b.mitigated ?? NaN;
    this.times[4 * n + 3] = b.resolved ?? NaN;
    for (const list of LISTS)
      this.push(
        list,
        b[list].map((v) => this.code(v)),
      );
    this.serviceMinutes.push(...b.serviceMinutes);
    this.push(
      'remediations',
      b.remediations.flatMap((r) => [this.code(r.id), this.code(r.owner), this.code(r.status), this.code(r.due)]),
    );
  }

  build(): Facts {
    const n = this.ids.length;
    const lists = (l: { offsets: number[]; values: Uint32Array; length: number }): Lists => ({
      offsets: Uint32Array.from(l.offsets),
      values: l.values.slice(0, l.length),
    });
    return new Facts({
      ids: this.ids,
      dict: this.dict,
      titles: Column.of(this.titles, '\u0000'),
      textDigests: Column.of(this.textDigests, '\n'),
      trendDigests: Column.of(this.trendDigests, '\n'),
      groupDigests: Column.of(this.groupDigests, '\n'),
      rowDigests: Column.of(this.rowDigests, '\n'),
      actionDigests: Column.of(this.actionDigests, '\n'),
      ownerDigests: Column.of(this.ownerDigests, '\n'),
      scalars: this.scalars.slice(0, SCALARS * n),
      times: this.times.slice(0, 4 * n),
      serviceMinutes: Float64Array.from(this.serviceMinutes),
      services: lists(this.lists.services),
      authors: lists(this.lists.authors),
      reviewers: lists(this.lists.reviewers),
      related: lists(this.lists.related),
      remediations: lists(this.lists.remediations),
    });
  }
}
