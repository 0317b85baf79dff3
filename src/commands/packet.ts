import { updateKnowledgeBase } from '../db/knowledge-base.js';
import { packetData, writePacket, type PacketBuild } from '../packet/build.js';
import type { ProviderPacketBuild } from '../packet/provider-build.js';
import type { PacketDelta } from '../packet/delta.js';
import type { BuiltKnowledgeBase } from '../db/knowledge-base.js';
import { requestFromDocument, type PacketRequest } from '../packet/spec.js';
import { countBySeverity } from '../problems.js';
import { PACKET_AUDIENCES } from '../schema/config.js';
import { UserError, type CliEnv, type CommandContext, type CommandResult, type CommandBody } from './context.js';

export interface PacketOptions {
  provider?: string;
  since?: string;
  until?: string;
  meeting?: string;
  incidents?: string[];
  notes?: string;
  /** `html`, `pdf` (default both). */
  formats?: string[];
  /** Output name; when it names a packet under `documents:`, that packet's settings are the defaults. */
  name?: string;
  db?: string;
  /** Evaluation date (default: the meeting date, else the period's end). */
  asOf?: string;
  /** The previous review: a packet under documents:, or a git commit or tag. */
  sinceRef?: string;
  /** Print "Since our last review" as JSON instead of writing the packet. */
  delta?: boolean;
  /** `internal` (default) or `provider`: the version to hand to the provider. */
  audience?: string;
  /** Most pages before the appendices (0: no cap). */
  bodyPages?: number;
}

export interface PacketResult extends CommandResult {
  packet: PacketBuild | ProviderPacketBuild;
}

/** Reads `--format html,pdf` (also repeated flags). */
export function parsePacketFormats(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = (Array.isArray(value) ? value : [value])
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return parts.length ? parts : undefined;
}

async function loadForPacket(ctx: CommandContext, options: PacketOptions): Promise<{ kb: BuiltKnowledgeBase; request: PacketRequest }> {
  const kb = await updateKnowledgeBase(ctx, { dbPath: options.db });
  const { errors } = countBySeverity(kb.problems);
  if (errors > 0) {
    const files = new Set(kb.problems.filter((p) => p.severity === 'error').map((p) => p.file)).size;
    ctx.stderr.write(
      `postmortem: ${files} file${files === 1 ? ' has' : 's have'} errors and ${files === 1 ? 'is' : 'are'} left out; run "postmortem check" to see them\n`,
    );
  }
  const declared = options.name ? kb.config.documents.find((d) => d.type === 'packet' && d.name === options.name) : undefined;
  const base: PacketRequest = declared && declared.type === 'packet' ? requestFromDocument(declared) : {};
  const request: PacketRequest = {
    ...base,
    name: options.name ?? base.name,
    ...(options.provider !== undefined ? { provider: options.provider } : {}),
    ...(options.since !== undefined ? { since: options.since } : {}),
    ...(options.until !== undefined ? { until: options.until } : {}),
    ...(options.meeting !== undefined ? { meeting: options.meeting } : {}),
    ...(options.incidents?.length ? { incidents: options.incidents } : {}),
    ...(options.notes !== undefined ? { notes: options.notes } : {}),
    ...(options.asOf !== undefined ? { asOf: options.asOf } : {}),
    ...(options.sinceRef !== undefined ? { previous: options.sinceRef } : {}),
    ...(options.formats?.length ? { formats: options.formats } : {}),
    ...(options.audience !== undefined ? { audience: options.audience } : {}),
    ...(options.bodyPages !== undefined ? { bodyPages: options.bodyPages } : {}),
  };
  return { kb, request };
}

/** `postmortem packet --delta --format json`: "Since our last review" as JSON, for CI; no file is written. */
export async function runPacketDelta(ctx: CommandContext, options: PacketOptions): Promise<CommandResult & { delta: PacketDelta }> {
  const formats = options.formats;
  if (formats && (formats.length !== 1 || formats[0] !== 'json'))
    throw new UserError('--delta writes JSON only', 'Use --delta --format json (or --delta alone).');
  const { kb, request } = await loadForPacket(ctx, { ...options, formats: undefined });
  const data = packetData(ctx, kb, request);
  if (data.spec.audience !== 'internal')
    throw new UserError(
      `--delta compares internal packets; "${data.spec.name}" is the version for the provider`,
      'Give --delta the name of the internal packet (or --audience internal).',
    );
  if (!data.delta)
    throw new UserError(
      `Packet "${data.spec.name}" names no previous review`,
      'Add previous: <packet name> to its entry under documents:, or give --since-ref <packet name, commit or tag>.',
    );
  for (const note of data.messages) ctx.stderr.write(`note: ${note}\n`);
  ctx.stdout.write(`${JSON.stringify(data.delta, null, 2)}\n`);
  return { exitCode: 0, delta: data.delta };
}

