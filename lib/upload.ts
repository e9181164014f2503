'use client';

export interface UploadedImage {
  id: string;
  width: number;
  height: number;
}

/** Uploads an image into the user's library; throws with the server's explanation. */
export async function uploadLibraryImage(file: File): Promise<UploadedImage> {
  const form = new FormData();
  form.set('file', file);
  const res = await fetch('/api/v1/references', { method: 'POST', body: form });
  const body = (await res.json()) as UploadedImage & { detail?: string };
  if (!res.ok) throw new Error(body.detail ?? `Upload failed (${res.status})`);
  return body;
}

/** Same as uploadLibraryImage, reporting upload progress (0–1) as the bytes go out. */
export function uploadWithProgress(
  file: File,
  onProgress: (fraction: number) => void,
): Promise<UploadedImage> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/references');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new Error('The upload failed; check your connection.'));
    xhr.onload = () => {
      let body: UploadedImage & { detail?: string };
      try {
        body = JSON.parse(xhr.responseText) as UploadedImage & { detail?: string };
      } catch {
        return reject(new Error(`Upload failed (${xhr.status})`));
      }
      if (xhr.status >= 400) reject(new Error(body.detail ?? `Upload failed (${xhr.status})`));
      else resolve(body);
    };
    const form = new FormData();
    form.set('file', file);
    xhr.send(form);
  });
}
