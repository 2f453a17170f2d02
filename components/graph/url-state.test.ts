import { describe, expect, it } from 'vitest';
import { rangeInput, utcInputValue } from './url-state';

describe('custom range in the URL', () => {
  it('shows a full ISO moment from a shared link in the UTC input instead of leaving it blank', () => {
    expect(utcInputValue('2026-11-30T21:43:00.000Z')).toBe('2026-11-30T21:43');
    expect(utcInputValue('2026-11-30T22:43:05+01:00')).toBe('2026-11-30T21:43:05');
    expect(utcInputValue('2026-11-30T21:43')).toBe('2026-11-30T21:43');
    expect(utcInputValue('yesterday')).toBe('');
    expect(utcInputValue(undefined)).toBe('');
  });

  it('reads what the input shows as the same moment the query uses', () => {
    const shown = utcInputValue('2026-11-30T22:43:05+01:00');
    expect(rangeInput({ range: 'custom', from: shown }).from).toEqual(new Date('2026-11-30T21:43:05Z'));
  });
});
