import type { SVGProps } from 'react';

/**
 * The mark: a picture frame (the reference) with a spark plugged into its corner (the adapter).
 * Decorative wherever the words "Adapter Studio" sit beside it.
 */
export function BrandMark(props: SVGProps<SVGSVGElement>) {
  return (
    <svg viewBox="0 0 32 32" width={28} height={28} aria-hidden="true" focusable="false" {...props}>
      <rect width="32" height="32" rx="8" fill="#4d4bd1" />
      <rect x="6.5" y="8" width="15" height="15" rx="3" fill="none" stroke="#fff" strokeWidth="2" />
      <path d="M9 20l3.5-4 2.5 2.5 2-2 3 3.5z" fill="#fff" opacity="0.9" />
      <circle cx="10.5" cy="12" r="1.6" fill="#fff" opacity="0.9" />
      <path
        d="M23.5 4.5l1.4 3.6 3.6 1.4-3.6 1.4-1.4 3.6-1.4-3.6-3.6-1.4 3.6-1.4z"
        fill="#ffd66b"
        stroke="#4d4bd1"
        strokeWidth="1"
      />
    </svg>
  );
}
