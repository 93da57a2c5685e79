import { afterEach, describe, expect, it } from 'vitest';
import { t, useLocale } from '../src/i18n';
import { alarmMessage } from '../src/i18n/alarmText';
import { en } from '../src/i18n/en';
import { zhCN } from '../src/i18n/zh-CN';

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

// The scenic-site demo's dropout of issue 17: a day of silence, seen at epoch 1.796e9.
const dropout = {
  message: 'no reading for 24 h 0 min (expected every 10 s); silent since 2026-12-03 15:51:56 CST',
  kind: 'anomaly.dropout',
  message_key: 'anomaly.dropout',
  message_params: { gap_s: 86380, expected_s: 10, since_at: 1796284316 },
};

describe('i18n', () => {
  afterEach(() => useLocale('en'));

  it('has every message in Chinese, with the same placeholders', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(zhCN[key], key).toBeTruthy();
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('fills placeholders in the chosen language', () => {
    expect(t('commands.awaitingN', { n: 2 })).toBe('Commands awaiting confirmation (2)');
    useLocale('zh-CN');
    expect(t('commands.awaitingN', { n: 2 })).toBe('等待确认的指令（2）');
  });

  it('renders alarm messages from their key: durations, venue time, no epoch seconds', () => {
    expect(alarmMessage(dropout, 'Asia/Shanghai')).toMatch(/^no reading for 24 h 0 min \(expected every 10 s\); silent since .*15:51:56/);
    useLocale('zh-CN');
    const zh = alarmMessage(dropout, 'Asia/Shanghai');
    expect(zh).toMatch(/^已 24 小时 0 分 无读数（应每 10 秒 一次）；自 2026\/12\/03 .*15:51:56 起静默$/);
    expect(zh).not.toMatch(/1796284316|e\+/);
  });

  it('translates enumerated words and leaves ids alone; keyless alarms show their message', () => {
    useLocale('zh-CN');
    const offline = { message: 'x', kind: 'offline', message_key: 'offline', message_params: { sensor: 'gate-3', sensor_kind: 'co2' } };
    expect(alarmMessage(offline, 'UTC')).toBe('gate-3（二氧化碳）报告离线');
    expect(alarmMessage({ message: 'legacy text', kind: 'threshold' }, 'UTC')).toBe('legacy text');
  });
});
