import { ImageOff } from 'lucide-react';

export interface LibraryEntry {
  thumbnailUrl: string;
  width: number;
  height: number;
}

/** A library image as a fixed-size square: the box is sized before the picture loads. */
export function Thumb({ entry, size = 64 }: { entry: LibraryEntry | undefined; size?: number }) {
  return (
    <span
      className="flex shrink-0 items-center justify-center overflow-hidden rounded-md border bg-muted"
      style={{ width: size, height: size }}
    >
      {entry ? (
        <img
          src={entry.thumbnailUrl}
          alt=""
          width={entry.width}
          height={entry.height}
          className="size-full object-cover"
        />
      ) : (
        <ImageOff className="size-5 text-muted-foreground" aria-hidden="true" />
      )}
    </span>
  );
}
