// The sign-in and sign-up form checks. Sign-up applies the server's own password policy
// (server/auth/password-policy.ts, the rule better-auth's hook enforces).
import { z } from 'zod';
import { passwordWeakness } from '@/server/auth/password-policy';

const email = z.email('Enter an email address like you@example.com');

export const signUpSchema = z
  .object({
    name: z.string().trim().min(1, 'Tell us what to call you').max(100),
    email,
    password: z.string(),
  })
  .superRefine((v, ctx) => {
    const weak = passwordWeakness(v.password, v.email);
    if (weak) ctx.addIssue({ code: 'custom', path: ['password'], message: weak });
  });

export const signInSchema = z.object({
  name: z.string().optional(),
  email,
  password: z.string().min(1, 'Enter your password'),
});

/** Forgot password: the same address rule as sign-in. */
export const forgotPasswordSchema = z.object({ email: z.string().trim().pipe(email) });