/** `postmortem packet`: the internal review packet for a provider meeting (HTML and PDF). */
export async function runPacket(ctx: CommandContext, options: PacketOptions): Promise<PacketResult> {
  if (options.formats?.includes('json'))
    throw new UserError(
      '--format json is for --delta',
      'Use --delta --format json for "Since our last review" as JSON, or --format html,pdf for the packet.',
    );
  const { kb, request } = await loadForPacket(ctx, options);
  const packet = await writePacket(ctx, kb, request);
  for (const path of packet.written) ctx.stdout.write(`wrote ${ctx.out}/${path}\n`);
  if (packet.unchanged) ctx.stdout.write(`${packet.unchanged} file${packet.unchanged === 1 ? '' : 's'} unchanged\n`);
  for (const note of packet.notes) ctx.stderr.write(`note: ${note}\n`);
  const { spec } = packet;
  ctx.stdout.write(
    `Packet "${spec.name}": ${packet.incidents.length} incident${packet.incidents.length === 1 ? '' : 's'}${spec.provider ? ` involving ${spec.provider}` : ''}, ${spec.period.since} to ${spec.period.until}${spec.audience === 'provider' ? ', the version for the provider' : ''}.\n`,
  );
  return { exitCode: 0, packet };
}

export const packetCommand = (env: CliEnv): CommandBody => ({
  builder: (y) =>
    y
      .option('provider', { type: 'string', describe: 'Only incidents involving this provider' })
      .option('since', { type: 'string', describe: 'First day of the period, YYYY-MM-DD [default: a year before --until]' })
      .option('until', {
        type: 'string',
        describe: 'Last day of the period, YYYY-MM-DD [default: the meeting date, else the evaluation date (--now, as_of, today)]',
      })
      .option('meeting', { type: 'string', describe: 'Meeting date printed on the cover, YYYY-MM-DD' })
      .option('incidents', {
        type: 'string',
        array: true,
        describe: 'Exactly these incident ids instead of the provider and period selection',
      })
      .option('notes', {
        type: 'string',
        describe: 'Markdown file of meeting notes (relative to the root); its ## sections close the packet',
      })
      .option('format', { type: 'string', describe: 'Formats, comma-separated: html,pdf [default: both]; json with --delta' })
      .option('as-of', {
        type: 'string',
        describe: 'Evaluate status and incident text at the end of this day, YYYY-MM-DD [default: the meeting date, else --until]',
      })
      .option('since-ref', {
        type: 'string',
        describe: 'The previous review (a packet under documents:, or a git commit or tag): the packet opens with "Since our last review"',
      })
      .option('delta', {
        type: 'boolean',
        default: false,
        describe: 'Print "Since our last review" as JSON (--format json) instead of writing the packet',
      })
      .option('audience', {
        type: 'string',
        choices: [...PACKET_AUDIENCES],
        describe:
          'internal: everything, for our side; provider: the version to hand to the provider (needs --provider) [default: internal, or audience: of the declared packet]',
      })
      .option('body-pages', {
        type: 'number',
        describe:
          'Most pages before the appendices, cover and contents included; what does not fit moves to appendices (0: no cap) [default: 20]',
      })
      .option('name', {
        type: 'string',
        describe: 'File name without extension; a packet of that name under documents: supplies the defaults',
      })
      .option('db', { type: 'string', describe: 'Database file [default: <out>/postmortems.db]' }),
  handler: async (argv) => {
    const incidents = argv.incidents as string[] | undefined;
    if (incidents?.some((i) => String(i).trim() === '')) throw new UserError('--incidents needs incident ids');
    const run = argv.delta ? runPacketDelta : runPacket;
    env.finish(
      await run(env.context(argv), {
        provider: argv.provider as string | undefined,
        since: argv.since as string | undefined,
        until: argv.until as string | undefined,
        meeting: argv.meeting as string | undefined,
        incidents: incidents?.map(String),
        notes: argv.notes as string | undefined,
        formats: parsePacketFormats(argv.format),
        name: argv.name as string | undefined,
        db: argv.db as string | undefined,
        asOf: argv.asOf as string | undefined,
        sinceRef: argv.sinceRef as string | undefined,
        delta: argv.delta as boolean,
        audience: argv.audience as string | undefined,
        bodyPages: argv.bodyPages as number | undefined,
      }),
    );
  },
});
