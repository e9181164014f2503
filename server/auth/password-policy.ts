// What makes a password acceptable at sign-up. Length is what matters most (NIST SP 800-63B);
// beyond it we refuse the passwords attackers try first.
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

const COMMON = new Set([
  'password',
  'password1',
  'password12',
  'password123',
  'password1234',
  '1234567890',
  '12345678910',
  'qwertyuiop',
  'qwerty1234',
  'qwerty12345',
  'iloveyou12',
  'letmein123',
  'welcome123',
  'admin12345',
  'abc1234567',
  'passw0rd12',
  'football12',
  'baseball12',
  '1q2w3e4r5t',
  'zaq12wsxcde',
  'monkey1234',
  'dragon1234',
  'sunshine12',
  'princess12',
]);

/** Returns why `password` is too weak, or null when it is acceptable. */
export function passwordWeakness(password: string, email?: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) {
    return `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`;
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    return `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`;
  }
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'This password is too common; choose another.';
  if (new Set(lower).size < 4) return 'Password needs at least 4 different characters.';
  const local = email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) {
    return 'Password must not contain your email address.';
  }
  return null;
}
