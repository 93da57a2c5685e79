/** The colour legend of the selected quantity, with the venue's thresholds as ticks. */

import { unitLabel } from '../format';
import { t } from '../i18n';
import { QUANTITIES, type ColorScale, cssGradient } from '../scales';
import { h, setText } from './dom';

export class Legend {
  readonly root: HTMLElement;
  private readonly title: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly ticks: HTMLElement;
  private readonly bands: HTMLElement;

  constructor() {
    this.title = h('div', { class: 'legend-title' });
    this.bar = h('div', { class: 'legend-bar' });
    this.ticks = h('div', { class: 'legend-ticks' });
    this.bands = h('div', { class: 'legend-bands', 'data-testid': 'legend-bands', hidden: true });
    this.root = h(
      'section',
      { class: 'legend', 'data-testid': 'legend', 'aria-label': t('legend.title') },
      this.title,
      this.bar,
      this.bands,
      this.ticks,
      h(
        'div',
        { class: 'legend-status' },
        ...(['warn', 'alarm', 'stale', 'offline'] as const).map((s) =>
          h('span', { class: `legend-ring ring-${s}` }, h('i', { 'aria-hidden': 'true' }), t(`legend.${s}`)),
        ),
        h('span', { class: 'legend-artefact' }, h('i', { 'aria-hidden': 'true', text: '◆' }), t('legend.artefact')),
      ),
    );
  }

  show(scale: ColorScale): void {
    const label = QUANTITIES.find((q) => q.id === scale.quantity)?.label ?? scale.quantity;
    const bands = scale.bands ?? [];
    setText(this.title, bands.length > 0 ? `${label} · ${t('legend.los', { unit: unitLabel(scale.unit) })}` : `${label} · ${unitLabel(scale.unit)}`);
    this.bar.style.background = cssGradient(scale);
    // A stepped scale names its bands (A..F) on the bar itself.
    this.bar.hidden = bands.length > 0;
    this.bands.hidden = bands.length === 0;
    this.bands.replaceChildren(
      ...bands.map((b) => {
        const cell = h('span', { class: 'legend-band', text: b.label, title: `${b.label}: ${b.from}–${b.to} ${unitLabel(scale.unit)}` });
        cell.style.background = b.color;
        return cell;
      }),
    );
    this.ticks.replaceChildren(
      ...scale.ticks.map((t, i) => {
        const tick = h('span', { class: 'legend-tick', text: t.label });
        // Bands are drawn equally wide: their boundaries are evenly spaced.
        const at = bands.length > 0 ? (i + 1) / bands.length : (t.v - scale.min) / (scale.max - scale.min || 1);
        tick.style.left = `${(at * 100).toFixed(2)}%`;
        return tick;
      }),
    );
  }
}
