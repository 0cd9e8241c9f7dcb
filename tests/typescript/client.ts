// A small typed client of the Sunlight API, as a frontend team writes it: every type comes from
// `api.d.ts`, which tests/e2e/test_typescript_client.py generates from openapi/gateway.json with the
// pinned openapi-typescript, then compiles this file and the answers it recorded with tsc --strict.
import type { components, operations } from "./api";

type Schemas = components["schemas"];
type JsonOf<R> = R extends { content: { "application/json": infer B } } ? B : never;

/** The JSON body an operation answers with a given status. */
export type Answer<
  O extends keyof operations,
  S extends keyof operations[O]["responses"],
> = JsonOf<operations[O]["responses"][S]>;
export type Problem = Schemas["ProblemDoc"];

export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

export class SunlightClient {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown, key?: string): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (key) headers["Idempotency-Key"] = key;
    const response = await fetch(this.base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new ProblemError((await response.json()) as Problem);
    return (await response.json()) as T;
  }

  createProgramme(body: Schemas["ProgrammeIn"], key: string): Promise<Answer<"createFundsProgramme", 201>> {
    return this.call("POST", "/v1/funds/programmes", body, key);
  }

  recordMovement(body: Schemas["MovementIn"], key: string): Promise<Answer<"recordFundsMovement", 201>> {
    return this.call("POST", "/v1/funds/movements", body, key);
  }

  integrityWarnings(query: { rule_id?: string; cursor?: string } = {}): Promise<Answer<"listIntegrityWarnings", 200>> {
    const params = new URLSearchParams(query as Record<string, string>);
    return this.call("GET", `/v1/integrity/warnings?${params}`);
  }

  fundsWarnings(): Promise<Answer<"listFundsWarnings", 200>> {
    return this.call("GET", "/v1/funds/warnings");
  }

  createClient(body: Schemas["ClientIn"], key: string): Promise<Answer<"createClient", 201>> {
    return this.call("POST", "/v1/admin/clients", body, key);
  }

  clients(cursor?: string): Promise<Answer<"listClients", 200>> {
    return this.call("GET", `/v1/admin/clients${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`);
  }

  nodes(programmeId: string, cursor?: string): Promise<Answer<"listFundsNodes", 200>> {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
    return this.call("GET", `/v1/funds/programmes/${programmeId}/nodes${query}`);
  }

  /** Every item of any list: every list is `{items, next_cursor}`, so one loop serves them all. */
  async *every<T>(page: (cursor?: string) => Promise<{ items: T[]; next_cursor?: string | null }>): AsyncGenerator<T> {
    let cursor: string | undefined;
    do {
      const answer = await page(cursor);
      yield* answer.items;
      cursor = answer.next_cursor ?? undefined;
    } while (cursor);
  }

  /** Every page of the register, following next_cursor. */
  async *allIntegrityWarnings(ruleId?: string): AsyncGenerator<Schemas["IntegrityWarningOut"]> {
    let cursor: string | undefined;
    do {
      const page = await this.integrityWarnings({ ...(ruleId ? { rule_id: ruleId } : {}), ...(cursor ? { cursor } : {}) });
      yield* page.items;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }
}

// What a screen does with the answers: these lines compile only if the document tells the truth.
export function registerLine(w: Schemas["IntegrityWarningOut"]): string {
  return `${w.rule_id} ${w.level} (source ${w.source_level}) ${w.subject_kind}/${w.subject_id} since ${w.first_seen_at}`;
}

export function fundsLine(w: Schemas["FundsWarningOut"]): string {
  return `${w.rule_id} ${w.level} on ${w.subject_kind} ${w.subject_id}, ${w.occurrences}× since ${w.first_seen_at}`;
}

export function shortfall(problem: Problem): number | null {
  return problem.type.endsWith("/overspend") ? (problem.available_fen ?? null) : null;
}

export function fieldsInError(problem: Problem): string[] {
  return (problem.errors ?? []).map((e) => `${e.field}: ${e.message}`);
}

export async function clientIds(api: SunlightClient): Promise<string[]> {
  const ids: string[] = [];
  for await (const c of api.every((cursor) => api.clients(cursor))) ids.push(c.client_id);
  return ids;
}

export async function tree(api: SunlightClient, programmeId: string): Promise<Map<string, Schemas["NodeOut"]>> {
  const nodes = new Map<string, Schemas["NodeOut"]>();
  for await (const n of api.every((cursor) => api.nodes(programmeId, cursor))) nodes.set(n.id, n);
  return nodes;
}
