import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { isInside } from '../kb/targets.js';
import { UserError } from '../commands/context.js';
import { requireId } from '../schema/id.js';
import type { Incident } from '../model/incident.js';
import { parseDate, Temporal } from '../model/time.js';
import { PACKET_AUDIENCES, providerIds, type Config, type PacketAudience, type PacketDocumentSpec } from '../schema/config.js';
import { isoDate } from '../format/time.js';
import type { Period } from './period.js';

export type PacketFormat = 'html' | 'pdf';
export const PACKET_FORMATS: readonly PacketFormat[] = ['html', 'pdf'];

/** What one packet is about, fully resolved: from `documents:` in the config or from command-line options. */
export interface PacketSpec {
  name: string;
  provider?: string;
  period: Period;
  meeting?: Temporal.PlainDate;
  /** Explicit incident ids (otherwise: every incident started in the period, with the provider if given). */
  incidents?: string[];
  /** Incidents reviewed in addition to the provider/period selection. */
  include?: string[];
  /** Notes file relative to the root. */
  notes?: string;
  formats: PacketFormat[];
  /** The day status and incident text are evaluated at: `as_of`, else the meeting date, else `until`. */
  asOf: Temporal.PlainDate;
  /** The previous review (a packet document name, or a git commit or tag), for "Since our last review". */
  previous?: string;
  /** `internal` (everything) or `provider` (the allowlist view for the provider, `provider-view.ts`). */
  audience: PacketAudience;
  /** Most pages before the appendices (0: no cap). */
  bodyPages: number;
}

/** The body's page cap when neither `body_pages:` nor `--body-pages` gives one. */
export const DEFAULT_BODY_PAGES = 20;

/** The request as written: command-line options or a `documents:` entry. Dates are `YYYY-MM-DD`. */
export interface PacketRequest {
  name?: string;
  provider?: string;
  since?: string;
  until?: string;
  meeting?: string;
  incidents?: readonly string[];
  include?: readonly string[];
  notes?: string;
  formats?: readonly string[];
  asOf?: string;
  previous?: string;
  audience?: string;
  bodyPages?: number;
}

export function requestFromDocument(doc: PacketDocumentSpec): PacketRequest {
  return {
    name: doc.name,
    provider: doc.provider,
    since: doc.since,
    until: doc.until,
    meeting: doc.meeting,
    incidents: doc.incidents,
    include: doc.include,
    notes: doc.notes,
    formats: doc.formats,
    asOf: doc.as_of,
    previous: doc.previous,
    audience: doc.audience,
    bodyPages: doc.body_pages,
  };
}

function date(text: string | undefined, what: string): Temporal.PlainDate | undefined {
  if (text === undefined) return undefined;
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(text) ? parseDate(text) : undefined;
  if (!parsed) throw new UserError(`${what} "${text}" is not a date`, 'Write dates as YYYY-MM-DD, e.g. 2007-06-14.');
  return parsed;
}

function bodyPages(value: number | undefined): number {
  if (value === undefined) return DEFAULT_BODY_PAGES;
  if (!Number.isInteger(value) || value < 0)
    throw new UserError(
      `Body page cap "${value}" is not a whole number of pages`,
      'Give --body-pages (or body_pages:) a number such as 20, or 0 for no cap.',
    );
  return value;
}

/** The display-zone calendar date an incident started on (the database's `started_local_date`). */
export function startedDate(incident: Incident, config: Config): string {
  return isoDate(incident.started, config.timezone);
}

/**
 * Resolves a request against the knowledge base. Defaults: `until` is the meeting date or
 * the evaluation date; `since` is the day after the same date a year earlier (or, with
 * explicit incidents, the first day one of them started); the name is
 * `<until>-<provider or "all">-review`.
 */
