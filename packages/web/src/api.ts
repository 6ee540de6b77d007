// One fetch wrapper: JSON in and out, the CSRF header on changes, RFC 9457 problems as ApiError.
export interface FieldError {
  field: string;
  message: { zh: string; en: string };
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    public messages: { zh: string; en: string },
    public fields: FieldError[] = [],
  ) {
    super(messages.en);
  }
}

let csrfToken: string | null = null;
export function setCsrf(token: string | null) {
  csrfToken = token;
}

const listeners = new Set<() => void>();
/** Called when the server says the session is gone, so the app can show the log-in page. */
export function onUnauthenticated(fn: () => void) {
  listeners.add(fn);
  return () => {
    listeners.delete(fn);
  };
}

export async function api<T>(
  method: string,
  url: string,
  body?: unknown,
  raw?: { body: Blob; contentType: string },
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (raw) headers['content-type'] = raw.contentType;
  else if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: raw ? raw.body : body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'network', {
      zh: '无法连接服务器，请检查网络',
      en: 'Cannot reach the server; check the network',
    });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const p = (json ?? {}) as { code?: string; message?: { zh: string; en: string }; errors?: FieldError[] };
    const err = new ApiError(
      res.status,
      p.code ?? `http.${res.status}`,
      p.message ?? { zh: `请求失败（${res.status}）`, en: `Request failed (${res.status})` },
      p.errors ?? [],
    );
    if (res.status === 401 && !url.startsWith('/api/auth/')) listeners.forEach((fn) => fn());
    throw err;
  }
  return json as T;
}

export const get = <T>(url: string) => api<T>('GET', url);
export const post = <T>(url: string, body: unknown = {}) => api<T>('POST', url, body);
export const patch = <T>(url: string, body: unknown) => api<T>('PATCH', url, body);
export const put = <T>(url: string, body: unknown) => api<T>('PUT', url, body);
export const del = <T>(url: string) => api<T>('DELETE', url);
/** Uploads a file as the request body (e.g. an .xlsx), with the same errors as every other call. */
export const upload = <T>(url: string, file: Blob, contentType: string) =>
  api<T>('POST', url, undefined, { body: file, contentType });

/**
 * Uploads a large file with progress events (fetch cannot report upload progress); the reply and errors
 * are those of api().
 */
export function uploadWithProgress<T>(
  url: string,
  file: Blob,
  contentType: string,
  onProgress: (sent: number, total: number) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('content-type', contentType);
    xhr.setRequestHeader('accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () =>
      reject(
        new ApiError(0, 'network', {
          zh: '上传中断，请检查网络后重试',
          en: 'The upload was interrupted; check the network and retry',
        }),
      );
    xhr.onload = () => {
      let json: unknown = null;
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        json = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(json as T);
      const p = (json ?? {}) as { code?: string; message?: { zh: string; en: string }; errors?: FieldError[] };
      if (xhr.status === 401) listeners.forEach((fn) => fn());
      reject(
        new ApiError(
          xhr.status,
          p.code ?? `http.${xhr.status}`,
          p.message ?? { zh: `上传失败（${xhr.status}）`, en: `Upload failed (${xhr.status})` },
          p.errors ?? [],
        ),
      );
    };
    xhr.send(file);
  });
}

export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
