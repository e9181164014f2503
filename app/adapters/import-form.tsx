'use client';
import { useQueryClient } from '@tanstack/react-query';
import { FileUp, Loader2 } from 'lucide-react';
import { useId, useRef, useState, type FormEvent } from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Progress } from '@/components/ui/progress';
import { toastError } from '@/lib/error-messages';
import { useTRPC } from '@/lib/trpc';

/** The server's limit (server/adapters/inspect.ts), checked here to fail before uploading. */
const MAX_BYTES = 512 * 1024 * 1024;

/** POST /api/v1/adapters with upload progress; throws the server's explanation. */
function postAdapter(form: FormData, onProgress: (f: number) => void): Promise<{ name: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/adapters');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new Error('The upload failed; check your connection.'));
    xhr.onload = () => {
      let body: { name?: string; detail?: string } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        // not JSON: keep the status below
      }
      if (xhr.status >= 400) reject(new Error(body.detail ?? `Upload failed (${xhr.status})`));
      else resolve({ name: body.name ?? '' });
    };
    xhr.send(form);
  });
}

/** Import a LoRA (.safetensors, kohya or PEFT layout); the server inspects it before keeping it. */
export function ImportForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (progress !== null) return;
    const form = new FormData(e.currentTarget);
    const file = form.get('file');
    const rawName = form.get('name');
    const name = typeof rawName === 'string' ? rawName.trim() : '';
    if (!name) return setError('Give the adapter a name.');
    if (!(file instanceof File) || !file.size) return setError('Choose a .safetensors file.');
    if (!file.name.toLowerCase().endsWith('.safetensors'))
      return setError('Only .safetensors files can be imported (pickled .ckpt/.pt files cannot).');
    if (file.size > MAX_BYTES) return setError('Adapter files must be at most 512 MB.');
    form.set('name', name);
    setError(null);
    setProgress(0);
    try {
      const added = await postAdapter(form, setProgress);
      formRef.current?.reset();
      await queryClient.invalidateQueries(trpc.adapters.list.queryFilter());
      toast.success(`Added “${added.name || name}”`, {
        description: 'Use it in Generate, or keep it for later.',
      });
    } catch (err) {
      setError(toastError(err, { title: 'Could not import the LoRA' }).message);
    } finally {
      setProgress(null);
    }
  }

  const busy = progress !== null;
  return (
    <Card>
      <CardHeader>
        <CardTitle asChild>
          <h2 className="text-lg">Bring a LoRA</h2>
        </CardTitle>
        <CardDescription>
          A .safetensors file in kohya or PEFT layout, made for SD 1.5 or SDXL (read from the file).
          It is checked before it is kept; an SD 1.5 one also steers SDXL through X-Adapter.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form
          ref={formRef}
          onSubmit={(e) => void submit(e)}
          noValidate
          className="grid gap-5"
          aria-label="Import a LoRA file"
        >
          <div className="grid gap-2">
            <Label htmlFor={`${id}-name`}>Name</Label>
            <Input id={`${id}-name`} name="name" maxLength={80} placeholder="Watercolor style" />
          </div>
          <div className="grid gap-2">
            <Label htmlFor={`${id}-file`}>LoRA file (.safetensors)</Label>
            <Input
              id={`${id}-file`}
              name="file"
              type="file"
              accept=".safetensors"
              className="h-auto py-1.5 file:mr-3 file:h-7 file:cursor-pointer file:rounded-md file:bg-secondary file:px-3"
              aria-invalid={Boolean(error) || undefined}
              aria-describedby={error ? `${id}-error` : undefined}
            />
          </div>
          {error && (
            <p id={`${id}-error`} role="alert" className="text-sm text-destructive">
              {error}
            </p>
          )}
          {busy && (
            <Progress
              value={Math.round((progress ?? 0) * 100)}
              aria-label="Uploading the LoRA file"
            />
          )}
          <div>
            <Button type="submit" variant="outline" disabled={busy}>
              {busy ? (
                <Loader2 className="animate-spin" aria-hidden="true" />
              ) : (
                <FileUp aria-hidden="true" />
              )}
              {busy
                ? (progress ?? 0) >= 1
                  ? 'Checking the file…'
                  : `Uploading ${Math.round((progress ?? 0) * 100)}%`
                : 'Import LoRA'}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
