import {
  BookImage,
  Boxes,
  CreditCard,
  Images,
  KeyRound,
  type LucideIcon,
  Sparkles,
  UserRound,
  Wand2,
} from 'lucide-react';

export interface NavItem {
  href: string;
  label: string;
  icon: LucideIcon;
}

/** The studio: where signed-in people make things. */
export const STUDIO_NAV: NavItem[] = [
  { href: '/generate', label: 'Generate', icon: Sparkles },
  { href: '/edit', label: 'Edit', icon: Wand2 },
  { href: '/library', label: 'Library', icon: BookImage },
  { href: '/adapters', label: 'Adapters', icon: Boxes },
  { href: '/gallery', label: 'Gallery', icon: Images },
];

/** The account: money, keys and settings. */
export const ACCOUNT_NAV: NavItem[] = [
  { href: '/dashboard', label: 'Account', icon: UserRound },
  { href: '/billing', label: 'Credits and billing', icon: CreditCard },
  { href: '/developers', label: 'API keys', icon: KeyRound },
];
