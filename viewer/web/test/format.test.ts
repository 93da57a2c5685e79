import { describe, expect, it } from 'vitest';
import { formatAge, formatValue, unitLabel } from '../src/format';

describe('formatting', () => {
  it('shows values with the kind precision and a readable unit', () => {
    // Numbers follow the browser's locale (decimal comma in much of Europe).
    const local = (v: number, digits: number): string =>
      v.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    expect(formatValue(21.345, 'temperature', 'degC')).toBe(`${local(21.3, 1)} °C`);
    expect(formatValue(48.6, 'humidity', '%RH')).toBe('49 % RH');
    expect(formatValue(null, 'co2', 'ppm')).toBe('—');
    expect(formatValue(Number.NaN, 'co2', 'ppm')).toBe('—');
    expect(unitLabel('furlongs')).toBe('furlongs');
  });

  it('reads ages compactly', () => {
    expect(formatAge(null)).toBe('—');
    expect(formatAge(0.4)).toBe('now');
    expect(formatAge(42)).toBe('42 s');
    expect(formatAge(300)).toBe('5 min');
    expect(formatAge(3 * 3600)).toBe('3 h');
    expect(formatAge(3 * 86400)).toBe('3 d');
  });
});
