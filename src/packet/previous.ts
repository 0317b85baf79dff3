import type { CommandContext } from '../commands/context.js';
import { UserError } from '../commands/context.js';
import type { BuiltKnowledgeBase } from '../db/knowledge-base.js';
import { localDate } from '../db/write.js';
import { knowledgeBaseAsOf } from '../history/as-of.js';
import { resolveRef } from '../history/git.js';
import type { Incident } from '../model/incident.js';
import { Temporal } from '../model/time.js';
import { documentsOfType } from '../schema/config.js';
import { packetDelta, type DeltaSide, type PacketDelta } from './delta.js';
import { readNotes, type Notes } from './notes.js';
import { periodDays, type Period } from './period.js';
import { notesPath, requestFromDocument, resolvePacketSpec, type PacketSpec } from './spec.js';

/**
 * The previous review named by `previous:` / `--since-ref`: a packet under `documents:` (its
 * evaluation date, period, notes and asks), else a git commit or tag (its commit date, and a
 * period of the same length as this packet's ending then).
 */
interface PreviousReview {
  spec?: PacketSpec;
  date: Temporal.PlainDate;
  period: Period;
  notes?: Notes;
}

function previousReview(ctx: CommandContext, kb: BuiltKnowledgeBase, spec: PacketSpec, ref: string): PreviousReview {
  const doc = documentsOfType(kb.config, 'packet').find((d) => d.spec.name === ref);
  if (doc) {
    if (doc.spec.name === spec.name) throw new UserError(`Packet "${spec.name}" names itself as the previous review`);
    const previous = resolvePacketSpec(requestFromDocument(doc.spec), kb.config, kb.today, kb.incidents());
    const file = notesPath(ctx.root, previous);
    return {
      spec: previous,
      date: previous.asOf,
      period: previous.period,
      notes: file ? readNotes(file, previous.notes!, previous.asOf) : undefined,
    };
  }
  const commit = resolveRef(ctx.root, ref);
  if (!commit) {
    throw new UserError(
      `The previous review "${ref}" is neither a packet under documents: nor a git commit or tag`,
      'Name a packet declared in postmortem.config.yaml, or a commit or tag of the knowledge base.',
    );
  }
  const date = Temporal.PlainDate.from(localDate(Temporal.Instant.from(commit.committedAt), kb.config.timezone));
  return { date, period: { since: date.subtract({ days: periodDays(spec.period) - 1 }), until: date } };
}

/** "Since our last review" for a packet whose spec names a previous review, from both days' knowledge base. */
export function sinceLastReview(
  ctx: CommandContext,
  kb: BuiltKnowledgeBase,
  spec: PacketSpec,
  current: Omit<DeltaSide, 'period'>,
): PacketDelta {
  const ref = spec.previous!;
  const previous = previousReview(ctx, kb, spec, ref);
  if (Temporal.PlainDate.compare(previous.date, spec.asOf) > 0) {
    throw new UserError(`The previous review "${ref}" (${previous.date}) is after this packet's evaluation date (${spec.asOf})`);
  }
  const ids = new Set([
    ...(spec.include ?? []),
    ...(spec.incidents ?? []),
    ...(previous.spec?.include ?? []),
    ...(previous.spec?.incidents ?? []),
  ]);
  const inScope = (i: Incident) =>
    ids.has(i.id) || (!spec.incidents && (spec.provider === undefined || i.providers.includes(spec.provider)));
  const view = knowledgeBaseAsOf(kb, ctx.root, previous.date);
  try {
    const before: DeltaSide = {
      date: previous.date,
      commit: view.commit?.id,
      period: previous.period,
      db: view.db,
      incidents: view.incidents(),
      notes: previous.notes,
    };
    return packetDelta(ref, before, { ...current, period: spec.period }, inScope, kb.config.availability_weights);
  } finally {
    view.db.close();
  }
}
