// Library uploads: hostile and broken files are refused with a clear error and leave nothing
// behind; good ones are normalised (orientation applied, metadata stripped) and deduplicated.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { POST as uploadReference } from '@/app/api/v1/references/route';
import { db } from '@/server/db';
import { createGenerateJob } from '@/server/jobs/create';
import { deleteLibraryImage } from '@/server/references/library';
import { photoJpeg, photoPng, pngBomb, webpHugeHeader, zipArchive } from '../helpers/hostile-files';
import { sessionHeaders } from '../helpers/app';
import { makeUser } from '../helpers/users';

let user: { id: string; cookie: string };

beforeAll(async () => {
  user = await makeUser();
});

/** The library's upload route (REST v1, which the app's own pages call with their session). */
const uploadRoute = (req: Request) => uploadReference(req, undefined);

function upload(
  bytes: Buffer | string,
  name = 'image.png',
  type = 'image/png',
  cookie = user.cookie,
) {
  const form = new FormData();
  form.set(
    'file',
    new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)], { type }),
    name,
  );
  return uploadRoute(
    new Request('http://localhost:3000/api/v1/references', {
      method: 'POST',
      headers: sessionHeaders(cookie),
      body: form,
    }),
  );
}

function storedFiles(userId: string): string[] {
  const dir = path.join(process.env.STORAGE_DIR!, 'users', userId);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name);
}

