import type { IncomingMessage, ServerResponse } from "node:http";
import { type ApolloServer, HeaderMap } from "@apollo/server";
import express from "express";
import typeis from "type-is";
import type { Logger } from "pino";

/** What the request pipeline below needs from its caller: who calls, and what GraphQL runs with. */
export interface GraphqlHttpDeps<Ctx extends object, Who> {
  apollo: ApolloServer<Ctx>;
  /** The CORS middleware of the path (answers preflights itself). */
  cors: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
  maxBodyBytes: number;
  logger: Logger;
  /**
   * Who calls, and their operations budget, before anything is parsed: resolves to what the
   * context is built from, or to a refusal already sent (`null`).
   */
  admit: (req: IncomingMessage, res: ServerResponse) => Promise<Who | null>;
  context: (who: Who) => Promise<Ctx>;
}

const JSON_TYPES = ["application/json", "application/graphql-response+json"];

/** A GraphQL-shaped error body, the way express's res.json wrote it. */
export function sendJsonError(res: ServerResponse, status: number, message: string, extensions: Record<string, unknown>): void {
  const body = JSON.stringify({ errors: [{ message, extensions }] });
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(body);
}

/**
 * GraphQL over HTTP on plain node:http request and response objects. The hot paths (every
 * query and mutation is a POST here) do not go through express's router, its request and
 * response objects, or res.send's ETag of every body — which cost as much as the project's own
 * work on a join (see docs/performance.md); the rest of the site still does. The steps are the
 * ones express ran, in the same order and with the same answers: CORS, JSON only (CSRF),
 * body-parser's bounded JSON, the caller and their budget, Apollo.
 */
export function graphqlHttpHandler<Ctx extends object, Who>(deps: GraphqlHttpDeps<Ctx, Who>) {
  const { apollo, maxBodyBytes, logger } = deps;
  const json = express.json({ limit: maxBodyBytes, type: JSON_TYPES });

  const bodyRefused = (res: ServerResponse, err: { status?: number; type?: string }) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 400;
    const message = err.type === "entity.too.large" ? `The request body is larger than ${maxBodyBytes} bytes.` : "The request body is not valid JSON.";
    sendJsonError(res, status, message, { code: "BAD_REQUEST" });
  };

  const failed = (res: ServerResponse, err: unknown) => {
    logger.error({ err }, "GraphQL request failed outside Apollo");
    if (res.headersSent) return void res.destroy();
    sendJsonError(res, 500, "Internal server error.", { code: "INTERNAL_SERVER_ERROR" });
  };

  async function run(req: IncomingMessage & { body?: unknown }, res: ServerResponse): Promise<void> {
    const who = await deps.admit(req, res);
    if (who === null) return;
    const headers = new HeaderMap();
    for (const key in req.headers) {
      const value = req.headers[key];
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    const url = req.url ?? "";
    const q = url.indexOf("?");
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? "GET").toUpperCase(), headers, search: q < 0 ? "" : url.slice(q), body: req.body },
      context: () => deps.context(who),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") return void res.end(response.body.string);
    // Incremental delivery (@defer): not enabled by this schema, kept as Apollo's integrations do it.
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    deps.cors(req, res, (err) => {
      if (err) return failed(res, err);
      // CSRF: a cross-site form or beacon can only POST "simple" content types; JSON needs a CORS
      // preflight, which only allowed origins pass. So a POST must be JSON.
      if (req.method === "POST" && !typeis(req, JSON_TYPES)) {
        return sendJsonError(res, 415, "Send GraphQL requests over POST as application/json (other content types are refused).", { code: "BAD_REQUEST" });
      }
      json(req as express.Request, res as express.Response, (parseError?: unknown) => {
        if (parseError) return bodyRefused(res, parseError as { status?: number; type?: string });
        run(req, res).catch((e: unknown) => failed(res, e));
      });
    });
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    try {
      handle(req, res);
    } catch (err) {
      // What express did for a synchronous throw in a middleware: a 500, never an uncaught exception.
      failed(res, err);
    }
  };
}
