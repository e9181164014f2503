/**
 * Bytes for people, in binary units written KB/MB/GB as most file browsers do (1 GB = 1024³
 * bytes): one decimal below 10, none above ("1.5 MB", "120 MB", "1 GB").
 */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  if (u === 0) return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  const shown = v < 10 ? Math.round(v * 10) / 10 : Math.round(v);
  return `${shown} ${units[u]}`;
}
