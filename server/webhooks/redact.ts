// What of a webhook URL may go into a log line: scheme, host, port and path. The query string,
// the fragment and any user name or password are dropped, because receivers routinely put their
// own secrets there (`?token=…`, basic-auth credentials) and logs are read by more people, and
// kept longer, than the database row that has to hold the full address.
export function loggableUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '(unparseable URL)';
  }
  const redacted =
    url.search || url.hash || url.username || url.password
      ? ' (query, fragment or credentials removed)'
      : '';
  return `${url.protocol}//${url.host}${url.pathname}${redacted}`;
}
