// The Backup Dashboard: status, quick actions, running jobs (polled), recent backups, open alerts, and the restore
// and cleanup dialogs. Everything comes from the public API (api.js adds the function key).
import { api, apiWithResponse, send, listAll, el, bytes, duration, when, say, statusBadge, initKey, ApiError } from './api.js';

const $ = id => document.getElementById(id);
const FINAL = new Set(['completed', 'completed_with_warnings', 'failed', 'cancelled', 'skipped', 'rolled_back']);
const CONFIG_ITEM = 'bf.dashboardConfig';

const state = {
  configs: [],
  configId: '',
  backups: [],
  jobs: new Map(), // id → { kind: 'backup' | 'restore', job, node }
  timer: 0,
  lastDiscovery: 0,
};

const message = $('page-message');

function config() {
  return state.configs.find(c => c.id === state.configId) || null;
}

function errorText(error) {
  return error instanceof ApiError ? error.message : 'Could not reach the service: ' + (error && error.message || error);
}

async function loadConfigs() {
  const select = $('config-select');
  state.configs = await listAll('backup-configs');
  select.replaceChildren();
  if (state.configs.length === 0) {
    select.append(el('option', { value: '' }, 'No config yet'));
    say(message, 'There is no backup config yet. Create one on the Configuration page.');
    state.configId = '';
  } else {
    for (const c of state.configs) select.append(el('option', { value: c.id }, c.name));
    const wanted = new URLSearchParams(location.search).get('config') || sessionStorage.getItem(CONFIG_ITEM);
    state.configId = state.configs.some(c => c.id === wanted) ? wanted : state.configs[0].id;
    select.value = state.configId;
  }
  updateLinks();
}

function updateLinks() {
  const id = state.configId;
  const page = id ? 'config.html?id=' + encodeURIComponent(id) : 'config.html';
  $('action-configure').href = page;
  $('action-schedule').href = page + '#schedule-section';
  $('action-storage').href = page + '#storage-section';
  $('nav-config').href = page;
  for (const button of ['action-backup-now', 'action-restore', 'action-cleanup']) $(button).disabled = !id;
}

async function refreshAll() {
  if (!state.configId) return;
  const results = await Promise.allSettled([loadStatus(), loadBackups(), loadAlerts(), discoverJobs()]);
  const failed = results.find(r => r.status === 'rejected');
  if (failed) say(message, errorText(failed.reason), 'error');
}

async function loadStatus() {
  const c = config();
  $('status-next').replaceChildren(c && c.nextRunAt ? when(c.nextRunAt)
    : c && c.enabled === false ? 'Paused' : 'Manual only');
  const health = await api('backup-health');
  const mine = (health.configs || []).find(h => h.configId === state.configId);
  const last = $('status-last');
  if (mine && mine.lastSuccessfulBackup) {
    last.replaceChildren(when(mine.lastSuccessfulBackup.completedAt), el('small', {}, 'health: ', statusBadge(mine.status)));
  } else {
    last.replaceChildren('None yet', mine ? el('small', {}, 'health: ', statusBadge(mine.status)) : '');
  }
  const usage = (mine && mine.storageUsage) || [];
  const used = usage.reduce((sum, d) => sum + (d.usedBytes || 0), 0);
  const known = usage.length > 0 && usage.every(d => d.totalBytes);
  const total = usage.reduce((sum, d) => sum + (d.totalBytes || 0), 0);
  $('status-storage').replaceChildren(usage.some(d => d.usedBytes !== null && d.usedBytes !== undefined)
    ? bytes(used) + ' / ' + (known ? bytes(total) : 'no limit')
    : 'Not measured yet',
    usage.length ? el('small', {}, usage.length + ' destination' + (usage.length > 1 ? 's' : '')) : '');
}

