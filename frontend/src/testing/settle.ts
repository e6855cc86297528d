import type { ComponentFixture } from '@angular/core/testing';

/**
 * Lets answered HTTP calls run through their promise chains (parse → signal) and the view
 * render: flushing a request resolves the component's `await` only on a later microtask.
 */
export async function settle(fixture: ComponentFixture<unknown>): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
  }
}
