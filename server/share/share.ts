// Public share links for job outputs: opt-in per output, revocable, at an unguessable slug.
// Revoking clears the slug for good; sharing again mints a new one, so an old link never
// comes back to life. Another user's output reads exactly like a missing one (NOT_FOUND).
import { randomBytes } from 'node:crypto';
import { db } from '../db';
import { env } from '../env';
import { AppError } from '../errors';
import { isJobId as isUuid } from '../jobs/lock';
import { storage } from '../storage';

/** 16 random bytes = 128 bits, base64url without padding: always 22 characters. */
const SLUG_BYTES = 16;
const SLUG = /^[A-Za-z0-9_-]{22}$/;

export interface ShareState {
  outputId: string;
  /** Null when the output is not shared. */
  slug: string | null;
  /** The public page's absolute URL (from APP_URL), or null. */
  url: string | null;
  sharedAt: Date | null;
}

/** What the public may see of a shared output: the picture and its prompt, nothing else. */
export interface SharedOutput {
  slug: string;
  prompt: string;
  width: number;
  height: number;
  contentType: string;
  sharedAt: Date;
}

export function newShareSlug(): string {
  return randomBytes(SLUG_BYTES).toString('base64url');
}

export function isShareSlug(slug: string): boolean {
  return SLUG.test(slug);
}

/** Absolute URLs of a share: the page, the image itself and its OpenGraph card. */
export function shareUrls(slug: string) {
  const page = `${env().APP_URL.replace(/\/$/, '')}/s/${slug}`;
  return { page, image: `${page}/image`, ogImage: `${page}/og` };
}

function state(outputId: string, slug: string | null, sharedAt: Date | null): ShareState {
  return { outputId, slug, url: slug ? shareUrls(slug).page : null, sharedAt };
}

const notFound = () => new AppError('NOT_FOUND', 'No such output.');

/** Makes one of the caller's outputs public. Sharing a shared output returns its current link. */
export async function shareOutput(userId: string, outputId: string): Promise<ShareState> {
  if (!isUuid(outputId)) throw notFound();
  const where = { id: outputId, userId };
  const current = await db().jobOutput.findFirst({
    where,
    select: { shareSlug: true, sharedAt: true },
  });
  if (!current) throw notFound();
  if (current.shareSlug) return state(outputId, current.shareSlug, current.sharedAt);
  const slug = newShareSlug();
  const sharedAt = new Date();
  // Conditional on "not shared": of two concurrent shares one writes, both return its slug.
  const { count } = await db().jobOutput.updateMany({
    where: { ...where, shareSlug: null },
    data: { shareSlug: slug, sharedAt },
  });
  if (count === 1) return state(outputId, slug, sharedAt);
  const winner = await db().jobOutput.findFirst({
    where,
    select: { shareSlug: true, sharedAt: true },
  });
  if (!winner) throw notFound();
  return state(outputId, winner.shareSlug, winner.sharedAt);
}

/** Makes an output private again; its page, image and card answer 404 from now on. */
export async function unshareOutput(userId: string, outputId: string): Promise<ShareState> {
  if (!isUuid(outputId)) throw notFound();
  const { count } = await db().jobOutput.updateMany({
    where: { id: outputId, userId },
    data: { shareSlug: null, sharedAt: null },
  });
  if (count === 0) throw notFound();
  return state(outputId, null, null);
}

const nothingShared = () => new AppError('NOT_FOUND', 'Nothing is shared at this address.');

async function sharedRow(slug: string) {
  if (!isShareSlug(slug)) throw nothingShared();
  const row = await db().jobOutput.findUnique({
    where: { shareSlug: slug },
    include: { job: { select: { params: true } } },
  });
  if (!row?.sharedAt) throw nothingShared();
  return { ...row, sharedAt: row.sharedAt };
}

/** The public view of a share, for anyone, signed in or not. */
export async function findSharedOutput(slug: string): Promise<SharedOutput> {
  const row = await sharedRow(slug);
  return {
    slug,
    prompt: promptOf(row.job.params),
    width: row.width,
    height: row.height,
    contentType: row.contentType,
    sharedAt: row.sharedAt,
  };
}

/** The shared picture's bytes, read from storage only while the share stands. */
export async function readSharedImage(
  slug: string,
): Promise<SharedOutput & { outputId: string; body: Buffer }> {
  const row = await sharedRow(slug);
  const body = await storage().get(row.storageKey);
  if (!body) throw nothingShared();
  return {
    slug,
    outputId: row.id,
    prompt: promptOf(row.job.params),
    width: row.width,
    height: row.height,
    contentType: row.contentType,
    sharedAt: row.sharedAt,
    body,
  };
}

function promptOf(params: unknown): string {
  const r = (params as { request?: { prompt?: unknown; targetPrompt?: unknown } } | null)?.request;
  const p = r?.prompt ?? r?.targetPrompt;
  return typeof p === 'string' ? p.trim() : '';
}
