// Shared steps for the end-to-end tests: what a person does, in the browser.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';
import { totpCodeAt } from '@/server/security/totp';

export const artifacts = path.resolve('e2e/.artifacts');

export function firstAdminSetupPath(): string {
  const out = readFileSync(path.join(artifacts, 'first-admin.txt'), 'utf8');
  const url = out.match(/https?:\/\/\S+\/setup-account#token=\S+/)?.[0];
  if (!url) throw new Error(`no setup link in the CLI output:\n${out}`);
  return new URL(url).pathname + new URL(url).hash;
}

export async function setPassword(page: Page, setupPath: string, password: string) {
  await page.goto('about:blank');
  await page.goto(setupPath);
  await page.getByLabel('New password').fill(password);
  await page.getByLabel('Repeat it').fill(password);
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByText('Your password is set')).toBeVisible();
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A code for the next 30-second step: the current one may already have been used. */
export function nextTotp(secret: string): string {
  return totpCodeAt(secret, new Date(Date.now() + 30_000));
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}
