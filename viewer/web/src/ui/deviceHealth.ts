/** A sensor's device health in its details: RSSI, SNR, gateway, link quality and
 *  battery (kept by the payload adapters), with weak-signal / low-battery badges.
 *  Sensors on the JSON contract report none: the section then stays hidden. */

import { listDeviceHealth, type DeviceHealth } from '../api';
import { t as msg } from '../i18n';
import { h } from './dom';

function num(v: number | null, unit: string, digits = 0): string | null {
  return typeof v === 'number' ? `${v.toFixed(digits)}${unit}` : null;
}

function render(root: HTMLElement, d: DeviceHealth): void {
  const facts: [string, string | null][] = [
    [msg('details.rssi'), num(d.rssi_dbm, ' dBm')],
    [msg('details.snr'), num(d.snr_db, ' dB', 1)],
    [msg('details.gateway'), d.gateway],
    [msg('details.linkQuality'), num(d.link_quality, ' / 255')],
    [msg('details.battery'), num(d.battery, ' %')],
  ];
  const dl = h('dl', { class: 'facts' });
  for (const [label, text] of facts) {
    if (text !== null) dl.append(h('dt', { text: label }), h('dd', { text }));
  }
  const badges = h('div', { class: 'device-badges' });
  if (d.weak_signal) badges.append(h('span', { class: 'badge', 'data-status': 'warn', 'data-testid': 'device-weak-signal', text: msg('details.weakSignal') }));
  if (d.low_battery) badges.append(h('span', { class: 'badge', 'data-status': 'warn', 'data-testid': 'device-low-battery', text: msg('details.lowBattery') }));
  root.replaceChildren(h('div', { class: 'section-label', text: msg('details.device') }), badges, dl);
  root.hidden = false;
}

/** An initially hidden section, filled in when the venue's device health answers. */
export function deviceHealthSection(venue: string, sensor: string): HTMLElement {
  const root = h('div', { class: 'device-health', 'data-testid': 'device-health', hidden: true });
  listDeviceHealth(venue)
    .then((all) => {
      const mine = all.find((d) => d.sensor === sensor);
      if (mine !== undefined && root.isConnected) render(root, mine);
    })
    .catch(() => {
      // Health is extra: without it the details still show value and history.
    });
  return root;
}