async function loadBackups() {
  const page = await api('backups?pageSize=10&configId=' + encodeURIComponent(state.configId));
  state.backups = page.items || [];
  let total = page.totalCount;
  if (total === undefined || total === null) {
    // Services without totalCount: count the pages (bounded), shown with '+' beyond the bound.
    const all = page.continuationToken ? await listAll('backups?configId=' + encodeURIComponent(state.configId), 1000) : state.backups;
    total = all.length >= 1000 ? '1000+' : all.length;
  }
  $('status-total').textContent = String(total);
  const body = $('backups-table').querySelector('tbody');
  body.replaceChildren();
  $('backups-empty').hidden = state.backups.length > 0;
  for (const b of state.backups) {
    const label = 'backup of ' + when(b.completedAt || b.createdAt);
    body.append(el('tr', { 'data-backup-id': b.id },
      el('td', { 'data-label': 'Made' }, when(b.completedAt || b.createdAt)),
      el('td', { 'data-label': 'Type' }, b.type || 'full'),
      el('td', { 'data-label': 'Size', class: 'num' }, bytes(b.sizeBytes)),
      el('td', { 'data-label': 'Status' }, statusBadge(b.status)),
      el('td', { 'data-label': 'Actions' }, el('div', { class: 'actions' },
        el('button', { type: 'button', class: 'download', 'aria-label': 'Download ' + label, onclick: () => download(b) }, 'Download'),
        el('button', { type: 'button', class: 'restore', 'aria-label': 'Restore ' + label, onclick: () => openRestore(b.id) }, 'Restore'),
        el('button', { type: 'button', class: 'details', 'aria-label': 'Details of ' + label, onclick: () => showDetails(b) }, 'Details')))));
  }
}

function fileNameFrom(disposition, fallback) {
  if (!disposition) return fallback;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (star) { try { return decodeURIComponent(star[1].trim()); } catch { /* fall through */ } }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1].trim() : fallback;
}

async function download(backup) {
  const note = $('backups-message');
  say(note, 'Downloading the backup…');
  try {
    // fetch, not a link: the key goes in a header, never into a URL (history, logs).
    const response = await send('backups/' + encodeURIComponent(backup.id) + '/download', { headers: { Accept: '*/*' } });
    if (!response.ok) {
      const type = response.headers.get('Content-Type') || '';
      const problem = type.includes('json') ? await response.json().catch(() => null) : null;
      throw new ApiError(response.status, problem && problem.title ? problem : null,
        (response.status === 404 && !problem) || response.status === 405
          ? 'Download is not offered by this service version yet (HTTP ' + response.status + '). Use backupctl restore instead.'
          : [problem && problem.title, problem && problem.detail].filter(Boolean).join(' ') || 'HTTP ' + response.status);
    }
    const length = Number(response.headers.get('Content-Length')) || 0;
    const reader = response.body.getReader();
    const chunks = [];
    let received = 0;
    let lastShown = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      if (Date.now() - lastShown > 500) {
        lastShown = Date.now();
        say(note, 'Downloading… ' + bytes(received) + (length ? ' of ' + bytes(length) : ''));
      }
    }
    const name = fileNameFrom(response.headers.get('Content-Disposition'), 'backup-' + backup.id + '.tar');
    const url = URL.createObjectURL(new Blob(chunks, { type: 'application/x-tar' }));
    const link = el('a', { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    say(note, 'Downloaded ' + name + ' (' + bytes(received) + ').', 'ok');
  } catch (error) {
    // A stream that breaks off (a tampered part aborts it on the server) lands here too: nothing is saved.
    say(note, 'Download failed: ' + errorText(error), 'error');
  }
}

function showDetails(b) {
  const list = $('details-list');
  const rows = [
    ['Backup id', b.id], ['Config', (config() || {}).name || b.configId], ['Type', b.type], ['Status', b.status],
    ['Started', when(b.createdAt)], ['Completed', when(b.completedAt)], ['Size', bytes(b.sizeBytes)],
    ['Compression', b.compression + (b.compressionRatio ? ' (ratio ' + Number(b.compressionRatio).toFixed(2) + ')' : '')],
    ['Encryption', b.encryption], ['Checksum (SHA-256)', b.checksum],
    ['Files', b.statistics && b.statistics.files], ['Database tables', b.statistics && b.statistics.databaseTables],
    ['Copies', (b.locations || []).map(l => (l.primary ? 'primary ' : 'replica ') + l.type + ': ' + l.status).join('; ')],
  ];
  list.replaceChildren(...rows.filter(r => r[1] !== undefined && r[1] !== null)
    .flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v))]));
  $('details-dialog').showModal();
}

