'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { LibraryThumbs } from '@/components/library-thumbs';
import { useTRPC } from '@/lib/trpc';

/** Train a personal adapter (SVDiff by default, or LoRA) from photos in the library. */
export function TrainForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const library = useQuery(trpc.references.list.queryOptions());
  const [picked, setPicked] = useState<string[]>([]);
  const [name, setName] = useState('');
  const [instancePrompt, setPrompt] = useState('a photo of sks dog');
  const [method, setMethod] = useState<'svdiff' | 'lora'>('svdiff');
  const [steps, setSteps] = useState(500);
  const request = {
    name: name || 'x',
    imageIds: picked.length ? picked : ['00000000-0000-7000-8000-000000000000'],
    instancePrompt: instancePrompt || 'x',
    method,
    steps,
  };
  const quote = useQuery(trpc.jobs.quoteTrain.queryOptions(request));
  const train = useMutation(
    trpc.jobs.train.mutationOptions({ onSuccess: (job) => router.push(`/jobs/${job.id}`) }),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    if (train.isPending) return;
    train.mutate({ name, imageIds: picked, instancePrompt, method, steps });
  }

  return (
    <form className="card inline-form" onSubmit={submit}>
      <h2>Train an adapter from your photos</h2>
      <LibraryThumbs
        items={library.data ?? []}
        selected={picked}
        label="Choose 1 to 20 photos of the subject"
        onPick={(id) =>
          setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id].slice(0, 20)))
        }
      />
      <span className="muted small">{picked.length} of 1–20 photos chosen</span>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} />
      </label>
      <label>
        Prompt naming the subject (use a rare word like “sks”)
        <input
          value={instancePrompt}
          onChange={(e) => setPrompt(e.target.value)}
          required
          maxLength={1000}
        />
      </label>
      <label>
        Method
        <select value={method} onChange={(e) => setMethod(e.target.value as 'svdiff' | 'lora')}>
          <option value="svdiff">SVDiff spectral shifts (tiny file, resists over-fitting)</option>
          <option value="lora">LoRA</option>
        </select>
      </label>
      <label>
        Steps
        <input
          type="number"
          min={10}
          max={2000}
          value={steps}
          onChange={(e) => setSteps(Number(e.target.value))}
        />
      </label>
      <p className="price">
        {quote.data && picked.length
          ? `Costs ${quote.data.total} credits`
          : 'Choose photos to see the price'}
      </p>
      {train.error && (
        <p role="alert" className="error">
          {train.error.message}
        </p>
      )}
      <button type="submit" disabled={!picked.length || !name.trim() || train.isPending}>
        {train.isPending ? 'Submitting…' : 'Train adapter'}
      </button>
    </form>
  );
}
