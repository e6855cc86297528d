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