async function loadAlerts() {
  const page = await api('backup-alerts?status=open&pageSize=50&configId=' + encodeURIComponent(state.configId));
  const list = $('alerts-list');
  const items = page.items || [];
  list.replaceChildren();
  $('alerts-empty').hidden = items.length > 0;
  for (const a of items) {
    list.append(el('li', { class: 'alert', 'data-alert-id': a.id },
      el('div', { class: 'alert-head' },
        el('strong', {}, a.type.replace(/_/g, ' ')), statusBadge(a.severity)),
      el('p', {}, a.message),
      el('p', { class: 'muted' }, 'Since ' + when(a.createdAt) + (a.occurrences > 1 ? ' · ' + a.occurrences + ' times' : '')),
      el('button', { type: 'button', class: 'acknowledge', 'aria-label': 'Acknowledge alert: ' + a.type.replace(/_/g, ' '),
        onclick: event => acknowledge(a, event.currentTarget) }, 'Acknowledge')));
  }
}

async function acknowledge(alert, button) {
  button.disabled = true;
  try {
    await api('backup-alerts/' + encodeURIComponent(alert.id) + '/acknowledge', { method: 'POST' });
    say($('alerts-message'), 'Alert acknowledged: ' + alert.type.replace(/_/g, ' ') + '.', 'ok');
    await loadAlerts();
    $('alerts-heading').focus?.();
  } catch (error) {
    button.disabled = false;
    say($('alerts-message'), errorText(error), 'error');
  }
}

// ---- Jobs: listed by status, then each followed through GET /api/backup-jobs/{id} (or restore-jobs) ----

async function discoverJobs() {
  state.lastDiscovery = Date.now();
  const id = encodeURIComponent(state.configId);
  const lists = await Promise.all([
    ...['pending', 'running'].map(s => api('backup-jobs?pageSize=20&status=' + s + '&configId=' + id).then(p => ({ kind: 'backup', items: p.items || [] }))),
    ...['pending', 'running'].map(s => api('restore-jobs?pageSize=20&status=' + s + '&configId=' + id).then(p => ({ kind: 'restore', items: p.items || [] }))),
  ]);
  for (const { kind, items } of lists) for (const job of items) track(kind, job);
  renderJobsEmpty();
}

function track(kind, job) {
  const known = state.jobs.get(job.id);
  if (known) { update(known, job); return; }
  const entry = { kind, job: null, node: null, announced: '' };
  entry.node = jobNode(entry, job);
  state.jobs.set(job.id, entry);
  $('jobs-list').prepend(entry.node);
  update(entry, job);
  renderJobsEmpty();
  schedule(0);
}

function renderJobsEmpty() {
  $('jobs-empty').hidden = state.jobs.size > 0;
}

function jobTitle(entry, job) {
  if (job.name) return job.name;
  const name = (config() || {}).name || job.configId || '';
  return (entry.kind === 'restore' ? 'Restore' : 'Backup') + (job.type ? ' (' + job.type + ')' : '') + (name ? ' · ' + name : '');
}

function jobNode(entry, job) {
  const progressId = 'progress-' + job.id;
  return el('li', { class: 'job', 'data-job-id': job.id, 'data-kind': entry.kind },
    el('div', { class: 'job-head' },
      el('strong', { id: progressId + '-label', class: 'job-title' }, jobTitle(entry, job)),
      el('span', { class: 'job-status' })),
    el('progress', { id: progressId, class: 'job-progress', max: 100, value: 0, 'aria-labelledby': progressId + '-label' }),
    el('div', { class: 'job-figures' },
      el('span', { class: 'job-percent' }), el('span', { class: 'job-step' }),
      el('span', { class: 'job-files' }), el('span', { class: 'job-speed' }), el('span', { class: 'job-eta' })),
    el('p', { class: 'job-error message error', role: 'alert' }),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'danger job-cancel', 'aria-label': 'Cancel ' + jobTitle(entry, job), onclick: () => cancelJob(entry) }, 'Cancel'),
      el('button', { type: 'button', class: 'job-dismiss', hidden: true, onclick: () => dismiss(entry) }, 'Dismiss')));
}

