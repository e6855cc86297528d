import { TestBed } from '@angular/core/testing';
import { Theme } from './theme.ts';

describe('Theme', () => {
  beforeEach(() => {
    localStorage.clear();
    document.documentElement.className = '';
  });

  it('follows the system until the user chooses, then remembers the choice', () => {
    const theme = TestBed.inject(Theme);
    TestBed.tick();
    expect(theme.choice()).toBe('system');
    expect(document.documentElement.classList.contains('theme-dark')).toBe(false);

    theme.choose('dark');
    TestBed.tick();
    expect(document.documentElement.classList.contains('theme-dark')).toBe(true);
    expect(localStorage.getItem('skyy.theme')).toBe('dark');

    theme.choose('system');
    TestBed.tick();
    expect(document.documentElement.classList.contains('theme-dark')).toBe(false);
    expect(localStorage.getItem('skyy.theme')).toBeNull();
  });

  it('starts with the remembered choice on the next visit', () => {
    localStorage.setItem('skyy.theme', 'light');
    const theme = TestBed.inject(Theme);
    TestBed.tick();
    expect(theme.choice()).toBe('light');
    expect(document.documentElement.classList.contains('theme-light')).toBe(true);
  });
});
