// The folder tree of a repository's models, built from their paths, so the Models screen can show repository →
// folders → models the way the files lie in Bitbucket.
export interface TreeFolder {
  readonly name: string;
  /** `models/archive/` (empty for the root). */
  readonly path: string;
  readonly folders: TreeFolder[];
  readonly files: string[];
}

/** Folders first, then files, each sorted by name. */
export function buildTree(paths: readonly string[]): TreeFolder {
  const root: TreeFolder = { name: '', path: '', folders: [], files: [] };
  for (const path of paths) {
    const parts = path.split('/');
    let folder = root;
    for (const part of parts.slice(0, -1)) {
      let next = folder.folders.find((child) => child.name === part);
      if (!next) {
        next = { name: part, path: `${folder.path}${part}/`, folders: [], files: [] };
        folder.folders.push(next);
      }
      folder = next;
    }
    folder.files.push(path);
  }
  sortTree(root);
  return root;
}

function sortTree(folder: TreeFolder): void {
  folder.folders.sort((a, b) => a.name.localeCompare(b.name));
  folder.files.sort((a, b) => a.localeCompare(b));
  folder.folders.forEach(sortTree);
}

/** The file name of a model path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