function update(entry, job) {
  const before = entry.job;
  entry.job = job;
  const node = entry.node;
  const p = job.progress || {};
  const final = FINAL.has(job.status);
  const percentage = job.status === 'completed' ? 100 : Math.max(0, Math.min(100, Number(p.percentage) || 0));
  node.querySelector('.job-title').textContent = jobTitle(entry, job);
  node.querySelector('.job-status').replaceChildren(statusBadge(job.status));
  node.querySelector('.job-progress').value = percentage;
  node.querySelector('.job-percent').textContent = percentage.toFixed(0) + '%';
  node.querySelector('.job-step').textContent = p.currentStep ? 'Step: ' + p.currentStep + (p.totalSteps ? ' (' + p.completedSteps + '/' + p.totalSteps + ')' : '') : '';
  node.querySelector('.job-files').textContent = p.totalFiles ? 'Files: ' + p.processedFiles + '/' + p.totalFiles + ' · ' + bytes(p.processedBytes) + ' of ' + bytes(p.totalBytes) : '';
  node.querySelector('.job-speed').textContent = 'Speed: ' + (p.speed ? bytes(p.speed) + '/s' : '—');
  node.querySelector('.job-eta').textContent = 'ETA: ' + (final ? 'done' : duration(p.eta));
  node.querySelector('.job-error').textContent = job.error || '';
  node.querySelector('.job-cancel').hidden = final;
  node.querySelector('.job-cancel').disabled = !!job.cancelRequested;
  node.querySelector('.job-dismiss').hidden = !final;
  // The live region speaks at status and step changes, not at every percent.
  const spoken = job.status + '|' + (p.currentStep || '');
  if (spoken !== entry.announced) {
    entry.announced = spoken;
    $('jobs-live').textContent = jobTitle(entry, job) + ': ' + job.status.replace(/_/g, ' ') +
      (final ? '' : (p.currentStep ? ', ' + p.currentStep : '') + ', ' + percentage.toFixed(0) + '%');
  }
  if (before && !FINAL.has(before.status) && final) {
    // A finished job changes the status cards, the backups and perhaps the alerts.
    Promise.allSettled([loadStatus(), loadBackups(), loadAlerts()]);
  }
}

function dismiss(entry) {
  entry.node.remove();
  state.jobs.delete(entry.job.id);
  renderJobsEmpty();
  $('jobs-heading').setAttribute('tabindex', '-1');
  $('jobs-heading').focus();
}

async function cancelJob(entry) {
  const path = (entry.kind === 'restore' ? 'restore-jobs/' : 'backup-jobs/') + encodeURIComponent(entry.job.id) + '/cancel';
  try {
    const job = await api(path, { method: 'POST' });
    update(entry, job && job.status ? job : { ...entry.job, cancelRequested: true });
    say(message, 'Cancel requested.', 'ok');
  } catch (error) {
    say(message, errorText(error), 'error');
  }
  schedule(0);
}

