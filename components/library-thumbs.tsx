'use client';

/** A row of library thumbnails that toggle; `selected` holds the chosen ids. */
export function LibraryThumbs({
  items,
  selected,
  onPick,
  label,
}: {
  items: { id: string; thumbnailUrl: string }[];
  selected: string[];
  onPick: (id: string, index: number) => void;
  label: string;
}) {
  return (
    <div className="thumbs" role="group" aria-label={label}>
      {items.map((img, i) => (
        <button
          key={img.id}
          type="button"
          className={`thumb${selected.includes(img.id) ? ' selected' : ''}`}
          aria-pressed={selected.includes(img.id)}
          aria-label={`Library image ${i + 1}`}
          onClick={() => onPick(img.id, i)}
        >
          <img src={img.thumbnailUrl} alt="" width={48} height={48} />
        </button>
      ))}
    </div>
  );
}
