// The Backup Configuration page: one config's general settings, source, schedule, storage (with the storage
// locations' Test), retention and advanced options; Save (POST new, PUT with If-Match to edit) and Test.
import { api, apiWithResponse, listAll, el, when, say, initKey, ApiError } from './api.js';

const $ = id => document.getElementById(id);
const form = $('config-form');
const message = $('form-message');
const state = { id: null, etag: null, loaded: null, locations: [] };

function errorText(error) {
  return error instanceof ApiError ? error.message : 'Could not reach the service: ' + (error && error.message || error);
}

function number(id) {
  const value = $(id).value.trim();
  return value === '' ? null : Number(value);
}

function showWhatApplies() {
  const frequency = $('f-frequency').value;
  for (const field of document.querySelectorAll('[data-for]')) field.hidden = !field.dataset.for.split(' ').includes(frequency);
  const kind = $('f-storage-kind').value;
  for (const field of document.querySelectorAll('[data-storage]')) field.hidden = field.dataset.storage !== kind;
  $('db-fields').hidden = !$('f-db-on').checked;
  $('files-fields').hidden = !$('f-files-on').checked;
}

function primaryStorage(storage) {
  if (Array.isArray(storage)) return storage.find(s => s.primary) || storage[0] || {};
  return storage || {};
}

function fill(c) {
  $('f-name').value = c.name || '';
  $('f-description').value = c.description || '';
  $('f-type').value = c.type || 'full';
  $('f-enabled').checked = c.enabled !== false;
  $('f-db-on').checked = !!c.database;
  if (c.database) {
    $('f-db-host').value = c.database.host || '';
    $('f-db-port').value = c.database.port || 5432;
    $('f-db-name').value = c.database.database || '';
    $('f-db-user').value = c.database.username || '';
    $('f-db-password').value = c.database.passwordSetting || '';
    $('f-db-ssl').value = c.database.sslMode || 'verify-full';
  }
  $('f-files-on').checked = !!c.files;
  if (c.files) {
    $('f-files-root').value = c.files.root || '';
    $('f-files-components').value = (c.files.components || []).join(', ');
  }
  const s = c.schedule || {};
  $('f-frequency').value = s.frequency || 'manual';
  if (s.time) $('f-time').value = s.time;
  if (s.minute !== undefined && s.minute !== null) $('f-minute').value = s.minute;
  if (s.dayOfWeek !== undefined && s.dayOfWeek !== null) {
    const days = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
    $('f-day-of-week').value = typeof s.dayOfWeek === 'number' ? days[s.dayOfWeek] : String(s.dayOfWeek).toLowerCase();
  }
  if (s.dayOfMonth) $('f-day-of-month').value = s.dayOfMonth;
  $('f-timezone').value = s.timeZone || s.timezone || 'UTC';
  $('f-max-concurrent').value = c.maxConcurrent || s.maxConcurrent || 1;
  const p = primaryStorage(c.storage);
  const storageId = p.storageId || (p.id && String(p.id).startsWith('stg-') ? p.id : null);
  $('f-storage-kind').value = storageId ? 'location' : (p.type === 'azureBlob' ? 'azureBlob' : 'local');
  if (storageId) $('f-storage-id').value = storageId;
  $('f-storage-path').value = p.path || '';
  $('f-storage-container').value = p.container || '';
  $('f-storage-prefix').value = p.prefix || '';
  const r = c.retention || {};
  const setNumber = (id, v) => { $(id).value = v ? String(v) : ''; };
  setNumber('f-keep-daily', r.keepDaily); setNumber('f-keep-weekly', r.keepWeekly);
  setNumber('f-keep-monthly', r.keepMonthly); setNumber('f-keep-yearly', r.keepYearly);
  setNumber('f-max-total', r.maxTotalBackups);
  $('f-keep-within').value = r.keepWithin || '';
  $('f-auto-cleanup').checked = !!r.autoCleanup;
  const compression = c.compression || {};
  $('f-compression').value = compression.enabled === false ? 'none' : (compression.algorithm || 'zstd');
  $('f-level').value = compression.level || 3;
  const encryption = c.encryption || {};
  const algorithm = encryption.enabled === false ? 'none' : (encryption.algorithm || 'aes-256-gcm');
  $('f-encryption').value = ({ aes256: 'aes-256-gcm', chacha20: 'chacha20-poly1305' })[algorithm] || algorithm;
  const inc = c.incremental || {};
  $('f-full-every').value = inc.fullEvery || 7;
  $('f-compare').value = inc.compare || 'metadata';
  showWhatApplies();
}

