'use client';
import { useEffect, useState } from 'react';

/** `value`, once it has stopped changing for `ms` (slider drags ask the server once, not 40 times). */
export function useDebouncedValue<T>(value: T, ms = 250): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return debounced;
}
