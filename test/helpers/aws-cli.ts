import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs the real AWS CLI (Debian's awscli) against an endpoint, as a user would: test credentials, no pager, no
 * instance metadata lookups, a HOME of the test's own so no user configuration leaks in. Returns the parsed JSON.
 */
export async function awsCli(endpoint: string, home: string, ...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('/usr/bin/aws', ['--endpoint-url', endpoint, '--output', 'json', ...args], {
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: home,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    timeout: 60_000,
  });
  return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {};
}