/** The request body, in the API's own field names (the ones every version accepts). */
function body() {
  const c = { name: $('f-name').value.trim(), type: $('f-type').value };
  const description = $('f-description').value.trim();
  if (description || (state.loaded && 'description' in state.loaded)) c.description = description;
  // Sent only when it says something (pausing) or the service already shows it: older versions refuse the field.
  if (!$('f-enabled').checked || (state.loaded && 'enabled' in state.loaded)) c.enabled = $('f-enabled').checked;
  if ($('f-db-on').checked) {
    c.database = {
      host: $('f-db-host').value.trim(), port: number('f-db-port') ?? 5432, database: $('f-db-name').value.trim(),
      username: $('f-db-user').value.trim(), sslMode: $('f-db-ssl').value,
    };
    const password = $('f-db-password').value.trim();
    if (password) c.database.passwordSetting = password;
    if (state.loaded && state.loaded.database && state.loaded.database.restore) c.database.restore = state.loaded.database.restore;
  }
  if ($('f-files-on').checked) {
    c.files = { root: $('f-files-root').value.trim(), components: $('f-files-components').value.split(',').map(s => s.trim()).filter(Boolean) };
  }
  const frequency = $('f-frequency').value;
  const schedule = { frequency, timeZone: $('f-timezone').value.trim() || 'UTC' };
  if (['daily', 'weekly', 'monthly'].includes(frequency)) schedule.time = $('f-time').value;
  if (frequency === 'hourly') schedule.minute = number('f-minute');
  if (frequency === 'weekly') schedule.dayOfWeek = $('f-day-of-week').value;
  if (frequency === 'monthly') schedule.dayOfMonth = number('f-day-of-month');
  c.schedule = schedule;
  c.maxConcurrent = number('f-max-concurrent') ?? 1;
  const kind = $('f-storage-kind').value;
  const prefix = $('f-storage-prefix').value.trim();
  c.storage = kind === 'location' ? { storageId: $('f-storage-id').value, prefix }
    : kind === 'azureBlob' ? { type: 'azureBlob', container: $('f-storage-container').value.trim(), prefix }
      : { type: 'local', path: $('f-storage-path').value.trim(), prefix };
  const retention = {
    keepDaily: number('f-keep-daily') ?? 0, keepWeekly: number('f-keep-weekly') ?? 0,
    keepMonthly: number('f-keep-monthly') ?? 0, keepYearly: number('f-keep-yearly') ?? 0,
    autoCleanup: $('f-auto-cleanup').checked,
  };
  if (number('f-max-total') !== null) retention.maxTotalBackups = number('f-max-total');
  if ($('f-keep-within').value.trim()) retention.keepWithin = $('f-keep-within').value.trim();
  if (retention.keepDaily || retention.keepWeekly || retention.keepMonthly || retention.keepYearly ||
      retention.maxTotalBackups || retention.keepWithin || retention.autoCleanup) c.retention = retention;
  c.compression = { algorithm: $('f-compression').value, level: number('f-level') ?? 3 };
  c.encryption = { algorithm: $('f-encryption').value };
  if (c.type === 'incremental') c.incremental = { fullEvery: number('f-full-every') ?? 7, compare: $('f-compare').value };
  // What this page does not edit is kept as the service showed it.
  if (state.loaded) {
    if (Array.isArray(state.loaded.replicas) && state.loaded.replicas.length) c.replicas = state.loaded.replicas;
    if (state.loaded.restoreDrill) c.restoreDrill = state.loaded.restoreDrill;
    if (state.loaded.notifications) c.notifications = state.loaded.notifications;
  }
  return c;
}

