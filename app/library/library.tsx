'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type DragEvent } from 'react';
import { useTRPC } from '@/lib/trpc';
import { uploadWithProgress } from '@/lib/upload';

interface Pending {
  name: string;
  progress: number;
  error?: string;
}

export function Library() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const images = useQuery(trpc.references.list.queryOptions());
  const remove = useMutation(
    trpc.references.remove.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.references.list.queryKey() }),
    }),
  );
  const [pending, setPending] = useState<Pending[]>([]);
  const [dragging, setDragging] = useState(false);

  async function add(files: FileList | File[]) {
    for (const file of Array.from(files)) {
      setPending((p) => [...p, { name: file.name, progress: 0 }]);
      const update = (patch: Partial<Pending>) =>
        setPending((p) => p.map((x) => (x.name === file.name ? { ...x, ...patch } : x)));
      try {
        await uploadWithProgress(file, (progress) => update({ progress }));
        setPending((p) => p.filter((x) => x.name !== file.name));
        await queryClient.invalidateQueries({ queryKey: trpc.references.list.queryKey() });
      } catch (e) {
        update({ error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    void add(e.dataTransfer.files);
  }

  return (
    <section>
      <h1>Library</h1>
      <p className="muted">
        Pictures to steer with: use one as a reference (its look) or as a control (its layout).
      </p>
      <label
        className={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <span>Drop JPEG, PNG or WebP images here, or choose files</span>
        <input
          type="file"
          multiple
          accept="image/png,image/jpeg,image/webp"
          onChange={(e) => e.target.files && void add(e.target.files)}
          aria-label="Add images to your library"
        />
      </label>
      {pending.map((p) => (
        <div key={p.name} className="pending">
          <span>{p.name}</span>{' '}
          {p.error ? (
            <span role="alert" className="error">
              {p.error}{' '}
              <button
                type="button"
                className="link"
                onClick={() => setPending((x) => x.filter((y) => y.name !== p.name))}
              >
                dismiss
              </button>
            </span>
          ) : (
            <progress max={1} value={p.progress} aria-label={`Uploading ${p.name}`} />
          )}
        </div>
      ))}
      {images.isPending && <p className="muted">Loading…</p>}
      {images.data?.length === 0 && pending.length === 0 && (
        <p className="muted">Your library is empty. Add a few pictures to start.</p>
      )}
      <ul className="grid library">
        {images.data?.map((img) => (
          <li key={img.id} className="tile card-tile">
            <img
              src={img.thumbnailUrl}
              alt=""
              width={img.width}
              height={img.height}
              loading="lazy"
            />
            <div className="actions">
              <Link href={`/generate?reference=${img.id}`}>Use as reference</Link>
              <Link href={`/generate?control=${img.id}`}>Use as control</Link>
              <button
                type="button"
                className="link"
                onClick={() => remove.mutate({ id: img.id })}
                disabled={remove.isPending}
              >
                Delete
              </button>
            </div>
            <span className="muted small">
              {img.width}×{img.height}
              {img.hasEmbedding ? ' · embedding ready' : ''}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
