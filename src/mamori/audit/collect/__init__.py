"""Live collectors: fetch identity data from the APIs into the files `mamori audit` reads.

`mamori collect <source> --out DIR` writes `DIR/<source>/…` in exactly the shapes the offline
readers (`mamori.audit.sources`) document, so `mamori audit DIR` audits a collection as it
audits exports saved by hand, and the same folder can be archived as the evidence of a monthly
audit. Collectors only read: no API call here changes anything in the tenant or org.

- `entra`: Microsoft Entra ID through Microsoft Graph v1.0 (app, client credentials);
- `okta`: Okta's Management API (administrator API token);
- `aws`: AWS IAM through boto3 (the standard credential chain);
- `gws`: Google Workspace Directory and Reports APIs (service account, domain-wide delegation).

What they share:

- `http`: the one HTTP client (TLS always verified, http only to loopback, bounded retries,
  429 handling, paging, errors naming the endpoint and the permission needed, no secret in
  any message);
- `output`: `Collected` (files written, problems), `CollectError` (nothing could be collected:
  the command exits 2), `write_atomic` for whole documents;
- `stream`: page-by-page atomic writers for collections too big to hold in memory.

Every collector reports a refused collection (a missing permission or licence) in
`Collected.problems` and still collects the others; a collection that fails part-way writes no
file, since a truncated list would make the missing accounts look absent rather than unknown.
"""
