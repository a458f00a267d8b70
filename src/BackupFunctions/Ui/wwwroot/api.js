// Shared by the dashboard and the configuration page: the function key, API calls, and small formatting helpers.
// Data from the API is only ever put into the page as text (textContent), never as HTML.

const KEY_ITEM = 'bf.functionKey';

/** The API's base: the pages live at <app>/api/ui/, the API at <app>/api/. */
const apiBase = new URL('../', document.baseURI);

export class ApiError extends Error {
  constructor(status, problem, message) {
    super(message);
    this.status = status;
    this.problem = problem;
  }

  /** The route does not exist on this version of the service (no problem body) or refuses the method. */
  get endpointMissing() {
    return (this.status === 404 && !this.problem) || this.status === 405;
  }

  /** Field path → messages, from a problem+json body's errors. */
  get fieldErrors() {
    return (this.problem && this.problem.errors) || {};
  }
}

let keyPrompt = null;

/** The stored function key ('' = none, for a local host); asks for it once per browser session. */
export function ensureKey(reason) {
  const stored = sessionStorage.getItem(KEY_ITEM);
  if (stored !== null && !reason) return Promise.resolve(stored);
  if (keyPrompt) return keyPrompt;
  const dialog = document.getElementById('key-dialog');
  const form = dialog.querySelector('form');
  const input = dialog.querySelector('#key-input');
  const note = dialog.querySelector('#key-reason');
  note.textContent = reason || '';
  input.value = '';
  keyPrompt = new Promise(resolve => {
    const submit = event => {
      event.preventDefault();
      sessionStorage.setItem(KEY_ITEM, input.value.trim());
      form.removeEventListener('submit', submit);
      dialog.close();
      keyPrompt = null;
      resolve(input.value.trim());
    };
    form.addEventListener('submit', submit);
  });
  dialog.showModal();
  input.focus();
  return keyPrompt;
}

// Escape would leave the page without a key: the dialog stays until a key (or an empty one) is given.
function keepKeyDialogOpen() {
  const dialog = document.getElementById('key-dialog');
  if (!dialog) return;
  dialog.addEventListener('cancel', event => event.preventDefault());
  dialog.addEventListener('close', () => {
    if (keyPrompt) dialog.showModal();
  });
}

/** Forgets the key and asks for a new one. */
export function changeKey() {
  sessionStorage.removeItem(KEY_ITEM);
  return ensureKey();
}

function headers(extra) {
  const h = { Accept: 'application/json', ...extra };
  const key = sessionStorage.getItem(KEY_ITEM);
  if (key) h['x-functions-key'] = key;
  return h;
}

/** A fetch of /api/<path> with the key; a refused key is asked for again and the call repeated once. */
export async function send(path, { method = 'GET', body, headers: extra = {} } = {}, retried = false) {
  await ensureKey();
  const init = { method, headers: headers(extra), cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(new URL(path, apiBase), init);
  if ((response.status === 401 || response.status === 403) && !retried) {
    await ensureKey('The service refused that key (' + response.status + '). Enter the function key again.');
    return send(path, { method, body, headers: extra }, true);
  }
  return response;
}

/** JSON call: the parsed body (null for 204), or an ApiError carrying the problem details. */
export async function api(path, options = {}) {
  const { response, json } = await apiWithResponse(path, options);
  return json;
}

export async function apiWithResponse(path, options = {}) {
  const response = await send(path, options);
  const type = response.headers.get('Content-Type') || '';
  const text = response.status === 204 || response.status === 304 ? '' : await response.text();
  let json = null;
  if (text && type.includes('json')) {
    try { json = JSON.parse(text); } catch { json = null; }
  }
  if (!response.ok) {
    const problem = json && (json.title || json.errors) ? json : null;
    throw new ApiError(response.status, problem, describe(response.status, problem, path));
  }
  return { response, json };
}

function describe(status, problem, path) {
  if ((status === 404 && !problem) || status === 405)
    return 'This service version does not offer ' + path.split('?')[0] + ' yet (HTTP ' + status + ').';
  if (problem) {
    const parts = [problem.title, problem.detail].filter(Boolean);
    if (parts.length) return parts.join(' ');
  }
  return 'The service answered HTTP ' + status + '.';
}

/** Every item of a paged listing (follows continuation tokens up to `max` items). */
export async function listAll(path, max = 500) {
  const items = [];
  let token = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api(path + sep + 'pageSize=100' + (token ? '&continuationToken=' + encodeURIComponent(token) : ''));
    items.push(...(page.items || []));
    token = page.continuationToken;
  } while (token && items.length < max);
  return items;
}

/** Creates an element; attributes via setAttribute (or properties for on* handlers), children as nodes or text. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function bytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = Number(n);
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return (unit === 0 ? value.toFixed(0) : value.toFixed(value < 10 ? 2 : 1)) + ' ' + units[unit];
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return s + ' s';
  const m = Math.floor(s / 60);
  if (m < 60) return m + ' min ' + (s % 60) + ' s';
  return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
}

// One formatter for the page's life: toLocaleString with options builds a new one on every call, and the first build
// loads the locale's data (tens of ms in a fresh tab, on the dashboard's path to its first paint).
let dateFormat = null;

export function when(value) {
  if (!value) return '—';
  const date = new Date(value);
  if (isNaN(date)) return String(value);
  dateFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return dateFormat.format(date);
}

/** Sets a message area's text and tone ('ok', 'error' or ''). */
export function say(node, text, tone = '') {
  node.textContent = text || '';
  node.classList.remove('ok', 'error');
  if (tone) node.classList.add(tone);
}

export function statusBadge(status) {
  const word = String(status || 'unknown');
  return el('span', { class: 'badge s-' + word.replace(/[^a-z_]/gi, '') }, word.replace(/_/g, ' '));
}

/** Wires the header's "Function key" button and asks for the key on first load. */
export function initKey() {
  keepKeyDialogOpen();
  const button = document.getElementById('change-key');
  if (button) button.addEventListener('click', () => changeKey());
  return ensureKey();
}
