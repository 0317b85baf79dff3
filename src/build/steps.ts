import type { CommandContext } from '../commands/context.js';
import type { Problem } from '../problems.js';
import { letterBuildStep } from '../letter/build-step.js';
import { packetBuildStep } from '../packet/build-step.js';
import type { BuiltKnowledgeBase } from '../db/knowledge-base.js';
import { siteBuildStep } from '../site/step.js';

/**
 * What `postmortem build` does after the database is up to date: each document kind
 * (letters and packets declared in the config, the site) registers one step here.
 * Steps run in this order; a failing step never removes what an earlier build wrote.
 */
export interface BuildStepResult {
  /** Files written or rewritten (relative to the output folder). */
  written: string[];
  /** Files left alone because their content was identical. */
  unchanged: number;
  problems: Problem[];
  /** Lines for the user (e.g. "PDF skipped: Chromium not found ..."). */
  notes: string[];
}

export interface BuildStep {
  name: string;
  /** `kb` is what the database build returns: config, problems, changed ids, typed incidents, the database. */
  run(ctx: CommandContext, kb: BuiltKnowledgeBase): Promise<BuildStepResult>;
}

export const BUILD_STEPS: BuildStep[] = [
  // letters and packets from `documents:` (issue 4, 5), then the site (issue 6)
  letterBuildStep,
  packetBuildStep,
  siteBuildStep, // keep last: the site after the documents
];