function clearErrors() {
  for (const input of form.querySelectorAll('[data-field]')) {
    input.removeAttribute('aria-invalid');
    const slot = $(input.id + '-error');
    if (slot) slot.textContent = '';
  }
  $('f-source-error').textContent = '';
}

/** Puts each problem+json error next to its field (by JSON path), and lists them all at the top. */
function showErrors(error) {
  const entries = Object.entries(error.fieldErrors);
  const inputs = [...form.querySelectorAll('[data-field]')];
  let first = null;
  const summary = [];
  for (const [rawField, messages] of entries) {
    const field = rawField.replace(/^\$\.?/, '');
    const text = [].concat(messages).join(' ');
    summary.push(field + ': ' + text);
    // The nearest field that the page shows: files.components[2] → files.components, storage.x → storage.
    let path = field.toLowerCase();
    let input = null;
    while (path) {
      input = inputs.find(i => i.dataset.field.toLowerCase() === path);
      if (input) break;
      const stripped = path.replace(/\[\d+\]$/, '');
      path = stripped !== path ? stripped : path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
    }
    if (!input) continue;
    const slot = $(input.id + '-error') || (input.classList.contains('error') ? input : null);
    if (slot !== input) input.setAttribute('aria-invalid', 'true');
    if (slot) slot.textContent = (slot.textContent ? slot.textContent + ' ' : '') + text;
    first = first || input;
  }
  say(message, (error.problem && error.problem.title ? error.problem.title + ' ' : '') + (summary.length ? summary.join(' · ') : error.message), 'error');
  if (first && first.focus) first.focus();
}

async function save(event) {
  event.preventDefault();
  clearErrors();
  say(message, '');
  const button = $('save');
  button.disabled = true;
  try {
    if (!state.id) {
      const { response, json } = await apiWithResponse('backup-configs', { method: 'POST', body: body() });
      setLoaded(json, response.headers.get('ETag'));
      history.replaceState(null, '', 'config.html?id=' + encodeURIComponent(json.id));
      say(message, 'Saved. The config "' + json.name + '" was created.', 'ok');
    } else {
      const headers = state.etag ? { 'If-Match': state.etag } : {};
      const { response, json } = await apiWithResponse('backup-configs/' + encodeURIComponent(state.id), { method: 'PUT', body: body(), headers });
      setLoaded(json || state.loaded, response.headers.get('ETag'));
      say(message, 'Saved. The next run uses these settings.', 'ok');
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 412) {
      say(message, 'Someone changed this config after you opened it, so nothing was saved. Reload the page to see their version.', 'error');
    } else if (error instanceof ApiError && error.endpointMissing && state.id) {
      say(message, 'This service version cannot edit a saved config yet (PUT /api/backup-configs/{id}: HTTP ' + error.status + ').', 'error');
    } else if (error instanceof ApiError && Object.keys(error.fieldErrors).length) {
      showErrors(error);
    } else {
      say(message, errorText(error), 'error');
    }
  } finally {
    button.disabled = false;
  }
}

function setLoaded(config, etag) {
  state.loaded = config;
  state.id = config && config.id;
  state.etag = etag || null;
  $('page-title').textContent = state.id ? 'Backup Configuration: ' + config.name : 'New Backup Configuration';
  $('nav-dashboard').href = $('back').href = state.id ? 'index.html?config=' + encodeURIComponent(state.id) : 'index.html';
}

