// globalSetup of the `infra` jest project: see infra-run-dir.ts.
import { createInfraRunDir } from './infra-run-dir';

export default createInfraRunDir;
