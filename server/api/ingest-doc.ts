import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { ingestParams, instanceSchema } from "../trpc/routers/report";
import { envelope, errorEnvelopeSchema } from "./envelope";

const dfExample = `Filesystem     1K-blocks     Used Available Use% Mounted on
/dev/sda1       22841212 13706856   7951024  64% /
tmpfs            1608780    45292   1563488   3% /run
`;

const error = (description: string) => ({ description, content: { "application/json": { schema: errorEnvelopeSchema } } });

/**
 * The ingest endpoint is served by a raw-body Express route (server/api/ingest.ts), so it is
 * described here and added to the generated document beside the adapter's endpoints.
 */
export const ingestPathDoc: ZodOpenApiPathsObject = {
  "/reports/{name}": {
    post: {
      operationId: "report-ingest",
      tags: ["Reports"],
      summary: "Push an instance",
      description:
        "Creates an instance of report `name` (the report is created on first use) from the raw request body, whatever its Content-Type — `curl --data-binary @-` works as is. Without `format`, a Content-Type of application/json, text/csv or text/markdown selects that format; otherwise the format is detected. A 200 means the instance is stored. Needs an ingest or full key.\n\nExample: `df | curl --user $KEY: --data-binary @- https://HOST/api/v1/reports/diskfree`",
      security: [{ basicAuth: [] }, { bearerAuth: [] }, { keyQuery: [] }],
      requestParams: {
        path: z.object({ name: z.string().meta({ description: "Report name: 1 to 200 letters, digits, _ - . :", example: "diskfree" }) }),
        query: ingestParams,
      },
      requestBody: {
        required: true,
        content: {
          "text/plain": { schema: z.string().meta({ example: dfExample }) },
          "application/json": { schema: z.unknown().meta({ example: { c1: 1, c2: 2 } }) },
          "text/csv": { schema: z.string().meta({ example: "host,load\nweb1,0.42\n" }) },
          "application/x-www-form-urlencoded": { schema: z.string().meta({ example: "42" }) },
        },
      },
      responses: {
        "200": {
          description: "The stored instance",
          content: { "application/json": { schema: envelope(instanceSchema) } },
        },
        "400": error("Invalid parameter, or `Cannot parse input`"),
        "401": error("Missing or invalid API key"),
        "403": error("The key's scope does not allow pushing"),
        "413": error("The body is larger than the configured limit (INGEST_MAX_BYTES, 1 MiB by default)"),
        "422": error("Empty report data (errorCode ERROR_EMPTY_REPORT_DATA)"),
      },
    },
  },
};
