/**
 * Commands of the venue: those awaiting an operator's confirmation, and the
 * recent ones with their state. Fed by the snapshot, `command` frames, the
 * REST list and the answers to confirm/reject.
 */

import type { Command } from '../types';

/** How many finished commands the panel keeps. */
const RECENT = 20;

type Listener = () => void;

export class CommandBook {
  private readonly byId = new Map<string, Command>();
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  /** Merge a batch (snapshot or REST page): newer copies win, nothing is forgotten. */
  merge(commands: Command[]): void {
    for (const command of commands) this.put(command);
    this.trim();
    this.emit();
  }

  upsert(command: Command): void {
    this.put(command);
    this.trim();
    this.emit();
  }

  private put(command: Command): void {
    const known = this.byId.get(command.id);
    if (known === undefined || known.updated_at <= command.updated_at) this.byId.set(command.id, command);
  }

  private trim(): void {
    const done = this.recent().filter((c) => c.state !== 'pending_confirmation');
    for (const command of done.slice(RECENT)) this.byId.delete(command.id);
  }

  /** Waiting for an operator, oldest first (the one expiring soonest). */
  pending(): Command[] {
    return [...this.byId.values()]
      .filter((c) => c.state === 'pending_confirmation')
      .sort((a, b) => a.created_at - b.created_at);
  }

  /** Everything else, newest first. */
  recent(): Command[] {
    return [...this.byId.values()].filter((c) => c.state !== 'pending_confirmation').sort((a, b) => b.created_at - a.created_at);
  }
}