async function pollJobs() {
  const active = [...state.jobs.values()].filter(e => !FINAL.has(e.job.status));
  await Promise.all(active.map(async entry => {
    try {
      const job = await api((entry.kind === 'restore' ? 'restore-jobs/' : 'backup-jobs/') + encodeURIComponent(entry.job.id));
      update(entry, job);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
  }));
  if (Date.now() - state.lastDiscovery > 10000 && state.configId) await discoverJobs();
}

function schedule(delay) {
  clearTimeout(state.timer);
  state.timer = setTimeout(async () => {
    try {
      await pollJobs();
    } catch (error) {
      say(message, errorText(error), 'error');
    }
    const busy = [...state.jobs.values()].some(e => !FINAL.has(e.job.status));
    schedule(busy ? 1000 : 5000);
  }, delay);
}

async function backupNow() {
  const button = $('action-backup-now');
  button.disabled = true;
  try {
    const started = await api('backups', { method: 'POST', body: { configId: state.configId } });
    say(message, 'Backup started.', 'ok');
    track('backup', { id: started.jobId, configId: state.configId, status: 'pending', progress: {} });
  } catch (error) {
    say(message, errorText(error), 'error');
  } finally {
    button.disabled = false;
  }
}

// ---- Restore dialog: the preview first (dryRun), then the restore job followed to its end ----

const restore = { backupId: '', previewSeq: 0, previewed: false, job: null, timer: 0 };

function restoreOptions() {
  const type = document.querySelector('input[name=restore-type]:checked').value;
  const elsewhere = document.querySelector('input[name=restore-where]:checked').value === 'elsewhere';
  const options = { type, overwriteExisting: $('restore-overwrite').checked, createPreRestoreBackup: $('restore-pre-backup').checked };
  if (elsewhere) {
    if (type !== 'database') options.targetPath = $('restore-target-path').value.trim() || null;
    if (type !== 'files') options.targetDatabase = $('restore-target-db').value.trim() || null;
  }
  return options;
}

function clearRestoreErrors() {
  for (const input of document.querySelectorAll('#restore-form [data-field]')) {
    input.removeAttribute('aria-invalid');
    const error = document.getElementById(input.getAttribute('aria-describedby'));
    if (error) error.textContent = '';
  }
}

function showRestoreErrors(error) {
  for (const [field, messages] of Object.entries(error.fieldErrors)) {
    const input = document.querySelector('#restore-form [data-field="' + CSS.escape(field) + '"]');
    if (!input) continue;
    input.setAttribute('aria-invalid', 'true');
    const slot = document.getElementById(input.getAttribute('aria-describedby'));
    if (slot) slot.textContent = [].concat(messages).join(' ');
  }
}

async function openRestore(backupId) {
  const dialog = $('restore-dialog');
  const select = $('restore-backup-select');
  const points = state.backups.filter(b => b.status === 'completed' || b.status === 'completed_with_warnings');
  select.replaceChildren(...points.map(b => el('option', { value: b.id }, when(b.completedAt || b.createdAt) + ' · ' + (b.type || 'full') + ' · ' + bytes(b.sizeBytes))));
  if (points.length === 0) {
    say(message, 'There is no backup to restore yet.', 'error');
    return;
  }
  restore.backupId = backupId && points.some(b => b.id === backupId) ? backupId : points[0].id;
  select.value = restore.backupId;
  restore.job = null;
  clearTimeout(restore.timer);
  $('restore-job').hidden = true;
  $('restore-cancel').hidden = true;
  $('restore-confirm').checked = false;
  say($('restore-message'), '');
  for (const input of dialog.querySelectorAll('input, select')) input.disabled = false;
  dialog.showModal();
  await previewRestore();
}

async function previewRestore() {
  const seq = ++restore.previewSeq;
  restore.previewed = false;
  $('restore-confirm').checked = false;
  $('restore-confirm').disabled = true;
  $('restore-start').disabled = true;
  clearRestoreErrors();
  say($('restore-message'), '');
  const body = $('restore-preview-body');
  $('restore-preview').setAttribute('aria-busy', 'true');
  body.replaceChildren('Loading the preview…');
  try {
    const preview = await api('backups/' + encodeURIComponent(restore.backupId) + '/restore', { method: 'POST', body: { ...restoreOptions(), dryRun: true } });
    if (seq !== restore.previewSeq) return;
    body.replaceChildren(renderPreview(preview));
    restore.previewed = true;
    $('restore-confirm').disabled = false;
  } catch (error) {
    if (seq !== restore.previewSeq) return;
    body.replaceChildren('No preview.');
    if (error instanceof ApiError) showRestoreErrors(error);
    say($('restore-message'), errorText(error), 'error');
  } finally {
    if (seq === restore.previewSeq) $('restore-preview').setAttribute('aria-busy', 'false');
  }
}

function renderPreview(preview) {
  const parts = [el('p', {}, 'Backup made ' + when(preview.backupCreatedAt) + '. Nothing has been changed yet.')];
  if (preview.files) {
    const groups = [['create', 'Create'], ['overwrite', 'Overwrite'], ['delete', 'Delete'], ['unchanged', 'Unchanged'], ['skipped', 'Skipped']];
    parts.push(el('table', { class: 'stack', id: 'preview-files' },
      el('caption', {}, 'Site files'),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Change'), el('th', { scope: 'col', class: 'num' }, 'Entries'), el('th', { scope: 'col', class: 'num' }, 'Bytes'))),
      el('tbody', {}, groups.map(([key, label]) => {
        const g = preview.files[key] || { count: 0, bytes: 0, paths: [] };
        return el('tr', { 'data-group': key },
          el('th', { scope: 'row', 'data-label': 'Change' }, label),
          el('td', { class: 'num', 'data-label': 'Entries' }, String(g.count)),
          el('td', { class: 'num', 'data-label': 'Bytes' }, bytes(g.bytes)));
      }))));
    for (const [key, label] of groups) {
      const g = preview.files[key];
      if (!g || !g.paths || g.paths.length === 0 || key === 'unchanged') continue;
      parts.push(el('details', {}, el('summary', {}, label + ': first ' + Math.min(g.paths.length, 200) + ' of ' + g.count),
        el('ul', { class: 'preview-paths' }, g.paths.slice(0, 200).map(p => el('li', {}, p)))));
    }
  }
  if (preview.database) {
    const d = preview.database;
    parts.push(el('p', {}, 'Database: server ' + (d.liveServerVersion || '— (will be created)') + ', backup from server ' + d.backupServerVersion + '.'));
    parts.push(el('div', { class: 'table-wrap' }, el('table', { class: 'stack', id: 'preview-tables' },
      el('caption', {}, 'Database tables'),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Table'), el('th', { scope: 'col' }, 'Action'),
        el('th', { scope: 'col', class: 'num' }, 'Rows now'), el('th', { scope: 'col', class: 'num' }, 'Rows in backup'))),
      el('tbody', {}, (d.tables || []).map(t => el('tr', {},
        el('td', { 'data-label': 'Table' }, t.table), el('td', { 'data-label': 'Action' }, t.action),
        el('td', { class: 'num', 'data-label': 'Rows now' }, t.liveRows === null || t.liveRows === undefined ? '—' : (t.liveRowsEstimated ? '≈' : '') + t.liveRows),
        el('td', { class: 'num', 'data-label': 'Rows in backup' }, t.backupRows === null || t.backupRows === undefined ? '—' : String(t.backupRows))))))));
  }
  if (preview.warnings && preview.warnings.length) {
    parts.push(el('ul', { class: 'message error', id: 'preview-warnings' }, preview.warnings.map(w => el('li', {}, w.message))));
  }
  return el('div', {}, parts);
}

