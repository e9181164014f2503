import { requireUser } from '@/lib/require-user';
import { EditForm } from './edit-form';

export const metadata = { title: 'Edit a photo with words · Adapter Studio' };

export default async function EditPage() {
  await requireUser();
  return <EditForm />;
}
