import { workerData } from 'node:worker_threads';
import { answerEarlyScan } from '../db/early-scan.js';
import { scanIncidentFiles } from '../kb/files.js';
import { warmFormat } from '../model/intl-warm.js';

/**
 * The thread `start.ts` starts for `build` (`db/early-scan.ts`): the walk of `incidents/` and the
 * stats of its files, as `update` makes them, then ICU's date data if asked (`model/intl-warm.ts`),
 * and nothing else loaded (bundled alone as `dist/disk-scan.cjs`, a few kilobytes).
 */
answerEarlyScan(workerData, scanIncidentFiles, warmFormat);
