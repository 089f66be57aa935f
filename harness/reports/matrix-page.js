// Browser side of reports/matrix.html (inlined by matrix-html.ts). Reads the results embedded in
// the page, draws one grid per family with per-axis filters, and opens a cell's cases on click
// (the cell goes into location.hash, so a drill-down can be linked to). Text is always set with
// textContent: case data and peer logs are never interpreted as HTML.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('results-data').textContent);
  var AXES = ['family', 'direction', 'implementation', 'peer', 'transport', 'protocol', 'serverKind'];
  var FAILING = { fail: 1, timeout: 1, 'unexpected-pass': 1 };
  var filters = {};

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'className') node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }

  function visible(result) {
    return AXES.every(function (a) { return !filters[a] || result.coordinates[a] === filters[a]; }) &&
      (!filters.outcome || result.outcome === filters.outcome);
  }

  function unique(values) { return values.filter(function (v, i, all) { return all.indexOf(v) === i; }).sort(); }

  function drawHeader() {
    var run = data.run;
    var header = document.getElementById('header');
    header.appendChild(el('h1', { text: 'Conformance matrix' }));
    header.appendChild(el('p', { className: data.gate.ok ? 'verdict-ok' : 'verdict-fail', id: 'verdict',
      text: data.gate.ok ? 'Gate passed' : 'Gate failed: ' + data.gate.problems.length + ' problem(s)' }));
    header.appendChild(el('p', { className: 'meta', id: 'run-info', text: 'Run ' + run.startedAt + ' · revision ' + run.gitRevision +
      (run.gitDirty ? ' (uncommitted changes)' : '') + ' · ' + Math.round(run.durationMs / 1000) + ' s · Node ' + run.node +
      ' · ' + (run.full ? 'full run' : 'filtered run') + (run.skipReason ? ' · container suites skipped: ' + run.skipReason : '') +
      (run.trace ? ' · wire traced for every case' : '') }));
    if (run.injectFault) {
      header.appendChild(el('p', { className: 'verdict-fail', id: 'injected-fault', text: 'Fault injected on purpose: cases matching "' +
        run.injectFault + '" ran through a proxy that inverts one byte of each connection (harness/wire/fault-proxy.ts).' }));
    }
    var table = el('table', { id: 'versions' }, [el('tr', {}, ['family', 'implementation', 'language', 'versions', 'declared in'].map(function (h) { return el('th', { text: h }); }))]);
    data.implementations.concat(data.references).forEach(function (v) {
      var versions = Object.keys(v.versions).map(function (k) { return k + ' ' + v.versions[k]; }).join(', ') || '—';
      table.appendChild(el('tr', {}, [v.family, v.id, v.language, versions, v.source].map(function (t) { return el('td', { text: t }); })));
    });
    header.appendChild(table);
    if (!data.gate.ok) {
      header.appendChild(el('details', { id: 'problems' }, [el('summary', { text: 'Problems' }),
        el('ul', {}, data.gate.problems.map(function (p) { return el('li', { text: p }); }))]));
    }
  }

  function drawFilters() {
    var box = document.getElementById('filters');
    AXES.concat(['outcome']).forEach(function (axis) {
      var values = unique(data.results.map(function (r) { return axis === 'outcome' ? r.outcome : r.coordinates[axis]; }));
      var select = el('select', { 'data-axis': axis }, [el('option', { value: '', text: 'all' })].concat(values.map(function (v) { return el('option', { value: v, text: v }); })));
      select.addEventListener('change', function () { filters[axis] = select.value; drawGrids(); });
      box.appendChild(el('label', {}, [axis, select]));
    });
  }

  function summarize(results) {
    var s = { pass: 0, ran: 0, fail: 0, timeout: 0, 'unexpected-pass': 0, 'expected-failure': 0, skipped: 0, retries: 0 };
    results.forEach(function (r) { s[r.outcome] += 1; if (r.outcome !== 'skipped') s.ran += 1; s.retries += r.attempts - 1; });
    s.status = s.fail + s.timeout + s['unexpected-pass'] > 0 ? 'fail' : s['expected-failure'] > 0 ? 'xfail' : s.ran === 0 ? 'skip' : 'ok';
    return s;
  }

  function marksText(s) {
    return [['✗', s.fail], ['⏱', s.timeout], ['‼', s['unexpected-pass']], ['⚑', s['expected-failure']], ['↻', s.retries], ['⊘', s.skipped]]
      .filter(function (m) { return m[1] > 0; }).map(function (m) { return m[0] + m[1]; }).join(' ');
  }

  function groupBy(list, key) {
    var map = {};
    list.forEach(function (item) { var k = key(item); (map[k] = map[k] || []).push(item); });
    return map;
  }

  function drawGrids() {
    var box = document.getElementById('grids');
    box.textContent = '';
    var shown = data.results.filter(visible);
    if (shown.length === 0) { box.appendChild(el('p', { className: 'empty', text: 'No case matches these filters.' })); return; }
    var byFamily = groupBy(shown, function (r) { return r.coordinates.family; });
    Object.keys(byFamily).sort().forEach(function (family) {
      var results = byFamily[family];
      var ours = unique(results.map(function (r) { return r.coordinates.implementation; }));
      var order = function (names) { return unique(names).sort(function (a, b) { return (ours.indexOf(b) >= 0) - (ours.indexOf(a) >= 0) || (a < b ? -1 : a > b ? 1 : 0); }); };
      var clients = order(results.map(function (r) { return r.coordinates.client; }));
      var servers = order(results.map(function (r) { return r.coordinates.server; }));
      var table = el('table', { className: 'grid', 'data-family': family },
        [el('tr', {}, [el('th', { text: 'client ↓ \\ server →' })].concat(servers.map(function (s) { return el('th', { text: s }); })))]);
      clients.forEach(function (client) {
        var row = el('tr', {}, [el('th', { text: client })]);
        servers.forEach(function (server) {
          var here = results.filter(function (r) { return r.coordinates.client === client && r.coordinates.server === server; });
          var td = el('td', {});
          if (here.length === 0) td.appendChild(el('div', { className: 'empty', text: '—' }));
          var cells = groupBy(here, function (r) { return r.cellId; });
          Object.keys(cells).sort().forEach(function (id) {
            var c = cells[id][0].coordinates;
            var s = summarize(cells[id]);
            var chip = el('button', { type: 'button', className: 'chip status-' + s.status, 'data-cell': id, title: id }, [
              el('div', { className: 'axes', text: c.transport + ' · ' + c.protocol + ' · ' + c.serverKind }),
              el('span', { className: 'score', text: s.pass + '/' + s.ran }), ' ', marksText(s)]);
            chip.addEventListener('click', function () { location.hash = 'cell=' + encodeURIComponent(id); });
            td.appendChild(chip);
          });
          row.appendChild(td);
        });
        table.appendChild(row);
      });
      box.appendChild(el('h2', { text: family }));
      box.appendChild(table);
    });
    drawDrilldown();
  }

  function hexdump(hex) {
    var lines = [];
    for (var offset = 0; offset < hex.length / 2; offset += 16) {
      var bytes = [], ascii = '';
      for (var i = offset; i < Math.min(offset + 16, hex.length / 2); i++) {
        var b = parseInt(hex.substr(i * 2, 2), 16);
        bytes.push(hex.substr(i * 2, 2));
        ascii += b >= 32 && b < 127 ? String.fromCharCode(b) : '.';
      }
      var hexPart = bytes.slice(0, 8).join(' ') + (bytes.length > 8 ? '  ' + bytes.slice(8).join(' ') : '');
      lines.push(('0000000' + offset.toString(16)).slice(-8) + '  ' + (hexPart + new Array(50).join(' ')).slice(0, 49) + ' |' + ascii + '|');
    }
    return lines.join('\n');
  }

  function reproduce(r) {
    if (!r.peerRun) return undefined;
    return 'docker run --rm --network host ' + r.peerRun.image + ' ' + r.peerRun.args.join(' ');
  }

  function caseDetail(r) {
    var f = r.failure || {};
    var parts = [];
    if (r.knownFailure) parts.push(el('p', { className: 'known', text: 'Known failure "' + r.knownFailure.id + '": ' + r.knownFailure.reason + (r.knownFailure.upstream ? ' (' + r.knownFailure.upstream + ')' : '') }));
    if (r.knownFlaky) parts.push(el('p', { text: 'Known flaky "' + r.knownFlaky.id + '": ' + r.knownFlaky.reason }));
    if (r.attempts > 1) parts.push(el('p', { text: 'Attempts: ' + r.attempts }));
    if (r.skipReason) parts.push(el('p', { text: 'Skipped: ' + r.skipReason }));
    if (f.message) parts.push(el('pre', { className: 'message', text: f.message }));
    if (f.expected !== undefined || f.actual !== undefined) {
      parts.push(el('div', { className: 'compare' }, [
        el('div', {}, [el('strong', { text: 'expected' }), el('pre', { className: 'expected', text: f.expected === undefined ? '' : f.expected })]),
        el('div', {}, [el('strong', { text: 'actual' }), el('pre', { className: 'actual', text: f.actual === undefined ? '' : f.actual })])]));
    }
    // A failure's own dump; otherwise, with --trace, the bytes of a case that did not fail.
    (f.wire || r.wire || []).forEach(function (w) {
      parts.push(el('div', { className: 'wire' }, [el('strong', { text: 'wire: ' + w.label }), el('pre', { className: 'hexdump', text: hexdump(w.hex) })]));
    });
    if (f.peerLogTail) parts.push(el('div', {}, [el('strong', { text: 'peer log (tail)' }), el('pre', { className: 'peer-log', text: f.peerLogTail })]));
    var logs = Object.keys(r.logs || {}).map(function (k) { return k + ': ' + r.logs[k]; });
    if (logs.length) parts.push(el('p', { className: 'meta', text: 'Logs: ' + logs.join(' · ') }));
    var command = reproduce(r);
    if (command) parts.push(el('div', {}, [el('strong', { text: 'peer, by hand' }), el('pre', { text: command })]));
    return parts;
  }

  function drawDrilldown() {
    var box = document.getElementById('drilldown');
    box.textContent = '';
    Array.prototype.forEach.call(document.querySelectorAll('.chip.selected'), function (c) { c.classList.remove('selected'); });
    var match = /cell=([^&]+)/.exec(location.hash);
    if (!match) { box.appendChild(el('p', { className: 'meta', text: 'Click a cell to see its cases.' })); return; }
    var id = decodeURIComponent(match[1]);
    Array.prototype.forEach.call(document.querySelectorAll('.chip'), function (c) { if (c.getAttribute('data-cell') === id) c.classList.add('selected'); });
    var results = data.results.filter(function (r) { return r.cellId === id; });
    if (results.length === 0) { box.appendChild(el('p', { text: 'No cell ' + id + ' in these results.' })); return; }
    var c = results[0].coordinates;
    box.setAttribute('data-cell', id);
    box.appendChild(el('h2', { text: [c.family, c.direction, c.client + ' → ' + c.server, c.transport, c.protocol, c.serverKind].join(' | ') }));
    var table = el('table', { id: 'cases' }, [el('tr', {}, ['outcome', 'case', 'ms', 'detail'].map(function (h) { return el('th', { text: h }); }))]);
    results.forEach(function (r) {
      var detail = caseDetail(r);
      var cell = el('td', {});
      if (detail.length) cell.appendChild(el('details', FAILING[r.outcome] ? { open: '' } : {}, [el('summary', { text: (r.failure && r.failure.summary) || r.skipReason || 'details' })].concat(detail)));
      table.appendChild(el('tr', { className: 'case', 'data-case': c.family + ':' + r.coordinates.case, 'data-outcome': r.outcome }, [
        el('td', { className: 'outcome outcome-' + r.outcome, text: r.outcome }), el('td', { text: r.coordinates.case }),
        el('td', { text: String(r.durationMs) }), cell]));
    });
    box.appendChild(table);
  }

  drawHeader();
  drawFilters();
  drawGrids();
  window.addEventListener('hashchange', drawDrilldown);
  document.body.setAttribute('data-ready', 'true');
})();
