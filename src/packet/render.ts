import { createEnvironment } from '../render/handlebars.js';
import { packetHelpers } from './helpers.js';
import type { PacketView } from './view.js';

/**
 * Renders the packet's HTML with its own (internal) Handlebars environment. Templates:
 * `packet/packet.html.hbs` with the partials `packet/incident.hbs`, `packet/timeline.hbs` and
 * `packet/styles.css`,
 * each overridable from the knowledge base's own `templates/` folder.
 */
export function renderPacketHtml(root: string, zone: string, view: PacketView): string {
  const env = createEnvironment('internal', packetHelpers(zone), {
    hint: "Packet templates get the packet's view model and helpers (see docs/packets.md).",
  });
  env.registerPartialFile(root, 'styles', 'packet/styles.css');
  env.registerPartialFile(root, 'incident', 'packet/incident.hbs');
  env.registerPartialFile(root, 'timeline', 'packet/timeline.hbs');
  env.registerPartialFile(root, 'creditsStyles', 'packet/credits.css');
  env.registerPartialFile(root, 'brief', 'packet/brief.hbs');
  env.registerPartialFile(root, 'credits', 'packet/credits.hbs');
  const template = env.load(root, 'packet/packet.html.hbs');
  // template indentation leaves trailing blanks and empty lines; drop them
  return template(view)
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n');
}