async function startRestore() {
  $('restore-start').disabled = true;
  try {
    const started = await api('backups/' + encodeURIComponent(restore.backupId) + '/restore', { method: 'POST', body: restoreOptions() });
    restore.job = { id: started.restoreJobId, status: 'pending', progress: {} };
    for (const input of $('restore-form').querySelectorAll('input, select')) input.disabled = true;
    $('restore-job').hidden = false;
    $('restore-cancel').hidden = false;
    say($('restore-message'), '');
    followRestore();
  } catch (error) {
    $('restore-start').disabled = false;
    if (error instanceof ApiError) showRestoreErrors(error);
    say($('restore-message'), errorText(error), 'error');
  }
}

async function followRestore() {
  clearTimeout(restore.timer);
  if (!restore.job) return;
  try {
    const job = await api('restore-jobs/' + encodeURIComponent(restore.job.id));
    restore.job = job;
    const p = job.progress || {};
    const final = FINAL.has(job.status);
    const percentage = job.status === 'completed' ? 100 : Math.max(0, Math.min(100, Number(p.percentage) || 0));
    $('restore-progress').value = percentage;
    $('restore-status').replaceChildren(statusBadge(job.status), ' ' + percentage.toFixed(0) + '%',
      p.currentStep && !final ? ' · ' + p.currentStep : '',
      p.speed && !final ? ' · ' + bytes(p.speed) + '/s' : '', p.eta && !final ? ' · ETA ' + duration(p.eta) : '',
      job.error ? ' · ' + job.error : '');
    $('restore-cancel').hidden = final;
    if (final) {
      const r = job.result;
      if (r) say($('restore-message'), 'Restore ' + job.status.replace(/_/g, ' ') + ': ' + (r.filesCreated + r.filesOverwritten) + ' files written, ' + (r.filesDeleted || 0) + ' deleted.', job.status === 'completed' ? 'ok' : 'error');
      refreshAll();
      return;
    }
  } catch (error) {
    say($('restore-message'), errorText(error), 'error');
  }
  restore.timer = setTimeout(followRestore, 1000);
}

async function cancelRestore() {
  if (!restore.job) return;
  try {
    await api('restore-jobs/' + encodeURIComponent(restore.job.id) + '/cancel', { method: 'POST' });
    say($('restore-message'), 'Cancel requested.', 'ok');
  } catch (error) {
    say($('restore-message'), errorText(error), 'error');
  }
}

// ---- Cleanup dialog: the retention plan (dry run), then applied on request ----

