'use client';
import { useRef } from 'react';

/**
 * Keeps keyboard focus somewhere sensible when a list item deletes itself: the neighbouring
 * item's first control, else the page's main region (never the document body). Put `itemRef`
 * on the item, call `prepare()` just before removing it, and pass `onCloseAutoFocus` to the
 * confirming dialog's content.
 */
export function useFocusAfterRemoval<T extends HTMLElement>() {
  const itemRef = useRef<T>(null);
  const target = useRef<HTMLElement | null>(null);
  const armed = useRef(false);

  function prepare() {
    const el = itemRef.current;
    const neighbour = (el?.nextElementSibling ?? el?.previousElementSibling) as HTMLElement | null;
    target.current =
      neighbour?.querySelector<HTMLElement>('a[href], button:not([disabled])') ?? null;
    armed.current = true;
  }

  function onCloseAutoFocus(e: Event) {
    if (!armed.current) return;
    armed.current = false;
    e.preventDefault();
    const next = target.current?.isConnected ? target.current : document.getElementById('main');
    next?.focus();
    target.current = null;
  }

  return { itemRef, prepare, onCloseAutoFocus };
}
