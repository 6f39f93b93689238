/**
 * The CVSS calculator's script, served as a file (`/assets/cvss.js`; the Content-Security-Policy
 * allows no inline script). It is an enhancement only: without it the metric menus and the vector
 * field still submit, and the desk scores the vector on the server. With it, the menus write the
 * vector, a typed vector sets the menus, and the base score shows as the vector changes, computed
 * by the server's own CVSS code through `GET /team/cvss?vector=...` so the number shown is the
 * number recorded. Text goes into the page through `textContent` only.
 */
export const CVSS_JS = `'use strict';
(function () {
  var input = document.getElementById('cvss-vector');
  var output = document.getElementById('cvss-score');
  if (!input || !output) return;
  var selects = Array.prototype.slice.call(document.querySelectorAll('select[data-cvss-metric]'));
  var timer = null;
  var sequence = 0;

  function fromMenus() {
    var parts = ['CVSS:3.1'];
    for (var i = 0; i < selects.length; i++) {
      if (selects[i].value === '') return null;
      parts.push(selects[i].getAttribute('data-cvss-metric') + ':' + selects[i].value);
    }
    return parts.join('/');
  }

  function toMenus(vector) {
    if (vector.indexOf('CVSS:3.1/') !== 0) return;
    var values = {};
    vector.split('/').slice(1).forEach(function (part) {
      var pair = part.split(':');
      if (pair.length === 2) values[pair[0]] = pair[1];
    });
    selects.forEach(function (select) {
      var value = values[select.getAttribute('data-cvss-metric')];
      if (value !== undefined) select.value = value;
    });
  }

  function show() {
    var mine = ++sequence;
    var vector = input.value.trim();
    if (vector === '') { output.textContent = 'no vector yet'; return; }
    fetch('/team/cvss?vector=' + encodeURIComponent(vector), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (mine !== sequence) return;
        output.textContent = body.valid
          ? 'CVSS ' + body.version + ' base score ' + body.score.toFixed(1) + ' (' + body.rating + ')'
          : body.problem;
      })
      .catch(function () { if (mine === sequence) output.textContent = 'score unavailable; it is computed on submit'; });
  }

  function later() {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(show, 150);
  }

  selects.forEach(function (select) {
    select.addEventListener('change', function () {
      var vector = fromMenus();
      if (vector !== null) { input.value = vector; later(); }
    });
  });
  input.addEventListener('input', function () { toMenus(input.value.trim()); later(); });
  toMenus(input.value.trim());
  show();
})();
`;
