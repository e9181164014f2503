import { PageHeader } from '@/components/page-header';
import { Skeleton } from '@/components/ui/skeleton';

export const EDIT_TITLE = 'Edit a photo with words';
export const EDIT_DESCRIPTION =
  'Say what your photo shows, then change the sentence: “a dog sitting” becomes “a dog lying down”. CoSINE learns the photo first, so everything else stays.';

/** The page's shape before the form has read the address (?image=, ?remix=, ?job=). */
export function EditPageSkeleton() {
  return (
    <div>
      <PageHeader title={EDIT_TITLE} description={EDIT_DESCRIPTION} />
      <div className="grid items-start gap-8 lg:grid-cols-[minmax(0,1fr)_minmax(0,26rem)]">
        <div className="grid gap-6">
          <Skeleton className="h-72 w-full rounded-xl" />
          <Skeleton className="h-80 w-full rounded-xl" />
        </div>
        <Skeleton className="aspect-square w-full rounded-xl" />
      </div>
    </div>
  );
}
