import { EVENTS_PATH } from './inject.js';

/**
 * The script served pages load from `/_serve/client.js`: it listens to the server's events
 * (Server-Sent Events), reloads the page when a build changed it (the server follows which file
 * each page shows), and otherwise shows the
 * knowledge base's problems over the page, each linked to its place in the source. Text goes
 * in with `textContent` only, and styles through the CSSOM (the pages' policies forbid inline
 * styles and scripts).
 */
export const CLIENT_SCRIPT = `(() => {
  'use strict';
  const script = document.currentScript;
  const loaded = script && script.dataset.build;
  const OVERLAY_ID = 'postmortem-serve-overlay';
  const css = (element, styles) => { Object.assign(element.style, styles); return element; };
  const make = (tag, styles, text) => {
    const element = css(document.createElement(tag), styles || {});
    if (text !== undefined) element.textContent = text;
    return element;
  };
  const hide = () => { const old = document.getElementById(OVERLAY_ID); if (old) old.remove(); };
  const show = (state) => {
    hide();
    if (state.problems.length === 0) return;
    const overlay = make('section', {
      position: 'fixed', left: '0', right: '0', bottom: '0', maxHeight: '60vh', overflow: 'auto', zIndex: '2147483647',
      margin: '0', padding: '0.75rem 1rem', background: '#1d1f21', color: '#f8f8f2', borderTop: '4px solid #e5484d',
      font: '14px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', textAlign: 'left',
    });
    overlay.id = OVERLAY_ID;
    overlay.setAttribute('role', 'alert');
    overlay.setAttribute('aria-label', 'Problems in the knowledge base');
    const count = state.problems.length;
    const heading = make('p', { margin: '0 0 0.5rem', fontWeight: 'bold' },
      count + (count === 1 ? ' problem' : ' problems') + (state.held ? ' — showing the last good build' : ''));
    const close = make('button', { float: 'right', font: 'inherit', cursor: 'pointer' }, 'Close');
    close.type = 'button';
    close.addEventListener('click', hide);
    heading.prepend(close);
    overlay.append(heading);
    const list = make('ul', { margin: '0', padding: '0', listStyle: 'none' });
    for (const p of state.problems) {
      const item = make('li', { margin: '0.25rem 0' });
      const link = make('a', { color: '#8ab4f8' }, p.location);
      link.href = p.href;
      link.className = 'location';
      const severity = make('span', { color: p.severity === 'error' ? '#ff8589' : '#ffd479' }, ' ' + p.severity + ' ');
      item.append(link, ':', severity, p.message + ' [' + p.ruleId + ']');
      list.append(item);
    }
    overlay.append(list);
    document.body.append(overlay);
  };
  const events = new EventSource('${EVENTS_PATH}?page=' + encodeURIComponent(location.pathname));
  events.addEventListener('state', (event) => {
    const state = JSON.parse(event.data);
    if (loaded && state.build !== loaded) {
      events.close();
      location.reload();
      return;
    }
    show(state);
  });
})();
`;
