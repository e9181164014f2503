// Page cursors, checked before they reach SQL. A cursor is the id of the last item of the previous
// page (`nextCursor`); it is valid only while it names an item of the same caller's same list.
// Anything else — not a UUID, too long, an id that does not exist, another user's item, an item
// deleted since — is a 422 VALIDATION_FAILED that says to start again from the first page, never a
// 500 from the database and never a silently empty page.
import './zod-openapi';
import { z } from 'zod';
import { AppError } from './errors';
import { isJobId as isUuid } from './jobs/lock';

/** The schema of a `cursor` input, for every list (REST query and tRPC input alike). */
export const pageCursor = z
  .uuid()
  .meta({ description: 'The `nextCursor` of the previous page; omit it for the first page.' });

function badCursor(): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    'cursor: not a cursor of this list (it may name an item deleted since); start again without one.',
    { issues: [{ path: 'cursor', message: 'not a cursor of this list' }] },
  );
}

/**
 * Returns the Prisma pagination arguments for `cursor`, after checking that it names an item of
 * the caller's list: `exists(id)` looks the id up with the list's own ownership filter.
 */
export async function cursorArgs(
  cursor: string | undefined,
  exists: (id: string) => Promise<unknown>,
): Promise<{ cursor: { id: string }; skip: number } | Record<string, never>> {
  if (cursor === undefined) return {};
  if (!isUuid(cursor) || !(await exists(cursor))) throw badCursor();
  return { cursor: { id: cursor }, skip: 1 };
}