const hostile: [
  string,
  () => Promise<Buffer | string> | Buffer | string,
  number,
  RegExp,
  string?,
  string?,
][] = [
  ['zero bytes', () => Buffer.alloc(0), 422, /empty/i],
  [
    'truncated PNG',
    async () => (await photoPng()).subarray(0, 300),
    422,
    /truncated|corrupt|readable/i,
  ],
  [
    'truncated JPEG',
    async () => (await photoJpeg()).subarray(0, 400),
    422,
    /truncated|corrupt|readable/i,
  ],
  [
    'JPEG header only',
    () => Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]),
    422,
    /readable|corrupt/i,
    'x.jpg',
    'image/jpeg',
  ],
  [
    'PNG with corrupted pixel data',
    async () => {
      const b = Buffer.from(await photoPng());
      b.fill(0x41, 60, 200);
      return b;
    },
    422,
    /corrupt|readable|decoded/i,
  ],
  ['30 000 × 30 000 PNG bomb', () => pngBomb(30_000, 30_000), 413, /megapixels/i],
  [
    'huge-dimension WebP header',
    () => webpHugeHeader(),
    413,
    /megapixels/i,
    'x.webp',
    'image/webp',
  ],
  [
    'SVG with script',
    () => '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    415,
    /JPEG, PNG and WebP/,
    'x.svg',
    'image/svg+xml',
  ],
  [
    'SVG renamed .png',
    () => '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"/>',
    415,
    /JPEG, PNG and WebP/,
  ],
  [
    'HTML renamed .png',
    () => '<!doctype html><html><body><script>fetch("/")</script></body></html>',
    415,
    /JPEG, PNG and WebP/,
  ],
  [
    'PNG with a ZIP appended (polyglot)',
    async () => Buffer.concat([await photoPng(), zipArchive()]),
    415,
    /polyglot/i,
  ],
  [
    'JPEG with a ZIP appended (polyglot)',
    async () => Buffer.concat([await photoJpeg(), zipArchive()]),
    415,
    /polyglot/i,
    'x.jpg',
    'image/jpeg',
  ],
  [
    'PNG with HTML appended',
    async () => Buffer.concat([await photoPng(), Buffer.from('<html><script>x</script></html>')]),
    415,
    /polyglot/i,
  ],
  [
    '25 MB file',
    () => Buffer.concat([PNG_HEAD, Buffer.alloc(25 * 1024 * 1024)]),
    413,
    /at most 20 MB/i,
  ],
  ['text file', () => 'just some words\n', 415, /JPEG, PNG and WebP/, 'notes.txt', 'text/plain'],
  [
    'GIF',
    () => Buffer.from('474946383961010001000000002c00000000010001000002024401003b', 'hex'),
    415,
    /JPEG, PNG and WebP/,
    'x.gif',
    'image/gif',
  ],
  [
    'BMP',
    () => Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]),
    415,
    /JPEG, PNG and WebP/,
    'x.bmp',
    'image/bmp',
  ],
  [
    'PDF renamed .jpg',
    () => '%PDF-1.7\n1 0 obj\n<<>>\nendobj\n',
    415,
    /JPEG, PNG and WebP/,
    'x.jpg',
    'image/jpeg',
  ],
  ['too small (16×16)', async () => photoPng(16, 16), 422, /at least 64/i],
  ['PNG with zero width in its header', () => pngBomb(0, 64), 422, /readable|corrupt|megapixels/i],
];
const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('hostile and broken uploads are refused, nothing stored', () => {
  it.each(hostile)('%s', async (_label, make, status, message, name, type) => {
    const res = await upload(await make(), name, type);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as { detail: string };
    expect(body.detail).toMatch(message);
    expect(await db().referenceImage.count({ where: { userId: user.id } })).toBe(0);
    expect(storedFiles(user.id)).toEqual([]);
  });

  it('refuses a request without a file, without a session, or not multipart', async () => {
    const noFile = await uploadRoute(
      new Request('http://x/api/v1/references', {
        method: 'POST',
        headers: sessionHeaders(user.cookie),
        body: new FormData(),
      }),
    );
    expect(noFile.status).toBe(422);
    expect((await upload(await photoPng(), 'a.png', 'image/png', '')).status).toBe(401);
    const json = await uploadRoute(
      new Request('http://x/api/v1/references', {
        method: 'POST',
        headers: sessionHeaders(user.cookie, { 'content-type': 'application/json' }),
        body: '{"file":"x"}',
      }),
    );
    expect(json.status).toBe(415); // a cookie caller's body must be the route's multipart
    expect(await db().referenceImage.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe('good uploads', () => {
  it('decides by content: a JPEG named .png is accepted and stored as a normalised PNG', async () => {
    const u = await makeUser();
    const res = await upload(await photoJpeg(), 'really-a-jpeg.png', 'image/png', u.cookie);
    expect(res.status).toBe(201);
    const row = await db().referenceImage.findFirstOrThrow({ where: { userId: u.id } });
    const stored = fs.readFileSync(path.join(process.env.STORAGE_DIR!, row.originalKey));
    expect((await sharp(stored).metadata()).format).toBe('png');
    expect(fs.existsSync(path.join(process.env.STORAGE_DIR!, row.thumbnailKey))).toBe(true);
  });

  it('applies EXIF orientation and strips all metadata, GPS included', async () => {
    const u = await makeUser();
    const withGps = await sharp(await photoPng(200, 100))
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExifMerge({
        IFD0: { Make: 'Spycam' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '48/1 51/1 30/1',
          GPSLongitudeRef: 'E',
          GPSLongitude: '2/1 17/1 40/1',
        },
      })
      .toBuffer();
    expect(withGps.includes(Buffer.from('Spycam'))).toBe(true);
    const before = await sharp(withGps).metadata();
    expect(before.exif).toBeDefined();
    expect(before.orientation).toBe(6);
    const res = await upload(withGps, 'trip.jpg', 'image/jpeg', u.cookie);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { width: number; height: number };
    expect([body.width, body.height]).toEqual([100, 200]); // rotated upright
    const row = await db().referenceImage.findFirstOrThrow({ where: { userId: u.id } });
    const stored = fs.readFileSync(path.join(process.env.STORAGE_DIR!, row.originalKey));
    const after = await sharp(stored).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    expect(stored.includes(Buffer.from('Spycam'))).toBe(false);
  });

  it('deduplicates per user by content, and delete removes every stored object', async () => {
    const u = await makeUser();
    const png = await photoPng(300, 300);
    const first = await upload(png, 'a.png', 'image/png', u.cookie);
    const second = await upload(png, 'b.png', 'image/png', u.cookie);
    expect([first.status, second.status]).toEqual([201, 200]);
    const { id } = (await second.json()) as { id: string };
    expect(await db().referenceImage.count({ where: { userId: u.id } })).toBe(1);
    const stored = storedFiles(u.id);
    expect(stored.some((f) => f.endsWith('.meta.json'))).toBe(true); // sidecars count as stored
    expect(stored.some((f) => !f.endsWith('.meta.json'))).toBe(true);
    await deleteLibraryImage(u.id, id);
    expect(await db().referenceImage.count({ where: { userId: u.id } })).toBe(0);
    expect(storedFiles(u.id)).toEqual([]); // images, thumbnails and their .meta.json sidecars
    expect((await db().user.findUniqueOrThrow({ where: { id: u.id } })).storageUsedBytes).toBe(0n);
  });

  it("another user's reference id in a job is not found, and nothing is held", async () => {
    const owner = await makeUser();
    const res = await upload(await photoPng(), 'mine.png', 'image/png', owner.cookie);
    const { id } = (await res.json()) as { id: string };
    const thief = await makeUser();
    await expect(
      createGenerateJob(thief.id, { prompt: 'x', references: [{ referenceId: id }] }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(deleteLibraryImage(thief.id, id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const t = await db().user.findUniqueOrThrow({ where: { id: thief.id } });
    expect([t.creditBalance, t.creditHeld]).toEqual([50, 0]);
  });
});
