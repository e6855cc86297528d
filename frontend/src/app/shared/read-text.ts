/** The file's text as on disk (FileReader works in every browser and in the test DOM). */
export function readText(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsText(file);
  });
}

export const yamlFileName = /\.ya?ml$/i;

export interface ChosenFiles {
  /** The YAML files with their text. */
  files: { name: string; content: string }[];
  /** Names of the files left out because they are not YAML. */
  skipped: string[];
}

/** Reads the YAML files of a drop or a pick and names the others. */
export async function readYamlFiles(chosen: File[]): Promise<ChosenFiles> {
  const files = await Promise.all(
    chosen
      .filter((file) => yamlFileName.test(file.name))
      .map(async (file) => ({ name: file.name, content: await readText(file) })),
  );
  return { files, skipped: chosen.filter((file) => !yamlFileName.test(file.name)).map((file) => file.name) };
}

/** `current` with `added` merged in by name (an added file replaces one of the same name), sorted. */
export function mergeFilesByName<T extends { name: string }>(current: T[], added: T[]): T[] {
  const byName = new Map(current.map((file) => [file.name, file]));
  for (const file of added) byName.set(file.name, file);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
