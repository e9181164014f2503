'use client';
import dynamic from 'next/dynamic';

// Toasts only follow something a person did, so the toaster can arrive after the page is
// interactive; sonner replays any toast raised before it subscribed.
export const LazyToaster = dynamic(() => import('@/components/ui/sonner').then((m) => m.Toaster), {
  ssr: false,
});
