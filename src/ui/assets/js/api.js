// GETs of the dashboard's JSON API; an error answer becomes an Error with the store's code.

export async function get(path, params = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => ({ error: { code: 'ERROR', message: `HTTP ${res.status}` } }));
  if (!res.ok) throw Object.assign(new Error(body.error?.message ?? `HTTP ${res.status}`), { code: body.error?.code ?? 'ERROR' });
  return body;
}
