'use client';
import { LogOut } from 'lucide-react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { RefObject } from 'react';
import { Button } from '@/components/ui/button';
import { Separator } from '@/components/ui/separator';
import {
  Sheet,
  SheetContent,
  SheetDescription,
  SheetHeader,
  SheetTitle,
} from '@/components/ui/sheet';
import { cn } from '@/lib/utils';
import { ACCOUNT_NAV, STUDIO_NAV, type NavItem } from './nav-items';
import { isActive } from './nav-links';
import { signOutAndLeave } from './sign-out';

/** The phone menu's sheet, loaded on the first tap (see mobile-nav.tsx). */
export function MobileSheet({
  signedIn,
  open,
  setOpen,
  returnFocus,
}: {
  signedIn: boolean;
  open: boolean;
  setOpen: (open: boolean) => void;
  /** The menu button: focus goes back to it on close (it is not a Radix trigger). */
  returnFocus: RefObject<HTMLButtonElement | null>;
}) {
  const pathname = usePathname();

  const link = (item: NavItem) => {
    const active = isActive(pathname, item.href);
    return (
      <li key={item.href}>
        <Link
          href={item.href}
          onClick={() => setOpen(false)}
          aria-current={active ? 'page' : undefined}
          className={cn(
            'flex h-11 items-center gap-3 rounded-md px-3 text-base font-medium hover:bg-accent hover:text-accent-foreground',
            active && 'bg-accent text-accent-foreground',
          )}
        >
          <item.icon className="size-5 text-muted-foreground" aria-hidden="true" />
          {item.label}
        </Link>
      </li>
    );
  };

  return (
    <Sheet open={open} onOpenChange={setOpen}>
      <SheetContent
        side="right"
        className="gap-0"
        onCloseAutoFocus={(e) => {
          e.preventDefault();
          returnFocus.current?.focus();
        }}
      >
        <SheetHeader>
          <SheetTitle>Menu</SheetTitle>
          <SheetDescription className="sr-only">Go to another page</SheetDescription>
        </SheetHeader>
        <nav aria-label="Mobile" className="grid gap-2 px-2 pb-6">
          {signedIn ? (
            <>
              <ul className="grid gap-1">{STUDIO_NAV.map(link)}</ul>
              <Separator className="my-2" />
              <ul className="grid gap-1">
                {ACCOUNT_NAV.map(link)}
                {link({ href: '/pricing', label: 'Pricing', icon: ACCOUNT_NAV[1]!.icon })}
              </ul>
              <Separator className="my-2" />
              <Button
                variant="ghost"
                className="h-11 justify-start gap-3 px-3 text-base"
                onClick={() => void signOutAndLeave()}
              >
                <LogOut className="size-5 text-muted-foreground" aria-hidden="true" />
                Sign out
              </Button>
            </>
          ) : (
            <>
              <ul className="grid gap-1">
                {link({ href: '/pricing', label: 'Pricing', icon: ACCOUNT_NAV[1]!.icon })}
                {link({ href: '/sign-in', label: 'Sign in', icon: ACCOUNT_NAV[0]!.icon })}
              </ul>
              <Button asChild size="lg" className="mt-2">
                <Link href="/sign-up" onClick={() => setOpen(false)}>
                  Sign up free
                </Link>
              </Button>
            </>
          )}
        </nav>
      </SheetContent>
    </Sheet>
  );
}
