import { Suspense } from 'react';
import { requireUser } from '@/lib/require-user';
import { EditForm } from './edit-form';

export const metadata = { title: 'Edit a photo with words · Adapter Studio' };

export default async function EditPage() {
  await requireUser();
  // The form reads ?image=, ?remix= and ?job= from the address.
  return (
    <Suspense
      fallback={
        <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">
          Edit a photo with words
        </h1>
      }
    >
      <EditForm />
    </Suspense>
  );
}
