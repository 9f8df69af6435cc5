// The VM trace search form: on the trace page (when no VM is given, or above a trace) and on the
// overview. A plain GET form: the URL of a trace can be bookmarked and shared.
import { h, type Html } from './html.js';

export interface TraceFormValues {
  vm?: string | undefined;
  view: 'hourly' | 'daily';
  vcenter?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export function traceForm(values: TraceFormValues): Html {
  const option = (value: 'hourly' | 'daily', label: string) =>
    value === values.view ? h`<option value="${value}" selected>${label}</option>` : h`<option value="${value}">${label}</option>`;
  return h`<form class="inline" method="get" action="/vm/trace" role="search">
<label>VM name, id (vm-42) or uuid<input type="search" name="vm" value="${values.vm ?? ''}" required maxlength="256" autocomplete="off"></label>
<label>View<select name="view">${option('hourly', 'Hourly (every snapshot)')}${option('daily', 'Daily (summaries)')}</select></label>
<label>vCenter (optional)<input type="text" name="vcenter" value="${values.vcenter ?? ''}" maxlength="256"></label>
<label>From (UTC day)<input type="date" name="from" value="${values.from ?? ''}"></label>
<label>To (UTC day)<input type="date" name="to" value="${values.to ?? ''}"></label>
<button type="submit">Trace</button>
</form>`;
}
