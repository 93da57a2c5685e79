/** The colour legend of the selected quantity, with the venue's thresholds as ticks. */

import { unitLabel } from '../format';
import { QUANTITIES, type ColorScale, cssGradient } from '../scales';
import { h, setText } from './dom';

export class Legend {
  readonly root: HTMLElement;
  private readonly title: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly ticks: HTMLElement;

  constructor() {
    this.title = h('div', { class: 'legend-title' });
    this.bar = h('div', { class: 'legend-bar' });
    this.ticks = h('div', { class: 'legend-ticks' });
    this.root = h(
      'section',
      { class: 'legend', 'data-testid': 'legend', 'aria-label': 'Colour legend' },
      this.title,
      this.bar,
      this.ticks,
      h(
        'div',
        { class: 'legend-status' },
        ...(['warn', 'alarm', 'stale', 'offline'] as const).map((s) =>
          h('span', { class: `legend-ring ring-${s}` }, h('i', { 'aria-hidden': 'true' }), s === 'warn' ? 'warning' : s),
        ),
        h('span', { class: 'legend-artefact' }, h('i', { 'aria-hidden': 'true', text: '◆' }), 'artefact'),
      ),
    );
  }

  show(scale: ColorScale): void {
    const label = QUANTITIES.find((q) => q.id === scale.quantity)?.label ?? scale.quantity;
    setText(this.title, `${label} · ${unitLabel(scale.unit)}`);
    this.bar.style.background = cssGradient(scale);
    this.ticks.replaceChildren(
      ...scale.ticks.map((t) => {
        const tick = h('span', { class: 'legend-tick', text: t.label });
        tick.style.left = `${(((t.v - scale.min) / (scale.max - scale.min || 1)) * 100).toFixed(2)}%`;
        return tick;
      }),
    );
  }
}
