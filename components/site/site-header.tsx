import Link from 'next/link';
import { Button } from '@/components/ui/button';
import { BrandMark } from './brand-mark';
import { HeaderCredits } from './header-credits';
import { MobileNav } from './mobile-nav';
import { NavLinks } from './nav-links';
import { STUDIO_NAV } from './nav-items';
import { UserMenu } from './user-menu-lazy';

export interface HeaderUser {
  name: string;
  email: string;
}

/** The site's header: the mark, the studio's pages, the balance and the account menu. */
export function SiteHeader({ user }: { user: HeaderUser | null }) {
  return (
    <header className="sticky top-0 z-40 border-b bg-background/95 backdrop-blur supports-[backdrop-filter]:bg-background/80">
      <div className="mx-auto flex h-16 w-full max-w-6xl items-center gap-3 px-4 sm:px-6">
        <Link
          href="/"
          className="-ml-1 flex shrink-0 items-center gap-2 rounded-md px-1 py-1 font-semibold tracking-tight"
        >
          <BrandMark />
          <span>Adapter Studio</span>
        </Link>
        {user && (
          <nav aria-label="Main" className="ml-4 hidden md:block">
            <NavLinks items={STUDIO_NAV.map(({ href, label }) => ({ href, label }))} />
          </nav>
        )}
        <div className="ml-auto flex items-center gap-2">
          {user ? (
            <>
              <HeaderCredits />
              <div className="hidden md:block">
                <UserMenu name={user.name} email={user.email} />
              </div>
            </>
          ) : (
            <>
              <nav aria-label="Main" className="hidden md:block">
                <NavLinks
                  items={[
                    { href: '/pricing', label: 'Pricing' },
                    { href: '/sign-in', label: 'Sign in' },
                  ]}
                />
              </nav>
              <Button asChild size="sm" className="h-9">
                <Link href="/sign-up">Sign up</Link>
              </Button>
            </>
          )}
          <MobileNav signedIn={Boolean(user)} />
        </div>
      </div>
    </header>
  );
}
