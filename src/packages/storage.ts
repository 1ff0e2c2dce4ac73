// Where package files live: <dataDir>/packages/<id>/ holds `package.zip` (the
// uploaded CSAR, kept for GET package_content) and `content/` (its extracted
// files). Uploads land in a temporary file first, renamed only when complete.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

export class PackageStorage {
  readonly root: string;
  constructor(dataDir: string) {
    this.root = join(dataDir, 'packages');
  }
  dir(id: string): string {
    return join(this.root, id);
  }
  zip(id: string): string {
    return join(this.dir(id), 'package.zip');
  }
  upload(id: string): string {
    return join(this.dir(id), 'upload.partial');
  }
  content(id: string): string {
    return join(this.dir(id), 'content');
  }
  async prepare(id: string): Promise<void> {
    await mkdir(this.dir(id), { recursive: true });
  }
  async removeContent(id: string): Promise<void> {
    await rm(this.content(id), { recursive: true, force: true });
  }
  async remove(id: string): Promise<void> {
    await rm(this.dir(id), { recursive: true, force: true });
  }
}
