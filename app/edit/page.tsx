import { Suspense } from 'react';
import { requireUser } from '@/lib/require-user';
import { EditForm } from './edit-form';
import { EditPageSkeleton } from './edit-skeleton';

export const metadata = { title: 'Edit a photo with words · Adapter Studio' };

export default async function EditPage() {
  await requireUser();
  // The form reads ?image=, ?remix= and ?job= from the address.
  return (
    <Suspense fallback={<EditPageSkeleton />}>
      <EditForm />
    </Suspense>
  );
}
