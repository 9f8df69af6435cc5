// GET /api/report/list and /api/report/download/{kind}/{file}: the XLSX workbooks in
// settings.reports_dir. Which names are served, and how a link out of the directory is refused,
// is src/queries/report-files.ts.
import { z } from '@hono/zod-openapi';
import { listReportFiles, openReportFile, REPORT_KINDS } from '../../queries/report-files.js';
import { operation, raw } from '../operation.js';
import { timeFields } from './read-schemas.js';

const TAGS = ['reports'];
export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const kindEnum = z.enum(REPORT_KINDS as ['hourly', 'daily', 'monthly']);

const reportFile = z
  .object({
    kind: kindEnum,
    file: z.string().openapi({ example: '2026-04-20.xlsx' }),
    period: z.string().openapi({ description: '2026-04-21T13 (hourly), 2026-04-21 (daily) or 2026-04 (monthly)', example: '2026-04-20' }),
    vcenters: z.array(z.string()).nullable().openapi({ description: 'The vCenters of a report limited to some, as its name gives them; null for a full report' }),
    size: z.number().int().openapi({ description: 'Bytes' }),
    ...timeFields('modifiedAt', 'When the file was last written', 'required'),
    download: z.string().openapi({ description: 'Its download path', example: '/api/report/download/daily/2026-04-20.xlsx' }),
  })
  .openapi('ReportFile');

export const listReports = operation({
  summary: 'Report workbooks in reports_dir',
  description: 'The XLSX reports written by the report jobs, by kind, newest period first.',
  tags: TAGS,
  query: z.object({ kind: kindEnum.optional().openapi({ description: 'Only this kind' }) }),
  response: z.object({ reports: z.array(reportFile) }).openapi('ReportList'),
  async handle({ query, deps }) {
    return { reports: await listReportFiles(deps.settings.reports_dir, query.kind ? [query.kind] : undefined) };
  },
});

export const downloadReport = raw({
  summary: 'Download a report workbook',
  description:
    'The XLSX file reports_dir/<kind>/<file>, as an attachment. 400 for a file name that is not a plain report name (no path, no `..`), ' +
    '404 when there is no such report (a symlink is none).',
  tags: TAGS,
  params: z.object({
    kind: kindEnum,
    file: z.string().min(1).max(255).openapi({ description: 'A file name from /api/report/list', example: '2026-04-20.xlsx' }),
  }),
  responseContentType: XLSX_CONTENT_TYPE,
  errors: [404],
  async handle({ params, deps }) {
    const report = await openReportFile(deps.settings.reports_dir, params.kind, params.file);
    return new Response(report.body as unknown as ReadableStream<Uint8Array>, {
      status: 200,
      headers: {
        'content-type': XLSX_CONTENT_TYPE,
        'content-length': String(report.size),
        // The name is a plain report name (letters, digits, . _ + -): nothing to quote or encode.
        'content-disposition': `attachment; filename="${report.file}"`,
        'last-modified': new Date(report.modifiedAt * 1000).toUTCString(),
        'cache-control': 'private, no-cache',
        'x-content-type-options': 'nosniff',
      },
    });
  },
});
