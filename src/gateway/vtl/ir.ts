// The compiled form of a template: velocityjs's AST, validated, with Velocity 1.7's whitespace rules already
// applied, and literals pre-built, so rendering is a plain tree walk.

import type { Value } from './values.js';

export interface Pos {
  line: number;
  column: number;
}

export type Segment =
  | { k: 'prop'; name: string }
  | { k: 'index'; e: Expr }
  | { k: 'call'; name: string; args: Expr[] };

export interface Ref extends Pos {
  root: string;
  path: Segment[];
  /** The reference as written, for error messages. */
  text: string;
}

export type Expr =
  | { k: 'lit'; v: Value }
  | { k: 'str'; nodes: Node[] }
  | { k: 'list'; items: Expr[] }
  | { k: 'range'; from: Expr; to: Expr }
  | { k: 'map'; entries: Array<[string, Expr]> }
  | { k: 'ref'; ref: Ref }
  | { k: 'bin'; op: string; l: Expr; r: Expr }
  | { k: 'not'; e: Expr };

export type Node =
  | { k: 'text'; s: string }
  | { k: 'ref'; ref: Ref }
  | ({ k: 'set'; target: Ref; value: Expr } & Pos)
  | ({ k: 'if'; branches: Array<{ cond: Expr | null; body: Node[] }> } & Pos)
  | ({ k: 'foreach'; name: string; iter: Expr; body: Node[] } & Pos)
  | ({ k: 'break' } & Pos)
  | ({ k: 'define'; name: string; body: Node[] } & Pos)
  | ({ k: 'call'; name: string; args: Expr[]; text: string } & Pos);

export interface Macro {
  params: string[];
  body: Node[];
}

export interface Program {
  nodes: Node[];
  macros: Map<string, Macro>;
}
