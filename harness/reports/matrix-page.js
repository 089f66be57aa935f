// Browser side of reports/matrix.html (inlined by matrix-html.ts). The page embeds a summary (one
// entry per matrix cell with its counts); a family's cases arrive from matrix-data/<family>.js
// when a cell of that family is opened. Per family it draws the implementation x peer grid
// (colour: share of cases that interoperate), the pair summary lines, a panel for the chosen
// pair (its cells; a cell's cases), and version grids when the run covers several releases.
// Everything is routed through location.hash (#pair=, #cell=...&case=), so a view can be linked.
// Text is always set with textContent: case data and peer logs are never interpreted as HTML.
(() => {
  // biome-ignore lint/suspicious/noRedundantUseStrict: the page inlines this file as a classic <script>, not a module
  'use strict';
  const S = JSON.parse(document.getElementById('summary-data').textContent);
  // Cells arrive compact (page-data.ts PageCell): axes as indexes into S.axisValues, zeros left out.
  S.cells = S.cells.map((c) => {
    const axes = {};
    S.axes.forEach((axis, i) => { if (c.a[i] >= 0) axes[axis] = S.axisValues[axis][c.a[i]]; });
    return { id: c.id, family: axes.family, axes, n: c.n, ran: c.ran, ok: c.ok, retries: c.retries || 0, gate: c.gate || 0, kf: c.kf || {} };
  });
  const GATE = { fail: 1, timeout: 1, 'unexpected-pass': 1 };
  const OUTCOMES = ['pass', 'fail', 'expected-failure', 'unexpected-pass', 'skipped', 'timeout'];
  const PARTY = { family: 1, direction: 1, client: 1, server: 1, peer: 1, implementation: 1, case: 1 };
  const filters = {};
  const families = {}; // family -> data file contents
  const waiting = {}; // family -> callbacks

  const el = (tag, attrs, children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') node.textContent = v;
      else if (k === 'className') node.className = v;
      else if (k === 'style') node.setAttribute('style', v);
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children || []) if (c !== undefined && c !== null && c !== false) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    return node;
  };
  const unique = (values) => [...new Set(values)];

  // ---- numbers and words shared with matrix.md (harness/reports/marks.ts) ----
  const shareText = (ok, ran) => {
    if (ran === 0) return '—';
    if (ok === ran) return '100%';
    const tenths = Math.floor((ok / ran) * 1000);
    return (tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)) + '%';
  };
  // Red (none) through amber to yellow (almost all); green only when every case interoperates.
  const shareColour = (ok, ran) => {
    if (ran === 0) return 'var(--none)';
    if (ok === ran) return 'hsl(130 50% 78%)';
    return `hsl(${Math.round(55 * (ok / ran))} 85% 80%)`;
  };
  const sumCells = (cells) => {
    const t = { n: {}, ran: 0, ok: 0, retries: 0, gate: 0, kf: {} };
    for (const o of OUTCOMES) t.n[o] = 0;
    for (const c of cells) {
      for (const [o, k] of Object.entries(c.n)) t.n[o] += k;
      t.ran += c.ran; t.ok += c.ok; t.retries += c.retries; t.gate += c.gate;
      for (const [id, k] of Object.entries(c.kf)) t.kf[id] = (t.kf[id] || 0) + k;
    }
    return t;
  };
  const marksText = (t) => [['✗', t.n.fail], ['⏱', t.n.timeout], ['‼', t.n['unexpected-pass']], ['⚑', t.n['expected-failure']], ['↻', t.retries], ['⊘', t.n.skipped]]
    .filter((m) => m[1] > 0).map((m) => m[0] + m[1]).join(' ');
  const gateText = (t) => (t.gate === 0 ? 'gate ok' : 'gate ✗' + t.gate);
  const countsOf = (values) => {
    const counts = new Map();
    for (const v of values) counts.set(v, (counts.get(v) || 0) + 1);
    return [...counts].map(([v, n]) => v + ' ' + n).join(', ');
  };
  const pairLine = (row, col, t, directions) => {
    const parts = [`${row} ↔ ${col}: ${t.ok}/${t.ran} interoperate (${shareText(t.ok, t.ran)})`,
      `${directions.length} cell${directions.length === 1 ? '' : 's'} (${countsOf(directions)})`];
    const not = [];
    if (t.n['expected-failure'] > 0) {
      const entries = Object.entries(t.kf).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      not.push(`⚑${t.n['expected-failure']} (${entries.map(([id, n]) => id + ' ' + n).join(', ')})`);
    }
    if (t.n.fail > 0) not.push(`✗${t.n.fail} failed`);
    if (t.n.timeout > 0) not.push(`⏱${t.n.timeout} timed out`);
    if (not.length > 0) parts.push('not interoperating: ' + not.join(', '));
    if (t.n['unexpected-pass'] > 0) parts.push(`‼${t.n['unexpected-pass']} unexpected pass`);
    if (t.n.skipped > 0) parts.push(`⊘${t.n.skipped} skipped`);
    if (t.retries > 0) parts.push(`↻${t.retries} retries`);
    parts.push(gateText(t));
    return parts.join(' · ');
  };
  const duration = (ms) => {
    const s = Math.round(ms / 1000);
    return s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
  };
  const rowOf = (c) => c.axes.implementation || c.axes.client || '?';
  const colOf = (c) => c.axes.peer || c.axes.server || '?';
  const howText = (c) => Object.keys(c.axes).filter((a) => !PARTY[a]).map((a) => c.axes[a]).join(' · ');
  const sideOrder = (names, declared) => {
    const rank = (n) => (n === 'ours' ? 0 : declared.has(n) ? 1 : 2);
    return unique(names).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  };
  const declaredImpls = new Set(S.implementations.map((v) => v.id));
  const declaredPeers = new Set(S.references.map((v) => v.id));
  const cellById = new Map(S.cells.map((c) => [c.id, c]));

  // ---- family data files, loaded on demand ----
  window.conformanceMatrixData = (data) => {
    families[data.family] = data;
    for (const cb of waiting[data.family] || []) cb(data);
    delete waiting[data.family];
  };
  const loadFamily = (family, cb) => {
    if (families[family]) { cb(families[family]); return; }
    if (waiting[family]) { waiting[family].push(cb); return; }
    const entry = S.families.find((f) => f.family === family);
    waiting[family] = [cb];
    const script = el('script', { src: entry ? entry.file : '', 'data-family': family });
    script.addEventListener('error', () => {
      const callbacks = waiting[family] || [];
      delete waiting[family];
      for (const c of callbacks) c(undefined, `could not load ${entry ? entry.file : family} (it sits beside matrix.html in the reports folder)`);
    });
    document.head.appendChild(script);
  };

  // ---- header, legend, comparison ----
  function drawHeader() {
    const run = S.run;
    const header = document.getElementById('header');
    header.appendChild(el('h1', { text: 'Conformance matrix' }));
    header.appendChild(el('p', { className: S.gate.ok ? 'verdict-ok' : 'verdict-fail', id: 'verdict',
      text: S.gate.ok ? 'Gate passed' : `Gate failed: ${S.gate.problems.length} problem(s)` }));
    header.appendChild(el('p', { className: 'meta', id: 'run-info', text: `Run ${run.startedAt} · revision ${run.gitRevision}` +
      (run.gitDirty ? ' (uncommitted changes)' : '') + ` · ${Math.round(run.durationMs / 1000)} s · Node ${run.node}` +
      ` · ${run.full ? 'full run' : 'filtered run'}${run.skipReason ? ' · container suites skipped: ' + run.skipReason : ''}` +
      (run.trace ? ' · wire traced for every case' : '') + ` · ${S.cells.reduce((n, c) => n + c.ran + (c.n.skipped || 0), 0)} case results` }));
    if (run.interrupted || run.vitestState === 'interrupted') {
      header.appendChild(el('p', { className: 'verdict-fail', id: 'interrupted', text: 'Run interrupted' +
        (run.interrupted?.reason ? ': ' + run.interrupted.reason : '') + '. Cases that did not run are listed as skipped.' }));
    }
    if (run.injectFault) {
      header.appendChild(el('p', { className: 'verdict-fail', id: 'injected-fault', text: `Fault injected on purpose: cases matching "${run.injectFault}" ` +
        'ran through a proxy that inverts one byte of each connection (harness/wire/fault-proxy.ts).' }));
    }
    if (run.timing) {
      const labels = { imageBuildsMs: 'image builds', containerStartsMs: 'container starts', casesMs: 'cases', reportingMs: 'reporting',
        longestShardWallMs: 'longest shard', shardsWallMs: 'shards together' };
      const keys = Object.keys(labels).filter((k) => run.timing[k] !== undefined)
        .concat(Object.keys(run.timing).filter((k) => !(k in labels) && typeof run.timing[k] === 'number'));
      header.appendChild(el('p', { className: 'meta', id: 'timing', text: 'Time: ' +
        keys.map((k) => `${labels[k] || k.replace(/Ms$/, '')} ${duration(run.timing[k])}`).join(' · ') }));
    }
    if (!S.gate.ok) {
      header.appendChild(el('details', { id: 'problems', open: S.gate.problems.length <= 10 }, [el('summary', { text: `Gate problems (${S.gate.problems.length})` }),
        el('ul', {}, S.gate.problems.map((p) => el('li', { text: p })))]));
    }
    const table = el('table', { id: 'versions' }, [el('tr', {}, ['family', 'implementation', 'language', 'release', 'versions', 'declared in'].map((h) => el('th', { text: h })))]);
    for (const v of S.implementations.concat(S.references)) {
      const versions = Object.keys(v.versions).map((k) => k + ' ' + v.versions[k]).join(', ') || '—';
      table.appendChild(el('tr', {}, [v.family, v.id, v.language, v.version || '', versions, v.source].map((t) => el('td', { text: t }))));
    }
    header.appendChild(el('details', { id: 'versions-box' }, [el('summary', { text: 'Implementations and reference versions' }), table]));
  }

  function drawLegend() {
    const box = document.getElementById('legend');
    const swatch = (style, label) => el('span', { className: 'legend-item' }, [el('span', { className: 'swatch', style }), label]);
    box.appendChild(el('p', {}, [el('strong', { text: 'Colour' }), ': the share of the cases that ran which interoperate. ',
      'An expected failure ⚑ (suites/known-failures.json) counts as not interoperating; the gate verdict is shown apart, as a ',
      el('span', { className: 'gate-badge', text: 'gate ✗N' }), ' badge counting failures, timeouts and unexpected passes.']));
    box.appendChild(el('p', {}, [
      swatch('background: hsl(0 85% 80%)', '0%'), swatch('background: linear-gradient(90deg, hsl(0 85% 80%), hsl(27 85% 80%), hsl(54 85% 80%))', 'up to 99.9%'),
      swatch('background: hsl(130 50% 78%)', '100%'), swatch('background: var(--none)', 'no case ran')]));
    box.appendChild(el('p', { className: 'meta', text: 'Marks: ✗ failed · ⏱ timed out · ‼ unexpected pass (stale known-failure entry) · ' +
      '⚑ expected failure · ↻ retries · ⊘ skipped. Rows: the implementation under test; columns: the reference peer; a cell adds up both directions and every transport.' }));
  }

  const caseLink = (item) => el('a', { href: `#cell=${encodeURIComponent(item.cellId)}&case=${encodeURIComponent(item.case)}`, text: item.title });

  function drawComparison() {
    const box = document.getElementById('comparison');
    if (S.comparisonProblem) box.appendChild(el('p', { className: 'verdict-fail', text: 'No comparison: ' + S.comparisonProblem }));
    const cmp = S.comparison;
    if (!cmp) {
      if (!S.comparisonProblem) box.appendChild(el('p', { className: 'meta', text: 'No previous run to compare with (reports/history/ is empty; give one with --baseline path/to/results.json).' }));
      return;
    }
    const b = cmp.baseline;
    const L = cmp.lists;
    box.appendChild(el('h2', { text: 'Compared with the previous run' }));
    box.appendChild(el('p', { id: 'comparison-counts' }, [
      `Baseline: run ${b.startedAt} · revision ${b.gitRevision.slice(0, 12)} · ${b.full ? 'full run' : 'filtered run'} · ${b.cases} cases (${b.source}). `,
      el('strong', { text: `${L.newFailures.total} new failure(s)` }), `, ${L.fixed.total} fixed, ${L.added.total} new case(s), ${L.removed.total} removed, ` +
      `${L.otherChanges.total} other change(s), ${cmp.unchanged} unchanged.`]));
    const kinds = [['newFailures', 'New failures', true], ['fixed', 'Fixed', true], ['added', 'New cases', false], ['removed', 'Removed cases', false], ['otherChanges', 'Other changes of outcome', false]];
    for (const [key, title, open] of kinds) {
      const list = L[key];
      if (list.total === 0) continue;
      const items = list.shown.map((item) => el('li', {}, [
        key === 'removed' ? el('span', { text: item.title }) : caseLink(item),
        ' ', el('span', { className: 'meta', text: item.from && item.to ? `${item.from} → ${item.to}` : (item.to || item.from) })]));
      if (list.total > list.shown.length) items.push(el('li', { className: 'meta', text: `… and ${list.total - list.shown.length} more (the console and matrix.md count them all)` }));
      box.appendChild(el('details', { className: 'changes', 'data-kind': key, open }, [el('summary', { text: `${title} (${list.total})` }), el('ul', {}, items)]));
    }
    if (cmp.removedNote && L.removed.total > 0) box.appendChild(el('p', { className: 'meta', text: 'Note: ' + cmp.removedNote }));
  }

  // ---- filters ----
  const visibleCells = () => S.cells.filter((c) => Object.keys(filters).every((axis) => {
    if (!filters[axis]) return true;
    if (axis === 'outcome') return (c.n[filters.outcome] || 0) > 0;
    return c.axes[axis] === filters[axis];
  }));

  function drawFilters() {
    const box = document.getElementById('filters');
    for (const axis of S.axes.concat(['outcome'])) {
      const values = axis === 'outcome' ? OUTCOMES.filter((o) => S.cells.some((c) => c.n[o] > 0))
        : unique(S.cells.map((c) => c.axes[axis]).filter((v) => v !== undefined)).sort();
      // An axis that only some cells have (a new one) is worth a filter even with one value.
      if (axis !== 'outcome' && values.length < 2 && S.cells.every((c) => c.axes[axis] !== undefined)) continue;
      const select = el('select', { 'data-axis': axis }, [el('option', { value: '', text: 'all' })].concat(values.map((v) => el('option', { value: v, text: v }))));
      select.addEventListener('change', () => { filters[axis] = select.value; drawFamilies(); reopen(); });
      box.appendChild(el('label', {}, [axis, select]));
    }
  }
  const setFilter = (axis, value) => {
    filters[axis] = value;
    const select = document.querySelector(`select[data-axis="${axis}"]`);
    if (select) select.value = value;
  };

  // ---- grids ----
  function drawFamilies() {
    const box = document.getElementById('families');
    box.textContent = '';
    const shown = visibleCells();
    if (shown.length === 0) { box.appendChild(el('p', { className: 'empty', text: 'No cell matches these filters.' })); return; }
    const byFamily = new Map();
    for (const c of shown) {
      if (!byFamily.has(c.family)) byFamily.set(c.family, []);
      byFamily.get(c.family).push(c);
    }
    for (const family of [...byFamily.keys()].sort()) {
      const cells = byFamily.get(family);
      const rows = sideOrder(cells.map(rowOf), declaredImpls);
      const cols = sideOrder(cells.map(colOf), declaredPeers);
      const section = el('section', { className: 'family', 'data-family': family });
      const total = sumCells(cells);
      section.appendChild(el('h2', { text: family }));
      section.appendChild(el('p', { className: 'meta family-total', text: `${total.ok}/${total.ran} cases interoperate (${shareText(total.ok, total.ran)}) in ${cells.length} cells · ${gateText(total)}` }));
      const table = el('table', { className: 'grid', 'data-family': family },
        [el('tr', {}, [el('th', { text: 'implementation ↓ \\ peer →' })].concat(cols.map((c) => el('th', { text: c }))))]);
      const lines = el('ul', { className: 'pair-lines' });
      for (const row of rows) {
        const tr = el('tr', {}, [el('th', { text: row })]);
        for (const col of cols) {
          const here = cells.filter((c) => rowOf(c) === row && colOf(c) === col);
          if (here.length === 0) { tr.appendChild(el('td', { className: 'empty', text: '—' })); continue; }
          const t = sumCells(here);
          const line = pairLine(row, col, t, here.map((c) => c.axes.direction || ''));
          const button = el('button', { type: 'button', className: 'pair', 'data-row': row, 'data-col': col, title: line,
            style: `background: ${shareColour(t.ok, t.ran)}` }, [
            el('span', { className: 'share', text: shareText(t.ok, t.ran) }), el('span', { className: 'score', text: `${t.ok}/${t.ran}` }),
            el('span', { className: 'marks', text: marksText(t) }), t.gate > 0 ? el('span', { className: 'gate-badge', text: gateText(t) }) : null]);
          button.addEventListener('click', () => { location.hash = `pair=${encodeURIComponent(family)}|${encodeURIComponent(row)}|${encodeURIComponent(col)}`; });
          tr.appendChild(el('td', {}, [button]));
          lines.appendChild(el('li', { 'data-row': row, 'data-col': col }, [el('a', { href: `#pair=${encodeURIComponent(family)}|${encodeURIComponent(row)}|${encodeURIComponent(col)}`, text: line })]));
        }
        table.appendChild(tr);
      }
      section.appendChild(table);
      section.appendChild(lines);
      section.appendChild(el('div', { className: 'panel', 'data-family': family }));
      for (const grid of S.versionGrids.filter((g) => g.family === family)) section.appendChild(versionGrid(grid));
      box.appendChild(section);
    }
  }

  function versionGrid(grid) {
    const box = el('div', { className: 'version-grid', 'data-peer': grid.peer });
    box.appendChild(el('h3', { text: `${grid.family}: ${grid.peer} by release (${grid.rowAxes.join(' · ')} x release)` }));
    const table = el('table', { className: 'grid versions-grid' }, [el('tr', {}, [el('th', { text: grid.rowAxes.join(' · ') })].concat(grid.versions.map((v) => el('th', { text: v }))))]);
    const changes = el('ul', { className: 'behaviour-changes' });
    // Flips under one intermittent known-failure entry in both releases: chance, listed apart, not Δ.
    const chance = el('ul', { className: 'behaviour-changes chance' });
    for (const row of grid.rows) {
      const tr = el('tr', {}, [el('th', { text: row.label })]);
      row.entries.forEach((entry, index) => {
        if (!entry) { tr.appendChild(el('td', { className: 'empty', text: '—' })); return; }
        const t = entry.tally;
        const step = index > 0 ? row.steps[index - 1] : undefined;
        const changed = step ? step.changes.length : 0;
        const button = el('button', { type: 'button', className: 'pair' + (changed ? ' changed' : ''), style: `background: ${shareColour(t.interoperating, t.ran)}`,
          title: changed ? `${changed} case(s) behave differently than in ${step.from}` : '' }, [
          el('span', { className: 'share', text: shareText(t.interoperating, t.ran) }), el('span', { className: 'score', text: `${t.interoperating}/${t.ran}` }),
          changed ? el('span', { className: 'delta', text: `Δ${changed}` }) : null, t.gateFailures > 0 ? el('span', { className: 'gate-badge', text: `gate ✗${t.gateFailures}` }) : null]);
        button.addEventListener('click', () => {
          setFilter('peer', grid.peer); setFilter('version', grid.versions[index]);
          for (const axis of grid.rowAxes) setFilter(axis, row.axes[axis]);
          drawFamilies();
          location.hash = `pair=${encodeURIComponent(grid.family)}|${encodeURIComponent(row.axes.implementation || '')}|${encodeURIComponent(grid.peer)}`;
          route();
        });
        tr.appendChild(el('td', {}, [button]));
      });
      table.appendChild(tr);
      for (const step of row.steps) {
        for (const [list, into] of [[step.changes, changes], [step.chance || [], chance]]) {
          if (list.length === 0) continue;
          into.appendChild(el('li', {}, [`${grid.peer} ${step.from} → ${step.to} · ${row.label}: `,
            ...list.slice(0, 20).flatMap((c, i) => [i ? ', ' : '', caseLink({ cellId: c.cellId, case: c.case, title: c.case }), ` (${c.before} → ${c.after})`]),
            list.length > 20 ? ` … and ${list.length - 20} more` : '']));
        }
      }
    }
    box.appendChild(table);
    if (changes.children.length > 0) box.appendChild(el('div', {}, [el('strong', { text: 'Behaviour changed between releases' }), changes]));
    else box.appendChild(el('p', { className: 'meta', text: 'No case behaves differently from one release to the next.' }));
    if (chance.children.length > 0) {
      box.appendChild(el('details', {}, [el('summary', { text: 'Not counted as Δ: passed in one release, failed in the next under the same intermittent known-failure entry (chance)' }), chance]));
    }
    return box;
  }

  // ---- the pair panel and a cell's cases ----
  function openPair(family, row, col) {
    for (const b of document.querySelectorAll('.pair.selected')) b.classList.remove('selected');
    document.querySelectorAll('.panel').forEach((p) => { if (p.getAttribute('data-family') !== family) p.textContent = ''; });
    const panel = document.querySelector(`.panel[data-family="${CSS.escape(family)}"]`);
    if (!panel) return undefined;
    const grid = document.querySelector(`table.grid[data-family="${CSS.escape(family)}"]`);
    for (const b of grid ? grid.querySelectorAll('.pair') : []) if (b.getAttribute('data-row') === row && b.getAttribute('data-col') === col) b.classList.add('selected');
    const cells = visibleCells().filter((c) => c.family === family && rowOf(c) === row && colOf(c) === col);
    panel.textContent = '';
    panel.setAttribute('data-row', row);
    panel.setAttribute('data-col', col);
    if (cells.length === 0) { panel.appendChild(el('p', { text: `No cell joins ${row} and ${col} under these filters.` })); return panel; }
    const t = sumCells(cells);
    panel.appendChild(el('h3', { className: 'pair-line', text: pairLine(row, col, t, cells.map((c) => c.axes.direction || '')) }));
    const byDirection = new Map();
    for (const c of cells) {
      const direction = c.axes.direction || '';
      if (!byDirection.has(direction)) byDirection.set(direction, []);
      byDirection.get(direction).push(c);
    }
    for (const [direction, list] of byDirection) {
      const chips = el('div', { className: 'chips' }, [el('div', { className: 'meta', text: `${direction}: ${list[0].axes.client} → ${list[0].axes.server}` })]);
      for (const c of list) {
        const chip = el('button', { type: 'button', className: 'chip', 'data-cell': c.id, title: c.id, style: `border-left-color: ${shareColour(c.ok, c.ran)}` }, [
          el('div', { className: 'axes', text: howText(c) }), el('span', { className: 'score', text: `${c.ok}/${c.ran}` }), ' ',
          el('span', { className: 'share', text: shareText(c.ok, c.ran) }), ' ', marksText(sumCells([c])),
          c.gate > 0 ? el('span', { className: 'gate-badge', text: `gate ✗${c.gate}` }) : null]);
        chip.addEventListener('click', () => { location.hash = 'cell=' + encodeURIComponent(c.id); });
        chips.appendChild(chip);
      }
      panel.appendChild(chips);
    }
    panel.appendChild(el('div', { className: 'cases-box' }));
    return panel;
  }

  function hexdump(hex) {
    const lines = [];
    for (let offset = 0; offset < hex.length / 2; offset += 16) {
      const bytes = [];
      let ascii = '';
      for (let i = offset; i < Math.min(offset + 16, hex.length / 2); i++) {
        const b = parseInt(hex.substr(i * 2, 2), 16);
        bytes.push(hex.substr(i * 2, 2));
        ascii += b >= 32 && b < 127 ? String.fromCharCode(b) : '.';
      }
      const hexPart = bytes.slice(0, 8).join(' ') + (bytes.length > 8 ? '  ' + bytes.slice(8).join(' ') : '');
      lines.push(('0000000' + offset.toString(16)).slice(-8) + '  ' + (hexPart + ' '.repeat(49)).slice(0, 49) + ' |' + ascii + '|');
    }
    return lines.join('\n');
  }

  // Expected and actual, the part where they differ marked (common start and end left plain).
  function compared(expected, actual) {
    const a = expected || '';
    const b = actual || '';
    let start = 0;
    while (start < a.length && start < b.length && a[start] === b[start]) start++;
    let end = 0;
    while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
    const show = (text, className) => el('pre', { className }, [text.slice(0, start), el('mark', { text: text.slice(start, text.length - end) }), text.slice(text.length - end)]);
    return el('div', { className: 'compare' }, [
      el('div', {}, [el('strong', { text: 'expected' }), show(a, 'expected')]),
      el('div', {}, [el('strong', { text: 'actual' }), show(b, 'actual')])]);
  }

  function caseDetail(r, cellData) {
    const f = r.f || {};
    const parts = [];
    if (r.kf) {
      const entry = S.knownFailures[r.kf] || {};
      parts.push(el('p', { className: 'known' }, [`Known failure "${r.kf}": ${entry.reason || ''}`]));
      if (entry.upstream) {
        // Every address in the note is a link; the words around them stay text.
        const pieces = entry.upstream.split(/(https?:\/\/[^\s,;()]+)/);
        parts.push(el('p', { className: 'upstream' }, ['Upstream: '].concat(pieces.map((piece, i) =>
          i % 2 ? el('a', { href: piece, rel: 'noreferrer', text: piece }) : piece))));
      }
    }
    if (r.flaky) parts.push(el('p', { text: `Known flaky "${r.flaky.id}": ${r.flaky.reason}` }));
    if (r.a > 1) parts.push(el('p', { text: 'Attempts: ' + r.a }));
    if (r.skip) parts.push(el('p', { text: 'Skipped: ' + r.skip }));
    if (f.expected !== undefined || f.actual !== undefined) {
      parts.push(compared(f.expected, f.actual));
      if (f.mismatchSource === 'message') parts.push(el('p', { className: 'meta', text: 'expected / actual read back from the message text' }));
    }
    if (f.message) parts.push(el('pre', { className: 'message', text: f.message }));
    for (const w of f.wire || r.w || []) parts.push(el('div', { className: 'wire' }, [el('strong', { text: 'wire: ' + w.label }), el('pre', { className: 'hexdump', text: hexdump(w.hex) })]));
    if (f.peerLogTail) parts.push(el('div', {}, [el('strong', { text: 'peer log (tail)' }), el('pre', { className: 'peer-log', text: f.peerLogTail })]));
    const logs = Object.keys(cellData.logs || {}).map((k) => k + ': ' + cellData.logs[k]);
    if (logs.length) parts.push(el('p', { className: 'meta', text: 'Logs: ' + logs.join(' · ') }));
    if (cellData.peerRun) parts.push(el('div', {}, [el('strong', { text: 'peer, by hand' }),
      el('pre', { text: `docker run --rm --network host ${cellData.peerRun.image} ${cellData.peerRun.args.join(' ')}` })]));
    return parts;
  }

  function showCases(cell, caseId) {
    const panel = document.querySelector(`.panel[data-family="${CSS.escape(cell.family)}"]`);
    const box = panel?.querySelector('.cases-box');
    if (!box) return;
    for (const c of panel.querySelectorAll('.chip')) c.classList.toggle('selected', c.getAttribute('data-cell') === cell.id);
    box.textContent = '';
    box.setAttribute('data-cell', cell.id);
    box.appendChild(el('p', { className: 'meta', text: 'Loading the cases…' }));
    // Scroll now; once the cases are drawn (at once when the family is loaded already), to the case asked for.
    box.scrollIntoView({ block: 'start' });
    loadFamily(cell.family, (data, problem) => {
      if (box.getAttribute('data-cell') !== cell.id) return; // another cell was chosen meanwhile
      box.textContent = '';
      const cellData = data?.cells[cell.id];
      if (!cellData) { box.appendChild(el('p', { className: 'verdict-fail', text: problem || `No cases of ${cell.id} in ${cell.family}'s data file.` })); return; }
      if (data.run !== S.run.startedAt) box.appendChild(el('p', { className: 'verdict-fail', text: `The data file is from the run of ${data.run}, this page from ${S.run.startedAt}: re-render the reports.` }));
      const title = [cell.axes.family, cell.axes.direction, `${cell.axes.client} → ${cell.axes.server}`, howText(cell)].filter(Boolean).join(' | ');
      box.appendChild(el('h3', { id: 'cases-title', text: title }));
      const table = el('table', { id: 'cases' }, [el('tr', {}, ['outcome', 'case', 'ms', 'detail'].map((h) => el('th', { text: h })))]);
      let target;
      for (const r of cellData.cases) {
        const td = el('td', {});
        const summaryText = r.f?.summary || r.skip || (r.kf ? 'known failure ' + r.kf : '');
        if (summaryText || r.f || r.w || r.a > 1) {
          const open = !!GATE[r.o] || r.c === caseId;
          const details = el('details', { open }, [el('summary', { text: summaryText || 'details' })]);
          let built = false;
          const build = () => { if (!built) { built = true; for (const p of caseDetail(r, cellData)) details.appendChild(p); } };
          if (open) build();
          details.addEventListener('toggle', build);
          td.appendChild(details);
        }
        const tr = el('tr', { className: 'case', 'data-case': r.c, 'data-outcome': r.o }, [
          el('td', { className: 'outcome outcome-' + r.o, text: r.o }), el('td', { text: r.c }), el('td', { text: String(r.ms) }), td]);
        if (r.c === caseId) { tr.classList.add('target'); target = tr; }
        table.appendChild(tr);
      }
      box.appendChild(table);
      (target || box).scrollIntoView({ block: 'start' });
    });
  }

  // ---- routing ----
  // After a filter changed: show the drill-down again if what it shows is still visible, else drop it
  // (route() on a hidden cell would clear the filters just chosen).
  function reopen() {
    const cellMatch = /^cell=([^&]+)/.exec(location.hash.slice(1));
    const cell = cellMatch && cellById.get(decodeURIComponent(cellMatch[1]));
    const pairMatch = /^pair=([^|]*)\|([^|]*)\|(.*)$/.exec(location.hash.slice(1));
    const visible = visibleCells();
    const shown = cell ? visible.includes(cell)
      : pairMatch ? visible.some((c) => c.family === decodeURIComponent(pairMatch[1]) && rowOf(c) === decodeURIComponent(pairMatch[2]) && colOf(c) === decodeURIComponent(pairMatch[3]))
        : false;
    if (shown) route();
    else if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  }

  function route() {
    const cellMatch = /^cell=([^&]+)(?:&case=(.+))?$/.exec(location.hash.slice(1));
    if (cellMatch) {
      const id = decodeURIComponent(cellMatch[1]);
      const cell = cellById.get(id);
      if (!cell) { document.getElementById('families').prepend(el('p', { className: 'verdict-fail', text: `No cell ${id} in these results.` })); return; }
      if (!visibleCells().includes(cell)) { for (const k of Object.keys(filters)) setFilter(k, ''); drawFamilies(); }
      openPair(cell.family, rowOf(cell), colOf(cell));
      showCases(cell, cellMatch[2] ? decodeURIComponent(cellMatch[2]) : undefined);
      return;
    }
    const pairMatch = /^pair=([^|]*)\|([^|]*)\|(.*)$/.exec(location.hash.slice(1));
    if (pairMatch) {
      const panel = openPair(decodeURIComponent(pairMatch[1]), decodeURIComponent(pairMatch[2]), decodeURIComponent(pairMatch[3]));
      if (panel) panel.scrollIntoView({ block: 'start' });
      return;
    }
  }

  drawHeader();
  drawLegend();
  drawComparison();
  drawFilters();
  drawFamilies();
  window.addEventListener('hashchange', route);
  route();
  document.body.setAttribute('data-ready', 'true');
})();
