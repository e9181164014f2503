'use client';
import { ChevronsLeftRight } from 'lucide-react';
import {
  useCallback,
  useRef,
  useState,
  type KeyboardEvent,
  type PointerEvent as ReactPointerEvent,
} from 'react';
import { cn } from '@/lib/utils';

export interface CompareImage {
  src: string;
  alt: string;
}

const clamp = (v: number) => Math.min(100, Math.max(0, v));

/**
 * Before/after comparison: the "before" picture is laid over the "after" one and cut at the
 * handle. The handle is an ARIA slider (arrows ±5, Page Up/Down ±20, Home/End); dragging works
 * with a mouse, a pen or a finger anywhere on the picture, and vertical swipes still scroll the
 * page on phones. `width`/`height` fix the box's shape before either picture loads.
 */
export function CompareSlider({
  before,
  after,
  width,
  height,
  label = 'Compare before and after',
  beforeLabel = 'Before',
  afterLabel = 'After',
  defaultValue = 50,
  className,
}: {
  before: CompareImage;
  after: CompareImage;
  width: number;
  height: number;
  label?: string;
  beforeLabel?: string;
  afterLabel?: string;
  defaultValue?: number;
  className?: string;
}) {
  const [value, setValue] = useState(clamp(defaultValue));
  const boxRef = useRef<HTMLDivElement>(null);
  const handleRef = useRef<HTMLDivElement>(null);
  const dragging = useRef(false);

  const moveTo = useCallback((clientX: number) => {
    const box = boxRef.current?.getBoundingClientRect();
    if (!box || box.width === 0) return;
    setValue(Math.round(clamp(((clientX - box.left) / box.width) * 100)));
  }, []);

  function onPointerDown(e: ReactPointerEvent<HTMLDivElement>) {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    dragging.current = true;
    e.currentTarget.setPointerCapture(e.pointerId);
    handleRef.current?.focus({ preventScroll: true });
    moveTo(e.clientX);
  }

  function onPointerMove(e: ReactPointerEvent<HTMLDivElement>) {
    if (dragging.current) moveTo(e.clientX);
  }

  function onPointerEnd(e: ReactPointerEvent<HTMLDivElement>) {
    dragging.current = false;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) {
      e.currentTarget.releasePointerCapture(e.pointerId);
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const steps: Record<string, number> = {
      ArrowLeft: -5,
      ArrowDown: -5,
      ArrowRight: 5,
      ArrowUp: 5,
      PageDown: -20,
      PageUp: 20,
    };
    let next: number | null = null;
    if (e.key in steps) next = value + (steps[e.key] ?? 0);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = 100;
    if (next === null) return;
    e.preventDefault();
    setValue(clamp(next));
  }

  return (
    <div
      ref={boxRef}
      data-slot="compare-slider"
      className={cn(
        'relative isolate w-full touch-pan-y overflow-hidden rounded-lg border bg-muted select-none',
        className,
      )}
      style={{ aspectRatio: `${width} / ${height}` }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerEnd}
      onPointerCancel={onPointerEnd}
    >
      <img
        src={after.src}
        alt={after.alt}
        width={width}
        height={height}
        draggable={false}
        className="absolute inset-0 size-full object-cover"
      />
      <img
        src={before.src}
        alt={before.alt}
        width={width}
        height={height}
        draggable={false}
        className="absolute inset-0 size-full object-cover"
        style={{ clipPath: `inset(0 ${100 - value}% 0 0)` }}
      />
      <span
        aria-hidden="true"
        className="absolute top-2 left-2 rounded-md bg-black/70 px-2 py-0.5 text-xs font-medium text-white"
      >
        {beforeLabel}
      </span>
      <span
        aria-hidden="true"
        className="absolute top-2 right-2 rounded-md bg-black/70 px-2 py-0.5 text-xs font-medium text-white"
      >
        {afterLabel}
      </span>
      <div
        aria-hidden="true"
        className="pointer-events-none absolute inset-y-0 w-0.5 -translate-x-1/2 bg-white shadow-[0_0_0_1px_rgb(0_0_0/0.3)]"
        style={{ left: `${value}%` }}
      />
      <div
        ref={handleRef}
        role="slider"
        tabIndex={0}
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
        aria-valuetext={`${value}% ${beforeLabel.toLowerCase()}, ${100 - value}% ${afterLabel.toLowerCase()}`}
        aria-orientation="horizontal"
        onKeyDown={onKeyDown}
        className="absolute top-1/2 flex size-11 -translate-x-1/2 -translate-y-1/2 cursor-ew-resize items-center justify-center rounded-full border-2 border-white bg-primary text-primary-foreground shadow-lg focus-visible:outline-offset-4"
        style={{ left: `${value}%` }}
      >
        <ChevronsLeftRight className="size-5" aria-hidden="true" />
      </div>
    </div>
  );
}
