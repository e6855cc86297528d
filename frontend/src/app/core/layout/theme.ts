import { DOCUMENT } from '@angular/common';
import { effect, inject, Injectable, signal } from '@angular/core';

export type ThemeChoice = 'system' | 'light' | 'dark';

const storageKey = 'skyy.theme';

function storedChoice(storage: Storage | undefined): ThemeChoice {
  const value = storage?.getItem(storageKey);
  return value === 'light' || value === 'dark' ? value : 'system';
}

/**
 * Light, dark or the system's preference. The Material theme is built with `light-dark()`
 * colours, so the choice is only the root's `color-scheme`; the browser follows
 * `prefers-color-scheme` by itself while the choice is "system".
 */
@Injectable({ providedIn: 'root' })
export class Theme {
  private readonly document = inject(DOCUMENT);
  private readonly storage = this.document.defaultView?.localStorage;
  readonly choice = signal<ThemeChoice>(storedChoice(this.storage));

  constructor() {
    effect(() => {
      const choice = this.choice();
      const root = this.document.documentElement;
      root.classList.toggle('theme-light', choice === 'light');
      root.classList.toggle('theme-dark', choice === 'dark');
      if (choice === 'system') this.storage?.removeItem(storageKey);
      else this.storage?.setItem(storageKey, choice);
    });
  }

  choose(choice: ThemeChoice): void {
    this.choice.set(choice);
  }
}