async function openCleanup() {
  const dialog = $('cleanup-dialog');
  const body = $('cleanup-body');
  const apply = $('cleanup-apply');
  apply.disabled = true;
  say($('cleanup-message'), '');
  body.replaceChildren('Loading the retention plan…');
  dialog.showModal();
  try {
    const plan = await api('backup-configs/' + encodeURIComponent(state.configId) + '/cleanup', { method: 'POST', body: { dryRun: true } });
    body.replaceChildren(renderPlan(plan));
    apply.disabled = !(plan.remove > 0);
  } catch (error) {
    body.replaceChildren('');
    say($('cleanup-message'), errorText(error), 'error');
  }
}

function renderPlan(plan) {
  const backups = plan.backups || plan.items || [];
  return el('div', {},
    el('p', {}, 'Keep ' + plan.keep + ', remove ' + plan.remove + ' (' + bytes(plan.removeBytes) + ')' + (plan.locked ? ', ' + plan.locked + ' locked' : '') + '.'),
    backups.length ? el('div', { class: 'table-wrap' }, el('table', { class: 'stack' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Backup'), el('th', { scope: 'col' }, 'Decision'), el('th', { scope: 'col' }, 'Why'))),
      el('tbody', {}, backups.map(b => el('tr', {},
        el('td', { 'data-label': 'Backup' }, when(b.createdAt || b.completedAt) + ' ' + (b.backupId || b.id || '')),
        el('td', { 'data-label': 'Decision' }, b.decision),
        el('td', { 'data-label': 'Why' }, (b.reasons || []).join(', '))))))) : '',
    (plan.warnings || []).length ? el('ul', { class: 'message error' }, plan.warnings.map(w => el('li', {}, typeof w === 'string' ? w : w.message))) : '');
}

async function applyCleanup() {
  $('cleanup-apply').disabled = true;
  try {
    await api('backup-configs/' + encodeURIComponent(state.configId) + '/cleanup', { method: 'POST', body: { dryRun: false } });
    say($('cleanup-message'), 'Cleanup started.');
    for (let i = 0; i < 120; i++) {
      await new Promise(r => setTimeout(r, 1000));
      const status = await api('backup-configs/' + encodeURIComponent(state.configId) + '/cleanup');
      if (status.status !== 'running') {
        say($('cleanup-message'), 'Cleanup ' + status.status + '.', status.status === 'completed' ? 'ok' : 'error');
        break;
      }
    }
    await refreshAll();
  } catch (error) {
    say($('cleanup-message'), errorText(error), 'error');
  }
}

async function main() {
  await initKey();
  $('config-select').addEventListener('change', async event => {
    state.configId = event.target.value;
    sessionStorage.setItem(CONFIG_ITEM, state.configId);
    for (const entry of state.jobs.values()) entry.node.remove();
    state.jobs.clear();
    renderJobsEmpty();
    updateLinks();
    await refreshAll();
  });
  $('refresh').addEventListener('click', async () => { say(message, ''); await loadConfigs(); await refreshAll(); });
  $('action-backup-now').addEventListener('click', backupNow);
  $('action-restore').addEventListener('click', () => openRestore(null));
  $('action-cleanup').addEventListener('click', openCleanup);
  $('cleanup-apply').addEventListener('click', applyCleanup);
  $('restore-backup-select').addEventListener('change', event => { restore.backupId = event.target.value; previewRestore(); });
  for (const input of document.querySelectorAll('input[name=restore-type], input[name=restore-where], #restore-pre-backup, #restore-overwrite, #restore-target-path, #restore-target-db')) {
    input.addEventListener('change', () => {
      $('restore-targets').hidden = document.querySelector('input[name=restore-where]:checked').value !== 'elsewhere';
      previewRestore();
    });
  }
  $('restore-preview-button').addEventListener('click', previewRestore);
  // Enter in a text field would submit the dialog's form and close it: only Close closes it.
  $('restore-form').addEventListener('submit', event => { if (!event.submitter || event.submitter.id !== 'restore-close') event.preventDefault(); });
  $('restore-confirm').addEventListener('change', event => { $('restore-start').disabled = !(event.target.checked && restore.previewed && !restore.job); });
  $('restore-start').addEventListener('click', startRestore);
  $('restore-cancel').addEventListener('click', cancelRestore);
  $('restore-dialog').addEventListener('close', () => { clearTimeout(restore.timer); restore.previewSeq++; });
  try {
    await loadConfigs();
    await refreshAll();
  } catch (error) {
    say(message, errorText(error), 'error');
  }
  schedule(1000);
  document.body.dataset.ready = 'true';
}

main();