export function resolvePacketSpec(
  request: PacketRequest,
  config: Config,
  today: Temporal.PlainDate,
  incidents: readonly Incident[],
): PacketSpec {
  const meeting = date(request.meeting, 'Meeting date');
  const explicitIds = request.incidents?.length ? [...request.incidents] : undefined;
  const include = request.include?.length ? [...request.include] : undefined;
  if (explicitIds || include) {
    const known = new Set(incidents.map((i) => i.id));
    const missing = [...(explicitIds ?? []), ...(include ?? [])].filter((id) => !known.has(id));
    if (missing.length) {
      throw new UserError(
        `Unknown or invalid incident${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`,
        'Check the ids with "postmortem check"; only incidents without errors can go into a packet.',
      );
    }
  }
  const chosen = explicitIds
    ? incidents
        .filter((i) => explicitIds.includes(i.id))
        .map((i) => startedDate(i, config))
        .sort()
    : [];
  const until = date(request.until, 'Until date') ?? meeting ?? (chosen.length ? parseDate(chosen[chosen.length - 1]!)! : today);
  const since =
    date(request.since, 'Since date') ?? (chosen.length ? parseDate(chosen[0]!)! : until.subtract({ years: 1 }).add({ days: 1 }));
  if (Temporal.PlainDate.compare(since, until) > 0) {
    throw new UserError(`The period starts (${since}) after it ends (${until})`, 'Give --since a date on or before --until.');
  }
  if (request.provider !== undefined && providerIds(config).length > 0 && !providerIds(config).includes(request.provider)) {
    throw new UserError(
      `Unknown provider "${request.provider}"`,
      `Providers in postmortem.config.yaml: ${providerIds(config).join(', ')}.`,
    );
  }
  const formats = (request.formats?.length ? request.formats : PACKET_FORMATS).map((f) => f.trim().toLowerCase());
  for (const f of formats) {
    if (!(PACKET_FORMATS as readonly string[]).includes(f))
      throw new UserError(`Unknown packet format "${f}"`, 'Use html, pdf or html,pdf.');
  }
  const audience = packetAudience(request);
  const name =
    request.name ?? (audience === 'provider' ? `${until}-review-for-${request.provider}` : `${until}-${request.provider ?? 'all'}-review`);
  requireId('packet name', name);
  return {
    name,
    provider: request.provider,
    period: { since, until },
    meeting,
    incidents: explicitIds,
    include,
    notes: request.notes,
    asOf: date(request.asOf, 'Evaluation date') ?? meeting ?? until,
    previous: request.previous,
    audience,
    bodyPages: bodyPages(request.bodyPages),
    formats: [...new Set(formats)].sort(
      (a, b) => PACKET_FORMATS.indexOf(a as PacketFormat) - PACKET_FORMATS.indexOf(b as PacketFormat),
    ) as PacketFormat[],
  };
}

/** The request's audience, checked: a provider version needs the provider it is for. */
function packetAudience(request: PacketRequest): PacketAudience {
  const audience = (request.audience ?? 'internal').trim().toLowerCase();
  if (!(PACKET_AUDIENCES as readonly string[]).includes(audience)) {
    throw new UserError(
      `Unknown packet audience "${request.audience}"`,
      'Use internal (everything, for our side) or provider (the version to hand to the provider).',
    );
  }
  if (audience === 'provider' && request.provider === undefined) {
    throw new UserError(
      'A packet for the provider needs the provider it is for',
      "Give --provider NAME (or provider: in the packet's entry under documents:).",
    );
  }
  return audience as PacketAudience;
}

/**
 * The packet's incidents, oldest first: the explicit ids, or every incident that started
 * (display-zone date) within the period and, with a provider, involved that provider, plus
 * any named in `include`.
 */
export function selectIncidents(spec: PacketSpec, incidents: readonly Incident[], config: Config): Incident[] {
  const since = spec.period.since.toString();
  const until = spec.period.until.toString();
  const chosen = spec.incidents
    ? incidents.filter((i) => spec.incidents!.includes(i.id))
    : incidents.filter((i) => {
        const day = startedDate(i, config);
        return (
          (day >= since && day <= until && (spec.provider === undefined || i.providers.includes(spec.provider))) ||
          (spec.include?.includes(i.id) ?? false)
        );
      });
  return [...chosen].sort((a, b) => Temporal.Instant.compare(a.started, b.started) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Checks the notes file exists before anything is rendered. */
export function notesPath(root: string, spec: PacketSpec): string | undefined {
  if (!spec.notes) return undefined;
  const path = resolve(root, spec.notes);
  if (!isInside(existsSync(path) ? realpathSync(path) : path, realpathSync(root))) {
    throw new UserError(
      `Notes file ${spec.notes} is outside the knowledge base`,
      'Keep meeting notes inside the knowledge-base root (e.g. reviews/<name>.md) and name them relative to it.',
    );
  }
  if (!existsSync(path)) {
    throw new UserError(
      `Notes file ${spec.notes} not found`,
      'Write it (Markdown, one "## " section per topic) or drop --notes / `notes:` from the packet.',
    );
  }
  return path;
}
