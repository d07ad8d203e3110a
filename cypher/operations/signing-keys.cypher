// Every signing key Pedigree has made: its own first (active first, then
// newest), then the approvers' keys by principal. The public halves are what
// verification trusts; the private half's sealed form or file name is read by
// the signing service only.
MATCH (k:SigningKey)
RETURN k {.*} AS key
ORDER BY k.principal IS NOT NULL, k.principal, k.active DESC, k.createdAt DESC