async function test() {
  const section = $('test-section');
  const result = $('test-result');
  section.hidden = false;
  if (!state.id) {
    result.replaceChildren(el('p', { class: 'message error' }, 'Save the config first: the test checks a saved config.'));
    return;
  }
  result.replaceChildren('Testing…');
  try {
    const answer = await api('backup-configs/' + encodeURIComponent(state.id) + '/test', { method: 'POST' });
    const checks = Array.isArray(answer.checks) ? answer.checks
      : Object.entries(answer.checks || {}).map(([name, check]) => ({ name, ...check }));
    result.replaceChildren(
      el('p', { class: 'message ' + (answer.ok ? 'ok' : 'error') }, answer.ok ? 'Every check passed.' : 'Some checks failed.'),
      el('ul', { class: 'plain' }, checks.map(check => el('li', {},
        el('strong', {}, (check.name || check.check || 'check') + ': '), check.ok ? 'ok' : 'failed',
        check.durationMs !== undefined ? ' (' + check.durationMs + ' ms)' : check.duration !== undefined ? ' (' + check.duration + ')' : '',
        check.ok ? '' : ' — ' + [check.kind, check.message || check.error].filter(Boolean).join(': ')))));
  } catch (error) {
    result.replaceChildren(el('p', { class: 'message error' }, error instanceof ApiError && error.endpointMissing
      ? 'This service version does not offer the config test yet (POST /api/backup-configs/{id}/test: HTTP ' + error.status + '). Test each storage location above instead.'
      : errorText(error)));
  }
}

async function loadLocations() {
  state.locations = await listAll('backup-storage');
  const select = $('f-storage-id');
  const current = select.value;
  select.replaceChildren(el('option', { value: '' }, state.locations.length ? 'Choose…' : 'No storage location'),
    ...state.locations.map(l => el('option', { value: l.id }, l.name + ' (' + l.type + ')')));
  if (current) select.value = current;
  $('locations-empty').hidden = state.locations.length > 0;
  const body = $('locations-table').querySelector('tbody');
  body.replaceChildren(...state.locations.map(l => {
    const outcome = el('td', { 'data-label': 'Last test', 'aria-live': 'polite' }, lastTest(l));
    return el('tr', { 'data-storage-id': l.id },
      el('td', { 'data-label': 'Name' }, l.name), el('td', { 'data-label': 'Type' }, l.type), outcome,
      el('td', { 'data-label': 'Test' }, el('button', { type: 'button', class: 'test-storage', 'aria-label': 'Test storage location ' + l.name,
        onclick: event => testLocation(l, event.currentTarget, outcome) }, 'Test')));
  }));
}

function lastTest(location) {
  const r = location.lastTestResult;
  if (!r) return 'Never tested';
  if (r.ok) return 'Passed ' + when(location.lastTested);
  const step = r.failedStep || (r.steps || []).find(s => !s.ok) || {};
  return 'Failed ' + when(location.lastTested) + ': ' + [step.kind, step.error].filter(Boolean).join(': ');
}

async function testLocation(location, button, cell) {
  button.disabled = true;
  cell.textContent = 'Testing…';
  try {
    const result = await api('backup-storage/' + encodeURIComponent(location.id) + '/test', { method: 'POST' });
    cell.textContent = lastTest({ ...location, lastTestResult: result, lastTested: result.testedAt });
  } catch (error) {
    cell.textContent = errorText(error);
  } finally {
    button.disabled = false;
  }
}

async function main() {
  await initKey();
  for (const id of ['f-frequency', 'f-storage-kind', 'f-db-on', 'f-files-on']) $(id).addEventListener('change', showWhatApplies);
  form.addEventListener('submit', save);
  $('test').addEventListener('click', test);
  const id = new URLSearchParams(location.search).get('id');
  try {
    await loadLocations();
    if (id) {
      const { response, json } = await apiWithResponse('backup-configs/' + encodeURIComponent(id));
      setLoaded(json, response.headers.get('ETag'));
      fill(json);
    } else {
      setLoaded(null, null);
      $('f-db-on').checked = true;
      $('f-files-on').checked = true;
      $('f-storage-kind').value = state.locations.length ? 'location' : 'local';
      showWhatApplies();
    }
  } catch (error) {
    say(message, errorText(error), 'error');
  }
  showWhatApplies();
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  document.body.dataset.ready = 'true';
}

main();
