/**
 * How Skyy recognizes its VMs on a cluster: by name plus a tag, never by guessing.
 *
 * - `skyy-managed`: Skyy reconciles this VM with a desired VM of the same name. Adding the tag
 *   by hand adopts an existing VM.
 * - `skyy-created`: Skyy created it, so Skyy may delete it (with allowDelete). Adopted VMs lack it.
 * - A clone cannot carry tags until its first config update, so Skyy clones with a description
 *   starting with CREATING_MARKER; a VM with the marker is one of Skyy's creations that a crash
 *   interrupted, and the next run finishes it instead of making a duplicate.
 */
export interface IdentityOptions {
  managedTag: string;
  createdTag: string;
}

export const defaultIdentity: IdentityOptions = { managedTag: 'skyy-managed', createdTag: 'skyy-created' };

export const CREATING_MARKER = 'skyy-managed: creating';

export function creatingDescription(name: string): string {
  return `${CREATING_MARKER} ${name}`;
}

export function hasCreatingMarker(description: string | undefined, name: string): boolean {
  return (description ?? '').trim() === creatingDescription(name);
}

export function hasTag(tags: readonly string[], tag: string): boolean {
  return tags.some((t) => t.toLowerCase() === tag.toLowerCase());
}

/**
 * What a VM was created from, recorded as a tag when Skyy creates it (`skyy-template.<name>`
 * for a clone, `skyy-no-template` for a fresh VM), so that a later change of the declared
 * `template` is planned as a replacement. PVE keeps no such record itself. VMs created before
 * Skyy recorded it, and adopted VMs, carry none and are never replaced for it.
 */
export const TEMPLATE_TAG_PREFIX = 'skyy-template.';
export const NO_TEMPLATE_TAG = 'skyy-no-template';

export type RecordedSource = { kind: 'clone'; template: string } | { kind: 'fresh' };

/** PVE tags allow `[a-z0-9_][a-z0-9_-+.]*`; VM names (DNS names) fit once lowercased. */
export function sourceTag(source: RecordedSource): string {
  return source.kind === 'fresh'
    ? NO_TEMPLATE_TAG
    : `${TEMPLATE_TAG_PREFIX}${source.template.toLowerCase().replace(/[^a-z0-9_\-+.]/g, '_')}`;
}

export function isSourceTag(tag: string): boolean {
  const lower = tag.toLowerCase();
  return lower === NO_TEMPLATE_TAG || lower.startsWith(TEMPLATE_TAG_PREFIX);
}

/** The source recorded in a VM's tags; undefined when none (or, after hand edits, several) is. */
export function recordedSource(tags: readonly string[]): RecordedSource | undefined {
  const found = tags.filter(isSourceTag).map((t) => t.toLowerCase());
  if (found.length !== 1) return undefined;
  const tag = found[0] as string;
  return tag === NO_TEMPLATE_TAG
    ? { kind: 'fresh' }
    : { kind: 'clone', template: tag.slice(TEMPLATE_TAG_PREFIX.length) };
}
