/* postmortem-kb site: search, filters and sorting for the incident table.
 * Progressive enhancement: without JavaScript the full table is shown and the controls stay hidden.
 * Loads nothing: MiniSearch and the search index come from script files next to this one. */
(function () {
  'use strict';
  var table = document.getElementById('incidents');
  var controls = document.getElementById('controls');
  if (!table || !controls) return;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var count = document.getElementById('result-count');
  var search = document.getElementById('search');
  var reset = document.getElementById('reset');
  var selects = Array.prototype.slice.call(controls.querySelectorAll('select[data-filter]'));
  var indexes = null;

  function loadIndexes() {
    if (indexes) return indexes;
    indexes = [];
    var shards = window.PMKB_SEARCH || [];
    if (!window.MiniSearch || !window.PMKB_SEARCH_OPTIONS) return indexes;
    for (var i = 0; i < shards.length; i++) {
      indexes.push(window.MiniSearch.loadJS(shards[i], window.PMKB_SEARCH_OPTIONS));
    }
    return indexes;
  }

  /** Matching ids, each with the fields where its words were found (null when there is no query). */
  function matches(query) {
    if (!query.trim()) return null;
    var found = new Map();
    loadIndexes().forEach(function (index) {
      index.search(query).forEach(function (r) {
        var fields = found.get(r.id) || new Set();
        Object.keys(r.match).forEach(function (term) { r.match[term].forEach(function (f) { fields.add(f); }); });
        found.set(r.id, fields);
      });
    });
    return found;
  }

  /** Under the incident's title: where the words were found (in the order of the index's fields). */
  function showFoundIn(row, fields) {
    var line = row.querySelector('.found-in');
    if (!fields) {
      if (line) line.hidden = true;
      return;
    }
    if (!line) {
      line = document.createElement('span');
      line.className = 'found-in';
      row.querySelector('td[data-label="Incident"]').appendChild(line);
    }
    var labels = window.PMKB_SEARCH_FIELDS || {};
    var names = window.PMKB_SEARCH_OPTIONS.fields.filter(function (f) { return fields.has(f); })
      .map(function (f) { return labels[f] || f; });
    line.textContent = 'Found in: ' + names.join(', ');
    line.hidden = false;
  }

  function filterValue(row, name) {
    switch (name) {
      case 'service': return row.getAttribute('data-services');
      default: return row.getAttribute('data-' + name);
    }
  }

  function apply() {
    var found = matches(search.value);
    var active = selects.filter(function (s) { return s.value !== ''; });
    var shown = 0;
    rows.forEach(function (row) {
      var fields = found && found.get(row.getAttribute('data-id'));
      var ok = !found || !!fields;
      for (var i = 0; ok && i < active.length; i++) {
        var name = active[i].getAttribute('data-filter');
        var value = active[i].value;
        var have = filterValue(row, name);
        ok = name === 'service' ? have.indexOf('|' + value + '|') !== -1 : have === value;
      }
      row.hidden = !ok;
      showFoundIn(row, ok ? fields : null);
      if (ok) shown++;
    });
    count.textContent = shown === rows.length
      ? rows.length + (rows.length === 1 ? ' incident' : ' incidents')
      : shown + ' of ' + rows.length + ' incidents match';
  }

  var SORT_ATTR = { started: 'data-started', title: 'data-title', severity: 'data-severity-rank', services: 'data-services',
    category: 'data-category', provider: 'data-provider', status: 'data-status', duration: 'data-duration' };

  function sortBy(button) {
    var th = button.closest('th');
    var key = button.getAttribute('data-sort');
    var numeric = button.getAttribute('data-type') === 'number';
    var current = th.getAttribute('aria-sort');
    var direction = current === 'ascending' ? 'descending' : current === 'descending' ? 'ascending' : (key === 'started' ? 'descending' : 'ascending');
    var attr = SORT_ATTR[key];
    var sign = direction === 'ascending' ? 1 : -1;
    rows.sort(function (a, b) {
      var x = a.getAttribute(attr), y = b.getAttribute(attr);
      // rows without a value (e.g. unresolved duration) always go last
      if (x === '' && y !== '') return 1;
      if (y === '' && x !== '') return -1;
      var c = numeric ? Number(x) - Number(y) : x.localeCompare(y, 'en', { sensitivity: 'base' });
      if (c === 0) c = Number(b.getAttribute('data-started')) - Number(a.getAttribute('data-started'));
      return sign * c;
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    tbody.appendChild(fragment);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', direction);
  }

  controls.hidden = false;
  search.addEventListener('input', apply);
  selects.forEach(function (s) { s.addEventListener('change', apply); });
  reset.addEventListener('click', function () {
    search.value = '';
    selects.forEach(function (s) { s.value = ''; });
    apply();
    search.focus();
  });
  Array.prototype.forEach.call(table.querySelectorAll('th button[data-sort]'), function (button) {
    button.addEventListener('click', function () { sortBy(button); });
  });
  // Restores state the browser kept (back button) and applies a query from the address, e.g. index.html#q=disk
  var m = /(?:^#|&)q=([^&]*)/.exec(location.hash);
  if (m) search.value = decodeURIComponent(m[1].replace(/\+/g, ' '));
  apply();
})();
