/** AWS Lambda function shapes, cased as the Lambda wire API (2015-03-31) cases them. */

export interface FunctionEnvironment {
  Variables?: Record<string, string>;
}

export interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime: string;
  Role: string;
  Handler: string;
  CodeSize: number;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  CodeSha256: string;
  Version: string;
  Environment?: FunctionEnvironment;
  TracingConfig: { Mode: string };
  RevisionId: string;
  State?: string;
  LastUpdateStatus?: string;
  PackageType: string;
  Architectures: string[];
  EphemeralStorage: { Size: number };
  SnapStart?: { ApplyOn: string; OptimizationStatus: string };
  LoggingConfig?: { LogFormat: string; LogGroup: string };
  StateReason?: string;
  StateReasonCode?: string;
  LastUpdateStatusReason?: string;
  LastUpdateStatusReasonCode?: string;
}

/** Where a function's code lives on this machine: an unpacked upload, or a directory the user works in. */
export type CodeSource =
  | { kind: 'zip'; directory: string }
  | { kind: 'directory'; directory: string };

export interface StoredFunction {
  configuration: FunctionConfiguration;
  code: CodeSource;
  /** Reserved concurrency (PutFunctionConcurrency); absent when none is set. */
  reservedConcurrency?: number;
}
