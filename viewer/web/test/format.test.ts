import { describe, expect, it } from 'vitest';
import { formatAge, formatValue, occupancyBand, unitLabel } from '../src/format';

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

  it("gives an occupancy's 95 % band in whole people, never below 0", () => {
    expect(occupancyBand(11.2, 2.5)).toEqual([6, 16]);
    // Near empty: the band's lower end stops at 0 rather than reading "-3".
    expect(occupancyBand(1.4, 2.5)).toEqual([0, 6]);
    expect(occupancyBand(0, 0)).toEqual([0, 0]);
    expect(occupancyBand(null, 2)).toBeNull();
    expect(occupancyBand(5, undefined)).toBeNull();
    expect(occupancyBand(5, Number.NaN)).toBeNull();
    expect(occupancyBand(5, -1)).toBeNull();
  });
});
