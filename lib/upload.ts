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
  const res = await fetch('/api/references', { method: 'POST', body: form });
  const body = (await res.json()) as UploadedImage & { detail?: string };
  if (!res.ok) throw new Error(body.detail ?? `Upload failed (${res.status})`);
  return body;
}
