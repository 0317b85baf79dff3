import { BASE_INCIDENT } from '../../src/rules/fixtures.js';

/**
 * The base incident over two services, each hit by its own window: webmail down 9:10–10:55,
 * pop degraded 9:30–9:48 (stats and the site count each service from its own windows).
 */
export const TWO_SERVICE_WINDOWS = BASE_INCIDENT.replace('services: [webmail]', 'services: [webmail, pop]').replace(
  'impact:\n',
  [
    'impact:',
    '  windows:',
    '    - {from: 2007-06-04T09:10:00-04:00, to: 2007-06-04T10:55:00-04:00, services: [webmail]}',
    '    - {from: 2007-06-04T09:30:00-04:00, to: 2007-06-04T09:48:00-04:00, services: [pop], level: degraded}',
    '',
  ].join('\n'),
);
