'use client';
import dynamic from 'next/dynamic';

/**
 * The account menu (Radix DropdownMenu and its positioning code) in its own chunk: only pages
 * seen signed in load it. It is still rendered on the server, so nothing moves when it arrives.
 */
export const UserMenu = dynamic(() => import('./user-menu').then((m) => m.UserMenu));
