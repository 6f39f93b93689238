function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field's text: a urlencoded string, or a multipart field part (`attachFieldsToBody: true`). */
function fieldText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isRecord(value) && value['type'] === 'field' && typeof value['value'] === 'string') return value['value'];
  return undefined;
}

/** The CSRF token of a form post: its `_csrf` field (urlencoded or multipart), else the `x-csrf-token` header. */
export function csrfTokenOf(request: { readonly body: unknown; readonly headers: Readonly<Record<string, string | string[] | undefined>> }): string | undefined {
  const fromBody = isRecord(request.body) ? fieldText(request.body['_csrf']) : undefined;
  if (fromBody !== undefined) return fromBody;
  const header = request.headers['x-csrf-token'];
  return typeof header === 'string' ? header : undefined;
}
