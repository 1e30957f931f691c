// globalTeardown of the `infra` jest project: see infra-run-dir.ts.
import { removeInfraRunDir } from './infra-run-dir';

export default removeInfraRunDir;
