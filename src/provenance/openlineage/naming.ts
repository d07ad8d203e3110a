/**
 * Dataset identity between OpenLineage and Pedigree. OpenLineage names a
 * dataset by (namespace, name), following its naming conventions: the
 * namespace is where the data lives (`s3://bucket`, `postgres://host:5432`,
 * `bigquery`, `file`), the name is the path or table within it (`clean/tx`,
 * `db.schema.table`). Pedigree's dataset (and its versions' `uri`) is the one
 * string `namespace + "/" + name`, with exactly one slash between them, so
 * `s3://warehouse` + `clean_tx` is `s3://warehouse/clean_tx`, the URI a
 * model version's `source` would carry. The local file system's namespace is
 * `file` with an absolute path as the name, which joins to a file URI
 * (`file` + `/data/x.csv` → `file:///data/x.csv`).
 */
export function datasetUri(namespace: string, name: string): string {
  const ns = namespace.replace(/\/+$/, '');
  if (ns === 'file') return `file://${name.startsWith('/') ? '' : '/'}${name}`;
  return `${ns}/${name.replace(/^\/+/, '')}`;
}

/**
 * The inverse for URIs with an authority (`scheme://authority/path`): the
 * namespace is `scheme://authority`, the name the path without its leading
 * slash (a `file:///path` is `file` + `/path`). Other URIs (`models:/m/1`,
 * `hf:org/model`) split at the scheme. Used when Pedigree emits a model
 * version as an OpenLineage dataset: `datasetUri(splitUri(u))` is `u` for
 * every `scheme://authority/path` URI.
 */
export function splitUri(uri: string): { namespace: string; name: string } {
  const withAuthority = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/]*)(\/.*)?$/.exec(uri);
  if (withAuthority) {
    const [, scheme, authority, path = ''] = withAuthority as unknown as [string, string, string, string | undefined];
    if (scheme.toLowerCase() === 'file' && authority === '') return { namespace: 'file', name: path || '/' };
    return { namespace: `${scheme}://${authority}`, name: path.replace(/^\//, '') || '/' };
  }
  const opaque = /^([A-Za-z][A-Za-z0-9+.-]*):\/*(.*)$/.exec(uri);
  if (opaque) return { namespace: opaque[1]!, name: opaque[2] || '/' };
  return { namespace: 'pedigree', name: uri };
}
